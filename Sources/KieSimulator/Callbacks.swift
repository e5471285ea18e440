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

    /// Records and starts the original delivery of `body` to `url` and its configured duplicates,
    /// each with retries and, when a webhook key is set, the HMAC headers over `taskId`.
    func startDeliveries(taskId: String, url: String, body: String, config: SimulatorConfig) {
        let allowed = config.allowNonLoopbackCallbacks || (ParsedURL(url)?.isLoopback ?? false)
        let first = state.withLock { s -> Int in
            let first = s.callbacks.count
            for delivery in 0...config.callbackDuplicates {
                s.callbacks.append(CallbackRecord(
                    taskId: taskId, url: url, body: body, delivery: delivery, attempts: 0, statuses: [], errors: [],
                    state: allowed ? "pending" : "skipped", timestamp: nil, signature: nil))
            }
            return first
        }
        guard allowed else { return }
        spawn {
            for delivery in 0...config.callbackDuplicates {
                await self.deliver(recordIndex: first + delivery, taskId: taskId, url: url, body: body, config: config)
            }
        }
    }

    private func deliver(recordIndex: Int, taskId: String, url: String, body: String, config: SimulatorConfig) async {
        for attempt in 0...config.callbackRetries {
            if Task.isCancelled { return }
            if attempt > 0 { try? await Task.sleep(for: .milliseconds(config.callbackRetryDelayMs)) }
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "kie-sim callback")
            var timestamp: String?
            var signature: String?
            if let key = config.webhookKey {
                // Real seconds: a receiver checks the timestamp against its own clock.
                let ts = String(SimClock.realNowMs() / 1000)
                let sig = CallbackPayload.signature(key: key, taskId: taskId, timestamp: ts)
                request.headers.add(name: "X-Webhook-Timestamp", value: ts)
                request.headers.add(name: "X-Webhook-Signature", value: sig)
                timestamp = ts
                signature = sig
            }
            request.body = .bytes(ByteBuffer(string: body))
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
                guard recordIndex < s.callbacks.count else { return }
                s.callbacks[recordIndex].attempts += 1
                s.callbacks[recordIndex].statuses.append(status)
                if let problem { s.callbacks[recordIndex].errors.append(problem) }
                s.callbacks[recordIndex].timestamp = timestamp
                s.callbacks[recordIndex].signature = signature
                if delivered {
                    s.callbacks[recordIndex].state = "delivered"
                } else if last {
                    s.callbacks[recordIndex].state = "failed"
                }
            }
            if delivered { return }
        }
    }
}
