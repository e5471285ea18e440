import NIOCore
import NIOPosix

/// A loopback HTTP server that answers every request as soon as its head has arrived, without
/// reading the body, and then closes the connection: at once, after a random delay of up to
/// 2 ms, or once more bytes arrive. Closing in the moments after an early answer is what made
/// AsyncHTTPClient 1.37 abort the process when a request's task and connection ran on two event
/// loops (Transport/HTTPTransport.swift, `send`).
final class EarlyAnswerServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    var url: String { "http://127.0.0.1:\(channel.localAddress?.port ?? 0)" }

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel) {
        self.group = group
        self.channel = channel
    }

    static func start() async throws -> EarlyAnswerServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Handler()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return EarlyAnswerServer(group: group, channel: channel)
    }

    func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        private var head: [UInt8] = []
        private var answered = false

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = unwrapInboundIn(data)
            if answered {
                context.close(promise: nil)
                return
            }
            head += bytes.readableBytesView
            guard head.count >= 4, head.indices.dropLast(3).contains(where: { i in
                head[i] == 13 && head[i + 1] == 10 && head[i + 2] == 13 && head[i + 3] == 10
            }) else { return }
            answered = true
            let answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer)), promise: nil)
            switch Int.random(in: 0..<10) {
            case 0..<2: context.close(promise: nil)
            case 2..<7:
                let loop = context.eventLoop.assumeIsolated()
                let ctx = NIOLoopBound(context, eventLoop: context.eventLoop)
                loop.scheduleTask(in: .microseconds(Int64.random(in: 0..<2_000))) { ctx.value.close(promise: nil) }
            default: break  // closes when the body arrives (channelRead above)
            }
        }
    }
}
