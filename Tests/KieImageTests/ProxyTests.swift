import Foundation
import KieSimulator
import Logging
import Synchronization
import Testing
@testable import KieImage

/// A real HTTP proxy (Debian's tinyproxy, installed by `make deps`) on a free loopback port, with
/// its own config and log, for the tests of docs/inputs-proxies-budget.md, "Proxies".
final class TinyProxy {
    let port: Int
    let dir: String
    let process = Process()

    init(basicAuth: (String, String)? = nil) throws {
        dir = "/tmp/kieimage-proxy-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        port = try ClosedPort.take()
        var conf = """
            Port \(port)
            Listen 127.0.0.1
            Timeout 30
            MaxClients 64
            LogFile "\(dir)/tinyproxy.log"
            LogLevel Connect
            PidFile "\(dir)/tinyproxy.pid"
            Allow 127.0.0.1
            DisableViaHeader Yes

            """
        if let (user, password) = basicAuth { conf += "BasicAuth \(user) \(password)\n" }
        try conf.write(toFile: dir + "/tinyproxy.conf", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/tinyproxy")
        process.arguments = ["-d", "-c", dir + "/tinyproxy.conf"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 where !Self.accepts(port) { usleep(50_000) }
    }

    /// SIGKILL: tinyproxy in the foreground only notes a SIGTERM until its next connection, and
    /// Process.waitUntilExit would spin a run loop in an async test.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var log: String { (try? String(contentsOfFile: dir + "/tinyproxy.log", encoding: .utf8)) ?? "" }

    /// The `host:port` targets the proxy was asked to CONNECT to.
    var tunnels: [String] {
        log.split(separator: "\n").compactMap { line in
            guard let r = line.range(of: "CONNECT ", options: .backwards) else { return nil }
            return line[r.upperBound...].split(separator: " ").first.map(String.init)
        }
    }

    static func port(of url: String) -> String { url.split(separator: ":").last.map(String.init) ?? "" }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// Every log line the client writes, to check what they hold.
final class CapturedLog: Sendable {
    let lines = Mutex<[String]>([])
    struct Handler: LogHandler {
        let sink: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            sink.lines.withLock { $0.append("\(event.message) \(event.metadata ?? [:]) \(self.metadata)") }
        }
    }
    var logger: Logger { Logger(label: "test", factory: { _ in Handler(sink: self) }) }
    var text: String { lines.withLock { $0.joined(separator: "\n") } }
}

@Suite(.serialized) struct ProxyTests {
    static func client(_ h: SimHarness, json: String, env: [String: String], log: CapturedLog? = nil) throws -> KieClient {
        var config = try ClientConfig.parse(json: json, env: env)
        config.baseUrl = h.sim.baseURL
        config.uploadBaseUrl = h.sim.uploadBaseURL
        config.retry = h.client.config.retry
        config.poll = h.client.config.poll
        config.requestTimeoutMs = 5_000
        // AsyncHTTPClient retries a refused connection until the connect timeout.
        config.connectTimeoutMs = 1_000
        config.logLevel = "trace"
        return try KieClient(config: config, logger: log?.logger)
    }

    /// Generate, wait, download and a local input's upload: the API, upload and file hosts.
    static func everyHost(_ client: KieClient, _ h: SimHarness) async throws {
        let files = LocalInputTests.Files()
        let photo = files.png("photo.png")
        let s = try await client.generate(json: #"{"prompt":"blue","size":"1:1","filesUrl":["\#(photo)"]}"#)
        let task = try await client.wait(s.taskId, options: h.waitOptions)
        let saved = try await client.download(task, to: files.dir + "/out")
        #expect(saved.count == 1)
    }

    @Test func configProxyCarriesTheAPIUploadAndFileHosts() async throws {
        let proxy = try TinyProxy()
        defer { proxy.stop() }
        try await withSim { h in
            let client = try Self.client(h, json: #"{"apiKey":"\#(SimHarness.key)","proxy":"http://127.0.0.1:\#(proxy.port)"}"#, env: [:])
            try await Self.everyHost(client, h)
            await client.shutdown()
            let tunnels = Set(proxy.tunnels)
            for base in [h.sim.baseURL, h.sim.uploadBaseURL, h.sim.fileBaseURL] {
                #expect(tunnels.contains("127.0.0.1:" + TinyProxy.port(of: base)), "\(base) not reached through the proxy: \(tunnels)")
            }
        }
    }

    @Test func environmentProxiesHonourNoProxyByHostAndPort() async throws {
        let proxy = try TinyProxy()
        defer { proxy.stop() }
        try await withSim { h in
            let uploadPort = TinyProxy.port(of: h.sim.uploadBaseURL)
            let env = ["http_proxy": "127.0.0.1:\(proxy.port)", "HTTP_PROXY": "http://127.0.0.1:1", "NO_PROXY": "example.com, 127.0.0.1:\(uploadPort)"]
            let client = try Self.client(h, json: #"{"apiKey":"\#(SimHarness.key)"}"#, env: env)
            try await Self.everyHost(client, h)
            await client.shutdown()
            let tunnels = Set(proxy.tunnels)
            #expect(tunnels.contains("127.0.0.1:" + TinyProxy.port(of: h.sim.baseURL)))
            #expect(tunnels.contains("127.0.0.1:" + TinyProxy.port(of: h.sim.fileBaseURL)))
            #expect(!tunnels.contains("127.0.0.1:" + uploadPort))
            #expect((h.sim.requestCounts()["upload-base64"] ?? 0) == 1)
        }
    }

    @Test func proxyDownIsNetworkAndNothingIsSent() async throws {
        let port = try ClosedPort.take()
        let journal = "/tmp/kieimage-proxy-down-\(UInt32.random(in: 0...UInt32.max)).jsonl"
        try await withSim { h in
            let client = try Self.client(h, json: #"{"apiKey":"\#(SimHarness.key)","proxy":"http://127.0.0.1:\#(port)","journalPath":"\#(journal)"}"#, env: [:])
            let e = await expectError(.network) { _ = try await client.generate(h.request()) }
            #expect(e?.attempts ?? 0 >= 1)
            #expect(try client.journalEntries().map(\.state) == [.rejected])
            await client.shutdown()
            #expect(h.generateCount() == 0)
        }
    }

    @Test func proxyCredentialsWorkAndNeverShowInLogsOrErrors() async throws {
        let proxy = try TinyProxy(basicAuth: ("kieuser", "s3cret-proxy-pw"))
        defer { proxy.stop() }
        try await withSim { h in
            let log = CapturedLog()
            let good = try Self.client(h, json: #"{"apiKey":"\#(SimHarness.key)","proxy":"http://kieuser:s3cret-proxy-pw@127.0.0.1:\#(proxy.port)"}"#, env: [:], log: log)
            try await Self.everyHost(good, h)
            await good.shutdown()
            #expect(h.generateCount() == 1)
            let bad = try Self.client(h, json: #"{"apiKey":"\#(SimHarness.key)","proxy":"http://kieuser:wrong-pw-77@127.0.0.1:\#(proxy.port)"}"#, env: [:], log: log)
            let e = await expectError(.network) { _ = try await bad.generate(h.request()) }
            await bad.shutdown()
            #expect(h.generateCount() == 1)
            let shown = JSON.serialize(e?.json ?? .null) + log.text + String(describing: bad.config.proxies)
            #expect(!shown.contains("s3cret-proxy-pw") && !shown.contains("wrong-pw-77"))
        }
    }

    @Test func proxySettingsFollowCurl() throws {
        let s = try ProxySettings(proxy: nil, env: [
            "https_proxy": "http://lower:8080", "HTTPS_PROXY": "http://upper:8080", "HTTP_PROXY": "http://u%40x:p%3Aw@plain:3128/",
            "no_proxy": ".internal.example, 10.0.0.1, [::1]:8443, api.local:9000",
        ])
        #expect(s.server(for: "https://api.kie.ai/x")?.description == "http://lower:8080")
        #expect(s.server(for: "http://files.example.net/a.png")?.description == "http://plain:3128")
        #expect(s.http?.user == "u@x" && s.http?.password == "p:w")
        #expect(s.server(for: "https://a.internal.example/") == nil)
        #expect(s.server(for: "https://internal.example/") == nil)
        #expect(s.server(for: "https://10.0.0.1/") == nil)
        #expect(s.server(for: "https://127.0.0.1/") != nil)  // loopback is not exempt unless listed
        #expect(s.server(for: "https://[::1]:8443/") == nil)
        #expect(s.server(for: "https://[::1]:8444/") != nil)
        #expect(s.server(for: "http://api.local:9000/") == nil)
        #expect(s.server(for: "http://api.local:9001/") != nil)
        #expect(s.server(for: "https://notinternal.example/") != nil)
        let star = try ProxySettings(proxy: nil, env: ["HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"])
        #expect(star.server(for: "https://api.kie.ai/") == nil)
        let config = try ProxySettings(proxy: "http://cfg:3128", env: ["https_proxy": "http://env:1", "no_proxy": "*"])
        #expect(config.server(for: "https://api.kie.ai/")?.description == "http://cfg:3128")
    }

    @Test(arguments: ["https://p:3128", "socks5://p:1080", "http://p", "http://p:3128/path", "http://p:99999"])
    func badConfigProxiesAreRefusedWithoutEchoingThem(value: String) {
        let parsed = Result { () throws(KieError) in try ClientConfig.parse(json: #"{"apiKey":"k-123456","proxy":"\#(value)"}"#, env: [:]) }
        guard case .failure(let error) = parsed else { Issue.record("accepted \(value)"); return }
        #expect(error.field == "proxy" && !error.message.contains(value))
    }
}
