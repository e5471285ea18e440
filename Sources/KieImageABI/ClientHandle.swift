import CKieImage
import KieImage
import Logging

/// What a kie_client * points to. Borrowed by every call with takeUnretainedValue; only
/// kie_client_free releases it.
final class ClientHandle: Sendable {
    let client: KieClient
    let operations: Operations
    let logSink: LogSink

    init(config: ClientConfig) throws(KieError) {
        let sink = LogSink(secret: config.apiKey)
        logSink = sink
        client = try KieClient(config: config, logger: Logger(label: "kieimage") { _ in CLogHandler(sink: sink) })
        operations = Operations(queueMode: config.delivery == "queue")
    }

    static func borrow(_ ref: kie_client_ref?) throws(KieError) -> ClientHandle {
        guard let ref else { throw .invalidArgument("client is NULL", field: "client") }
        return Unmanaged<ClientHandle>.fromOpaque(UnsafeRawPointer(ref)).takeUnretainedValue()
    }
}
