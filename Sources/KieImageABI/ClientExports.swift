// C API section 2. Client
import CKieImage
import KieImage

#if canImport(Glibc)
import Glibc
#endif

/// Creates a client from config JSON (every key optional: apiKey (else env KIE_API_KEY),
/// baseUrl (else env KIE_BASE_URL, default https://api.kie.ai), uploadBaseUrl (else env
/// KIE_UPLOAD_BASE_URL, default https://kieai.redpandaai.co), requestTimeoutMs,
/// connectTimeoutMs, maxRetries, retryBaseMs, retryMaxMs, poll {initialMs, maxMs, multiplier,
/// deadlineMs}, rateLimit {requests, perMs}, userAgent, webhookKey, journalPath, delivery
/// ("thread"|"queue"), logLevel, callbacks, maxCredits, budgetSince, proxy, ledger (else env
/// KIE_LEDGER; exclusive with journalPath), ledgerLeaseMs); webhookKey defaults to env
/// KIE_WEBHOOK_KEY. An unknown key fails with KIE_E_INVALID_ARGUMENT naming it. A client with
/// a ledger opens without reaching it (docs/ledger.md).
/// config_json may be NULL or "" for all defaults. On success *out owns a client that the
/// caller frees with kie_client_free. Any thread.
@c(kie_client_new)
public func kieClientNew(_ configJSON: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<kie_client_ref?>?) -> kie_status {
    withStatus {
        let out = try requireOut(out, "out")
        out.pointee = nil
        let text = try CString.readOptional(configJSON, name: "config_json") ?? ""
        let config = try ClientConfig.parse(json: text, env: ClientConfig.environment())
        let handle = try ClientHandle(config: config)
        out.pointee = OpaquePointer(Unmanaged.passRetained(handle).toOpaque())
    }
}

/// Frees a client: cancels its in-flight work (each async operation gets a final
/// KIE_E_CANCELLED event), closes its connections, and returns when no callback of it runs.
/// NULL is a no-op. Never call it from one of the client's own callbacks.
@c(kie_client_free)
public func kieClientFree(_ c: kie_client_ref?) {
    guard let c else { return }
    let handle = Unmanaged<ClientHandle>.fromOpaque(UnsafeRawPointer(c)).takeRetainedValue()
    handle.operations.closeAll()
    // A client that never made a request has nothing to close: no Swift task is needed to free it.
    if !handle.client.shutdownIfUnused() {
        _ = blocking { _ in await handle.client.shutdown() }
    }
}

/// Sets (or with NULL clears) the client's log callback. Messages at or above the config's
/// logLevel (default "info") arrive on whichever library or caller thread logs them; the message
/// is valid only during the call and never contains the API key. Every retry is logged with its
/// attempt and delay. Any thread.
@c(kie_client_set_log)
public func kieClientSetLog(_ c: kie_client_ref?, _ onLog: kie_log_cb?, _ userdata: UnsafeMutableRawPointer?) -> kie_status {
    withStatus {
        let handle = try ClientHandle.borrow(c)
        handle.logSink.set(onLog.map { LogSink.Target(fn: $0, userdata: userdata) })
    }
}
