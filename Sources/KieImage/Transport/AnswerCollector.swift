import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// AsyncHTTPClient response delegate for API calls: keeps the status and Retry-After and copies
/// the body straight into `[UInt8]` on the event loop, so a call costs one resumption of the
/// caller (when the answer is complete) instead of one per response part of the streaming API.
///
/// `@unchecked Sendable`: AsyncHTTPClient calls a delegate's methods one at a time on the
/// request's event loop, and the result is read only after `didFinishRequest`.
final class AnswerCollector: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = HTTPAnswer

    struct TooLarge: Error, CustomStringConvertible {
        var limit: Int
        var description: String { "answer larger than \(limit) bytes" }
    }

    private let maxBytes: Int
    private var status = 0
    private var retryAfterMs: Int64?
    private var body: [UInt8] = []

    init(maxBytes: Int) { self.maxBytes = maxBytes }

    func didReceiveHead(task: HTTPClient.Task<HTTPAnswer>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        status = Int(head.status.code)
        retryAfterMs = head.headers.first(name: "Retry-After").flatMap(HTTPTransport.parseRetryAfter)
        if let length = head.headers.first(name: "Content-Length").flatMap(Int.init) {
            if length > maxBytes { return task.eventLoop.makeFailedFuture(TooLarge(limit: maxBytes)) }
            body.reserveCapacity(length)
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<HTTPAnswer>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        guard buffer.readableBytes <= maxBytes - body.count else {
            return task.eventLoop.makeFailedFuture(TooLarge(limit: maxBytes))
        }
        buffer.withUnsafeReadableBytes { body.append(contentsOf: $0) }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<HTTPAnswer>) throws -> HTTPAnswer {
        HTTPAnswer(status: status, body: body, retryAfterMs: retryAfterMs)
    }
}
