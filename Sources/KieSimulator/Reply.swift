import Hummingbird
import NIOCore

/// Request context: Hummingbird's source plus the channel, so faults can drop the connection.
struct SimContext: InitializableFromSource {
    let channel: any Channel
    init(source: ApplicationRequestContextSource) {
        channel = source.channel
    }
}

/// Thrown after a fault closed the connection; nothing more is written.
struct ConnectionDropped: Error {}

/// An answer before it becomes a Hummingbird `Response`.
struct Reply: Sendable {
    var status: HTTPResponse.Status = .ok
    var headers: HTTPFields = [.contentType: "application/json"]
    var body: ByteBuffer

    init(status: HTTPResponse.Status = .ok, json: String) {
        self.status = status
        body = ByteBuffer(string: json)
    }

    init(status: HTTPResponse.Status, contentType: String, bytes: [UInt8]) {
        self.status = status
        headers = [.contentType: contentType]
        body = ByteBuffer(bytes: bytes)
    }

    var response: Response {
        Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
    }

    /// The answer with its head and first half sent at once, the rest after `ms` (the
    /// Content-Length is the whole body's, so a client sees a transfer stall midway).
    func stalled(forMs ms: Int) -> Response {
        let half = body.readableBytes / 2
        let first = body.getSlice(at: body.readerIndex, length: half) ?? ByteBuffer()
        let rest = body.getSlice(at: body.readerIndex + half, length: body.readableBytes - half) ?? ByteBuffer()
        return Response(status: status, headers: headers, body: ResponseBody(contentLength: body.readableBytes) { writer in
            try await writer.write(first)
            try await Task.sleep(for: .milliseconds(ms))
            try await writer.write(rest)
            try await writer.finish(nil)
        })
    }
}
