import FoundationEssentials
import KieSimulator
import Synchronization
import Testing
@testable import KieImage

/// Issue 8's fault matrix: every fault kind on every endpoint of both families (4o and Market
/// createTask/recordInfo), each cell's expected outcome written here and asserted together with
/// how many requests the simulator received.
/// Faults fire once (the first request after installation) unless noted.
@Suite(.serialized) struct FaultMatrixTests {
    enum Fault: String, CaseIterable, Sendable {
        case refused, resetBefore = "reset-before", resetAfter = "reset-after", slow, http429 = "http-429"
        case body429 = "body-429", body455 = "body-455", body500 = "body-500", body550 = "body-550"
        case malformed, truncated, stalled

        var action: FaultAction? {
            switch self {
            case .refused: nil
            case .resetBefore: FaultAction(reset: "before")
            case .resetAfter: FaultAction(reset: "after")
            case .slow: FaultAction(hangMs: 3_000)
            case .http429: FaultAction(httpStatus: 429)
            case .body429: FaultAction(bodyCode: 429)
            case .body455: FaultAction(bodyCode: 455)
            case .body500: FaultAction(bodyCode: 500)
            case .body550: FaultAction(bodyCode: 550)
            case .malformed: FaultAction(malformed: true)
            case .truncated: FaultAction(truncated: true)
            case .stalled: FaultAction(stallMs: 3_000)
            }
        }
    }

    enum Op: String, CaseIterable, Sendable {
        case generate, recordInfo = "record-info", downloadUrl = "download-url", credits = "credit"
        case upload = "upload-base64", file
        case createTask = "jobs-createTask", marketRecordInfo = "jobs-recordInfo"

        /// The operation's family: Market's createTask and recordInfo behave as 4o's generate
        /// and record-info do.
        var isMarket: Bool { self == .createTask || self == .marketRecordInfo }
    }

    enum Expect: Equatable, CustomStringConvertible {
        /// Succeeded after this many requests reached the simulator (more than one: retried).
        case succeeded(requests: Int)
        /// Failed with this status after this many requests reached the simulator.
        case status(KieStatus, requests: Int)

        var description: String {
            switch self {
            case .succeeded(let n): n > 1 ? "retried, ok (\(n) req)" : "ok (\(n) req)"
            case .status(let s, let n): "\(s.name) (\(n) req)"
            }
        }
    }

    /// The table. Reads repeat on anything transient; generate repeats only when the answer proves
    /// no task was created (429/455/550), and otherwise reports UNKNOWN_OUTCOME or the error.
    /// Connection refused never reaches the simulator; for a refused file host the downloader
    /// also tries to mint a new link, which the API refuses for a URL that is not the task's.
    static func expected(_ op: Op, _ fault: Fault) -> Expect {
        switch (op, fault) {
        case (.createTask, _): expected(.generate, fault)
        case (.marketRecordInfo, _): expected(.recordInfo, fault)
        case (.generate, .refused): .status(.network, requests: 0)
        case (.generate, .resetBefore), (.generate, .resetAfter), (.generate, .slow), (.generate, .malformed),
             (.generate, .truncated), (.generate, .stalled): .status(.unknownOutcome, requests: 1)
        case (.generate, .body500): .status(.server, requests: 1)
        case (.generate, _): .succeeded(requests: 2)
        case (_, .refused): .status(.network, requests: 0)
        // A truncated image (no IEND) is refused and fetched again, never saved. A download that
        // waits longer than requestTimeoutMs for its head or for its next byte (stalled) is
        // abandoned and fetched again.
        case (_, _): .succeeded(requests: 2)
        }
    }

    static let summary = Mutex<[String]>([])

    @Test(arguments: Op.allCases)
    func faultMatrix(op: Op) async throws {
        for fault in Fault.allCases {
            let want = Self.expected(op, fault)
            let got = try await run(op, fault)
            #expect(got == want, "\(op.rawValue) × \(fault.rawValue)")
            Self.summary.withLock { $0.append("\(op.rawValue.padding(12)) \(fault.rawValue.padding(13)) expected \(want.description.padding(28)) got \(got)") }
        }
        let lines = Self.summary.withLock { $0.filter { $0.hasPrefix(op.rawValue + " ") || $0.hasPrefix(op.rawValue.padding(12)) } }
        print("fault matrix, \(op.rawValue):\n" + lines.joined(separator: "\n"))
    }

    func run(_ op: Op, _ fault: Fault) async throws -> Expect {
        let h = try await SimHarness.start(client: {
            $0.requestTimeoutMs = 800
            $0.retry.maxRetries = 2
            $0.retry.rateLimitWaitMs = 50
        })
        defer { Task { await h.stop() } }
        // Preconditions (a finished task, a file to upload) before the fault is installed.
        var task: KieTask?
        if op == .marketRecordInfo {
            let id = try await h.client.generate(h.marketRequest()).taskId
            task = try await h.client.wait(id, options: h.waitOptions)
        } else if op != .generate && op != .createTask && op != .credits && op != .upload {
            let id = try await h.client.generate(h.request()).taskId
            task = try await h.client.wait(id, options: h.waitOptions)
        }
        let upload = "/tmp/kieimage-matrix-upload.png"
        try Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3]).write(to: URL(fileURLWithPath: upload))

        var client = h.client
        if fault == .refused {
            var cc = h.client.config
            let closed = "http://127.0.0.1:\(try ClosedPort.take())"
            if op == .upload { cc.uploadBaseUrl = closed } else if op != .file { cc.baseUrl = closed }
            client = try KieClient(config: cc)
            if op == .file, let t = task {
                var moved = t
                moved.resultUrls = [closed + "/s/\(t.taskId)_0.png"]
                task = moved
            }
        } else if let action = fault.action {
            var sc = h.sim.config
            sc.faults = [FaultRule(endpoint: op.rawValue, match: FaultMatch(count: 1), action: action)]
            try h.sim.setConfig(sc)
        }
        let before = h.sim.requestCounts()[op.rawValue] ?? 0
        let tasksBefore = h.sim.tasks().count
        var status: KieStatus?
        do {
            switch op {
            case .generate: _ = try await client.generate(h.request())
            case .createTask: _ = try await client.generate(h.marketRequest())
            case .recordInfo, .marketRecordInfo: _ = try await client.task(task?.taskId ?? "")
            case .downloadUrl: _ = try await client.downloadURL(taskId: task?.taskId ?? "", url: task?.resultUrls.first ?? "")
            case .credits: _ = try await client.credits()
            case .upload: _ = try await client.upload(path: upload)
            case .file:
                if let task { _ = try await client.download(task, to: "/tmp/kieimage-matrix-\(task.taskId)") }
            }
        } catch {
            status = KieError.wrap(error).status
        }
        if client !== h.client { await client.shutdown() }
        let requests = (h.sim.requestCounts()[op.rawValue] ?? 0) - before
        if op == .generate || op == .createTask {
            // Zero duplicate generates: at most one task per generate call, whatever the fault.
            #expect(h.sim.tasks().count - tasksBefore <= 1, "duplicate generate under \(fault.rawValue)")
        }
        return status.map { .status($0, requests: requests) } ?? .succeeded(requests: requests)
    }
}

enum ClosedPort {
    /// A loopback port nothing listens on: bound, then closed.
    static func take() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw KieError(.io, "no free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

extension String {
    func padding(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}

#if canImport(Glibc)
import Glibc
#endif
