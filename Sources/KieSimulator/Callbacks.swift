import AsyncHTTPClient
import Crypto
import FoundationEssentials
import NIOCore

/// Callback delivery (docs/kie-api.md §3): POST the documented payload to `callBackUrl` when a task ends, with a
/// 15 s timeout, up to 3 retries, optional duplicates, and the HMAC headers of docs/kie-api.md §3a when a webhook
/// key is configured.
enum CallbackPayload {
    /// The body for a finished task.
    static func body(task: SimTask, resultUrls: [String], config: SimulatorConfig) -> String {
        let code: Int
        let msg: String
        let info: SimJSON
        switch task.outcome {
        case .success:
            code = 200
            msg = config.callbackSuccessMsg
            info = .object([("result_urls", .array(resultUrls.map { .string($0) }))])
        case .createTaskFailed(let c, let m):
            code = c
            msg = m
            info = .null
        case .generateFailed(let c, let m):
            code = c
            msg = m ?? ""
            info = .null
        case .internalError:
            code = 500
            msg = "Internal Error"
            info = .null
        }
        var data: [(String, SimJSON)] = [("taskId", .string(task.taskId))]
        if config.callbackTaskIdStyle == "all" { data.append(("task_id", .string(task.taskId))) }
        data.append(("info", info))
        var top: [(String, SimJSON)] = [("code", .number(Double(code))), ("msg", .string(msg))]
        if config.callbackTaskIdStyle == "all" { top.append(("taskId", .string(task.taskId))) }
        top.append(("data", .object(data)))
        return SimJSON.object(top).serialized
    }

    /// base64(HMAC-SHA256(key, taskId + "." + timestamp)), docs/kie-api.md §3a.
    public static func signature(key: String, taskId: String, timestamp: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array("\(taskId).\(timestamp)".utf8), using: SymmetricKey(data: Array(key.utf8)))
        return Data(mac).base64EncodedString()
    }
}

extension Simulator {
    /// Starts the original delivery and any duplicates for a finished task with a callBackUrl.
    func startCallbacks(for task: SimTask) {
        guard let url = task.request.callBackUrl else { return }
        let (config, fileBase) = state.withLock { ($0.config, $0.fileBase) }
        let body = CallbackPayload.body(
            task: task, resultUrls: task.resultNames.map { "\(fileBase)/s/\($0)" }, config: config)
        startDeliveries(taskId: task.taskId, url: url, body: body, config: config)
    }

    /// Records and starts the original delivery of `body` to `url` (its query kept as sent) and
    /// its configured duplicates, each with retries and, when a webhook key is set, the HMAC
    /// headers over `taskId`; a matching `callbackFaults` rule loses, holds, adds to or forges them.
    func startDeliveries(taskId: String, url: String, body: String, config: SimulatorConfig) {
        let allowed = config.allowNonLoopbackCallbacks || (ParsedURL(url)?.isLoopback ?? false)
        let deliveries = state.withLock { s -> [CallbackDelivery] in
            let action = allowed ? s.callbackFaults.decide() : nil
            var out: [CallbackDelivery] = []
            func add(_ id: String, _ text: String, delivery: Int, signing: CallbackSigning, forged: String?, state: String) {
                out.append(CallbackDelivery(
                    recordIndex: s.callbacks.count, taskId: id, url: url, body: text, signing: signing, config: config))
                s.callbacks.append(CallbackRecord(
                    taskId: id, url: url, body: text, delivery: delivery, attempts: 0, statuses: [], errors: [],
                    state: state, timestamp: nil, signature: nil, forged: forged))
            }
            let held = action?.delayMs != nil || action?.reorder == true
            let sendState = !allowed ? "skipped" : held ? "held" : "pending"
            if let forgery = action?.forge {
                let id = forgery == "unknownTask" ? Simulator.newTaskId() : taskId
                add(id, body.replacing(taskId, with: id), delivery: 0,
                    signing: CallbackSigning(forgery: forgery, ageMs: action?.ageMs), forged: forgery, state: sendState)
            }
            let lost = action?.lose == true
            for delivery in 0...(config.callbackDuplicates + (action?.duplicates ?? 0)) {
                add(taskId, body, delivery: delivery, signing: .configured, forged: nil, state: lost ? "lost" : sendState)
                if lost { out.removeLast() }
            }
            guard allowed else { return [] }
            if held {
                let due = action?.delayMs.map { s.clock.nowMs() + Int64($0) }
                s.heldCallbacks.append(HeldCallbacks(dueAtMs: due, deliveries: out))
                return []
            }
            return out
        }
        guard !deliveries.isEmpty else { return }
        send(deliveries, releasingHeld: true)
    }

    /// Sends `deliveries` one after another in the background; then, when `releasingHeld`,
    /// the ones held for the next callback.
    func send(_ deliveries: [CallbackDelivery], releasingHeld: Bool) {
        spawn {
            for d in deliveries { await self.deliver(d) }
            guard releasingHeld else { return }
            for d in self.state.withLock({ $0.takeHeldForNext() }) { await self.deliver(d) }
        }
    }

    private func deliver(_ d: CallbackDelivery) async {
        let config = d.config
        for attempt in 0...config.callbackRetries {
            if Task.isCancelled { return }
            if attempt > 0 { try? await Task.sleep(for: .milliseconds(config.callbackRetryDelayMs)) }
            var request = HTTPClientRequest(url: d.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "kie-sim callback")
            let (timestamp, signature) = Self.sign(d, nowMs: SimClock.realNowMs())
            if let timestamp, let signature {
                request.headers.add(name: "X-Webhook-Timestamp", value: timestamp)
                request.headers.add(name: "X-Webhook-Signature", value: signature)
            }
            request.body = .bytes(ByteBuffer(string: d.body))
            var status = 0
            var problem: String?
            do {
                let response = try await httpClient.execute(request, timeout: .milliseconds(Int64(config.callbackTimeoutMs)))
                status = Int(response.status.code)
                _ = try? await response.body.collect(upTo: 1 << 20)
            } catch {
                problem = "\(error)"
            }
            let delivered = (200..<300).contains(status)
            let last = attempt == config.callbackRetries
            state.withLock { s in
                guard d.recordIndex < s.callbacks.count else { return }
                s.callbacks[d.recordIndex].attempts += 1
                s.callbacks[d.recordIndex].statuses.append(status)
                if let problem { s.callbacks[d.recordIndex].errors.append(problem) }
                s.callbacks[d.recordIndex].timestamp = timestamp
                s.callbacks[d.recordIndex].signature = signature
                if delivered {
                    s.callbacks[d.recordIndex].state = "delivered"
                } else if last {
                    s.callbacks[d.recordIndex].state = "failed"
                }
            }
            if delivered { return }
        }
    }

    /// The X-Webhook-Timestamp and X-Webhook-Signature of a delivery at `nowMs` (real time: a
    /// receiver checks the timestamp against its own clock); nil when it goes unsigned.
    static func sign(_ d: CallbackDelivery, nowMs: Int64) -> (String?, String?) {
        let key = d.config.webhookKey
        let seconds = nowMs / 1000
        switch d.signing {
        case .configured:
            guard let key else { return (nil, nil) }
            let ts = String(seconds)
            return (ts, CallbackPayload.signature(key: key, taskId: d.taskId, timestamp: ts))
        case .wrongKey:
            let ts = String(seconds)
            return (ts, CallbackPayload.signature(key: (key ?? "") + "-forged", taskId: d.taskId, timestamp: ts))
        case .aged(let ms):
            let ts = String(seconds - Int64(ms / 1000))
            return (ts, CallbackPayload.signature(key: key ?? "kie-sim-forged", taskId: d.taskId, timestamp: ts))
        case .unsigned:
            return (nil, nil)
        }
    }
}
