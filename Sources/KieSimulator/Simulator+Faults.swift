import Hummingbird
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Simulator {
    /// Closes the connection at once with no HTTP answer (RST via SO_LINGER 0).
    func dropConnection(_ context: SimContext) async {
        let channel = context.channel
        if let provider = channel as? any SocketOptionProvider {
            _ = try? await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await channel.close().get()
    }

    /// Runs one request through the fault rules for its endpoint: latency, drop before, the work
    /// itself (when the action lets it happen), drop after, hang, and the answer's shape.
    func withFaults(
        _ endpoint: Endpoint, context: SimContext, fallback: @Sendable (FaultAction) -> Reply,
        work: () async -> Reply
    ) async throws -> Response {
        let action = state.withLock { s -> FaultAction? in
            s.count(endpoint.rawValue)
            return s.faults.decide(endpoint)
        }
        guard let action else { return await work().response }
        if let latency = action.latencyMs, latency > 0 { try? await Task.sleep(for: .milliseconds(latency)) }
        if action.reset == "before" {
            await dropConnection(context)
            throw ConnectionDropped()
        }
        let processed: Reply? = action.processes ? await work() : nil
        if action.reset == "after" {
            await dropConnection(context)
            throw ConnectionDropped()
        }
        if let hang = action.hangMs {
            try? await Task.sleep(for: .milliseconds(hang))
            return (processed ?? fallback(action)).response
        }
        if let code = action.bodyCode {
            let msg = action.msg ?? Simulator.defaultMessage(code)
            return Reply(json: Simulator.envelope(code: code, msg: msg)).response
        }
        if let status = action.httpStatus {
            let msg = action.msg ?? Simulator.defaultMessage(status)
            return Reply(status: .init(code: status), json: Simulator.envelope(code: status, msg: msg)).response
        }
        if action.malformed == true {
            let html = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>"
            return Reply(json: html).response
        }
        if let stall = action.stallMs {
            return (processed ?? fallback(action)).stalled(forMs: stall)
        }
        if action.truncated == true {
            var reply = processed ?? fallback(action)
            let cut = reply.body.readableBytes / 2
            reply.body = reply.body.getSlice(at: reply.body.readerIndex, length: cut) ?? ByteBuffer()
            return reply.response
        }
        return (processed ?? fallback(action)).response
    }
}
