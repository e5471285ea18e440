import ArgumentParser
import Hummingbird
import KieImage
import Logging
import NIOCore

/// `kie-image serve-callbacks`: an HTTP receiver for kie's callbacks (docs/webhooks.md). Each
/// POST at --path goes to the core's `deliver` (verify, confirm by one read, record once, end
/// waits); kie gets {"code":200,"msg":"success"} only after the outcome is recorded.
struct ServeCallbacksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-callbacks",
        abstract: "Receive kie.ai's callbacks: verify, confirm and record each one.",
        discussion: """
            Set KIE_WEBHOOK_KEY to verify signatures (then unsigned callbacks are refused). With \
            --journal, outcomes are written to that journal file, where waits of other processes \
            using it with "callbacks": true see them. Prints "listening on http://HOST:PORT/PATH" \
            once ready. Answers 200 when recorded (or already recorded), 400 not a callback, 401 bad \
            signature, 404 unknown task or path, 413 body over 1 MiB, 503 task still running or kie \
            unreachable (kie retries non-2xx).

            EXAMPLES:
              KIE_WEBHOOK_KEY=... kie-image serve-callbacks --listen 0.0.0.0:8080 --path /kie
              kie-image serve-callbacks --listen 127.0.0.1:9000 --journal tasks.jsonl
            """
    )

    @Option(help: ArgumentHelp("Address and port to listen on (port 0: any free port).", valueName: "ADDR:PORT"))
    var listen: String

    @Option(help: ArgumentHelp("The callback path kie POSTs to.", valueName: "PATH"))
    var path = "/"

    @Option(help: ArgumentHelp("Journal file to record outcomes in (shared with waiting processes).", valueName: "FILE"))
    var journal: String?

    @OptionGroup var client: ClientOptions

    func validate() throws {
        guard Self.hostPort(listen) != nil else { throw ValidationError("--listen must be ADDR:PORT") }
        guard path.hasPrefix("/") else { throw ValidationError("--path must start with /") }
    }

    static func hostPort(_ s: String) -> (String, Int)? {
        guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(s[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    func run() async throws {
        guard let (host, port) = Self.hostPort(listen) else { throw ValidationError("--listen must be ADDR:PORT") }
        let session = try await client.open(journalPath: journal)
        let kie = session.client
        let path = self.path
        var logger = Logger(label: "kie-image.serve-callbacks")
        logger.logLevel = .critical
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in await Self.answer(request, path: path, client: kie) },
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                Console.out("listening on http://\(host):\(channel.localAddress?.port ?? port)\(path)")
            },
            logger: logger)
        do { try await app.runService() } catch { await session.close(); throw error }
        await session.close()
    }

    static func answer(_ request: Request, path: String, client: KieClient) async -> Response {
        guard request.uri.path == path else { return reply(404, #"{"code":404,"msg":"no receiver at this path"}"#) }
        guard request.method == .post else { return reply(405, #"{"code":405,"msg":"POST only"}"#) }
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > WebhookAnswer.maxBodyBytes {
            return reply(413, #"{"code":413,"msg":"body too large"}"#)  // answered before reading it
        }
        var request = request
        guard let body = try? await request.collectBody(upTo: WebhookAnswer.maxBodyBytes) else {
            return reply(413, #"{"code":413,"msg":"body too large"}"#)
        }
        var headers: [String: String] = [":path": request.uri.description]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        do {
            _ = try await client.deliver(headers: headers, body: Array(buffer: body))
            return reply(200, WebhookAnswer.okBody)
        } catch {
            let e = KieError.wrap(error)
            return reply(WebhookAnswer.httpStatus(for: e.status), WebhookAnswer.body(for: e))
        }
    }

    static func reply(_ status: Int, _ json: String) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }
}
