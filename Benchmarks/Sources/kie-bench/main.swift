// kie-bench: the Swift side of `make bench` (driven by Benchmarks/bench.py, which starts kie-sim,
// configures it per measure and prints the table). Each subcommand prints one JSON line.
//
//   kie-bench p1 --base URL --mode client|bare [--ids FILE | --tasks 20000]   (kie-bench create --tasks N --out FILE makes FILE) [--seconds 5] [--inflight 64]
//       record-info throughput: `client` = KieClient.task + the normalized task JSON serialized
//       (what kie_task_get returns); `bare` = AsyncHTTPClient GET that only collects the body.
//   --family 4o|market (create, p1, p2; default 4o): Market tasks are created with POST
//       /api/v1/jobs/createTask (gpt-image-2-text-to-image) and read from GET /api/v1/jobs/recordInfo.
//       `p1 --family market --mode client` creates its --tasks through the KieClient itself, so the
//       client knows their family and KieClient.task(id) routes each read to recordInfo, as it does
//       for a task a program created (one read per call, no 4o probe first).
//   kie-bench p2 --base URL --tasks 1000 [--intervals 0.5,1,2,5] [--family 4o|market]
//       polling quality: every task is submitted, then polled at once by KieClient.wait (our
//       schedule, default settings) and by fixed-interval pollers; delays are measured against
//       the simulator's exact completion time (GET /_sim/tasks).
//   kie-bench p3 --base URL --tasks 10000
//       10 000 concurrent KieClient.wait calls in the Swift core: OS threads and peak RSS.
//
// The API key comes from $KIE_BENCH_KEY and is never printed.

import AsyncHTTPClient
import Foundation
import KieImage
import NIOCore
import NIOPosix

func die(_ message: String) -> Never {
    FileHandle.standardError.write(Data("kie-bench: \(message)\n".utf8))
    exit(2)
}

let argv = Array(CommandLine.arguments.dropFirst())
guard let command = argv.first else { die("usage: kie-bench p1|p2|p3 --base URL ...") }
let opts: [String: String] = {
    var o: [String: String] = [:]
    var i = 1
    while i < argv.count {
        guard argv[i].hasPrefix("--"), i + 1 < argv.count else { die("bad argument \(argv[i])") }
        o[String(argv[i].dropFirst(2))] = argv[i + 1]
        i += 2
    }
    return o
}()
func opt(_ name: String) -> String {
    guard let v = opts[name] else { die("--\(name) is required") }
    return v
}
func optInt(_ name: String, _ fallback: Int) -> Int { opts[name].flatMap(Int.init) ?? fallback }

guard let apiKey = ProcessInfo.processInfo.environment["KIE_BENCH_KEY"], !apiKey.isEmpty else { die("set KIE_BENCH_KEY") }
let base = opt("base")
/// The task family a measure works on (--family 4o|market, default 4o).
let family: TaskFamily = {
    switch opts["family"] ?? "4o" {
    case "4o": return .fourO
    case "market": return .market
    case let other: die("--family must be 4o or market, not \(other)")
    }
}()

/// A generate / createTask body of the measure's family (the same size for every task).
@Sendable func requestBody(prompt: String) -> String {
    switch family {
    case .fourO: return #"{"prompt":"\#(prompt)","size":"1:1"}"#
    case .market: return #"{"model":"gpt-image-2-text-to-image","input":{"prompt":"\#(prompt)","aspect_ratio":"16:9"}}"#
    }
}

/// The simulator's per-task hit counter for this family's record reads (GET /_sim/tasks `hits`).
let recordHitKey = family == .market ? "jobs-recordInfo" : "record-info"

func nowMs() -> Double { Date().timeIntervalSince1970 * 1000 }

func emit(_ object: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

func makeClient() -> KieClient {
    var config = ClientConfig(apiKey: apiKey)
    config.baseUrl = base
    config.rateLimit.requests = 0  // the simulator's generate limit is raised for every measure
    do { return try KieClient(config: config) } catch { die("client: \(error)") }
}

func bareHTTPClient(pool: Int) -> HTTPClient {
    // The same settings as the core's transport (HTTPTransport.init).
    var c = HTTPClient.Configuration()
    c.timeout = .init(connect: .seconds(10))
    c.redirectConfiguration = .disallow
    c.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: pool)
    c.decompression = .disabled
    // As the core: no no-op tracing span per request when no tracer is bootstrapped.
    if let tracer = c.tracing.tracer, String(reflecting: type(of: tracer)) == "Tracing.NoOpTracer" {
        c.tracing.tracer = nil
    }
    return HTTPClient(eventLoopGroup: NIOSingletons.posixEventLoopGroup, configuration: c)
}

func recordInfoRequest(_ taskId: String) -> HTTPClientRequest {
    var r = HTTPClientRequest(url: base + family.recordInfoPath + "?taskId=" + taskId)
    r.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
    r.headers.add(name: "Accept", value: "application/json")
    return r
}

/// Runs `inflight` loops of `op` for `seconds` after a one-second warm-up; returns completed ops.
func closedLoop(inflight: Int, seconds: Double, _ op: @escaping @Sendable () async throws -> Void) async -> (Int, Int, Double) {
    let start = nowMs()
    let warmEnd = start + 1000
    let end = warmEnd + seconds * 1000
    let results = await withTaskGroup(of: (Int, Int).self) { group in
        for _ in 0..<inflight {
            group.addTask {
                var n = 0, errors = 0
                while true {
                    let t = nowMs()
                    if t >= end { break }
                    do { try await op() } catch { errors += 1 }
                    if t >= warmEnd { n += 1 }
                }
                return (n, errors)
            }
        }
        var total = (0, 0)
        for await r in group { total.0 += r.0; total.1 += r.1 }
        return total
    }
    return (results.0, results.1, (nowMs() - warmEnd) / 1000)
}

// MARK: P1

/// Runs `make(i)` for i in 0..<count, 64 at a time, and returns what they made (in finishing order).
func made64(_ count: Int, _ make: @escaping @Sendable (Int) async -> String) async -> [String] {
    let next = Box(0)
    let ids = Box([String]())
    await withTaskGroup(of: Void.self) { group in
        for _ in 0..<64 {
            group.addTask {
                while true {
                    let i = next.with { n -> Int in n += 1; return n - 1 }
                    if i >= count { return }
                    let id = await make(i)
                    ids.with { $0.append(id) }
                }
            }
        }
    }
    return ids.with { $0 }
}

/// Creates `count` tasks with bare POSTs, 64 at a time; returns their ids.
func createTasks(_ count: Int, prompt: String) async -> [String] {
    let http = bareHTTPClient(pool: 64)
    let ids = await made64(count) { i in
        var r = HTTPClientRequest(url: base + family.generatePath)
        r.method = .POST
        r.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        r.headers.add(name: "Content-Type", value: "application/json")
        r.body = .bytes(ByteBuffer(string: requestBody(prompt: "\(prompt) \(i)")))
        guard let response = try? await http.execute(r, timeout: .seconds(30)),
              let body = try? await response.body.collect(upTo: 1 << 20),
              let json = try? JSON.parse(Array(body.readableBytesView)),
              let id = json["data"]?["taskId"]?.stringValue
        else { die("creating task \(i) failed") }
        return id
    }
    try? await http.shutdown()
    return ids
}

func p1() async {
    let mode = opt("mode")
    let inflight = optInt("inflight", 64)
    let seconds = Double(opts["seconds"] ?? "5") ?? 5
    // KieClient paces record-info per task (TaskPacer: >= 350 ms apart, the API's 3/s per task),
    // so one task cannot carry a throughput test: both modes cycle over --tasks finished tasks
    // (the simulator answers each from its cached final answer, as for wrk's single URL).
    var ids: [String]
    if family == .market && mode == "client" {
        ids = []  // created below through the client, so it knows their family
    } else if let file = opts["ids"] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { die("cannot read \(file)") }
        ids = text.split(separator: "\n").map(String.init)
    } else {
        ids = await createTasks(optInt("tasks", 20_000), prompt: "kie-bench p1")
    }
    guard !ids.isEmpty || (family == .market && mode == "client") else { die("no tasks") }
    let cursor = Box(0)
    @Sendable func nextId(_ ids: [String]) -> String { ids[cursor.with { c -> Int in c = (c + 1) % ids.count; return c }] }
    switch mode {
    case "client":
        let client = makeClient()
        if family == .market {
            ids = await createThroughClient(client, optInt("tasks", 10_000), prompt: "kie-bench p1")
            guard ids.count == optInt("tasks", 10_000), client.knownFamily(of: ids[0]) == .market else {
                die("creating Market tasks through the client failed")
            }
        }
        let ids = ids
        let (n, errors, elapsed) = await closedLoop(inflight: inflight, seconds: seconds) {
            let task = try await client.task(nextId(ids))
            let text = task.jsonText
            if text.isEmpty { throw CancellationError() }
        }
        await client.shutdown()
        emit(["mode": mode, "tasks": ids.count, "requests": n, "errors": errors, "seconds": elapsed, "rps": Double(n) / elapsed])
    case "bare":
        let http = bareHTTPClient(pool: inflight)
        let ids = ids
        let requests = ids.map(recordInfoRequest)
        let (n, errors, elapsed) = await closedLoop(inflight: inflight, seconds: seconds) {
            let request = requests[cursor.with { c -> Int in c = (c + 1) % requests.count; return c }]
            let response = try await http.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 16 << 20)
            if body.readableBytes == 0 { throw CancellationError() }
        }
        try? await http.shutdown()
        emit(["mode": mode, "tasks": ids.count, "requests": n, "errors": errors, "seconds": elapsed, "rps": Double(n) / elapsed])
    default:
        die("--mode must be client or bare")
    }
}

/// Creates `count` tasks through the client's own generate, 64 at a time (the client then knows
/// each one's family); returns their ids.
func createThroughClient(_ client: KieClient, _ count: Int, prompt: String) async -> [String] {
    await made64(count) { i in
        do {
            return try await client.generate(json: requestBody(prompt: "\(prompt) \(i)")).taskId
        } catch { die("creating task \(i) through the client failed: \(error)") }
    }
}

// MARK: P2

final class Box<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ v: T) { value = v }
    func with<R>(_ f: (inout T) -> R) -> R { lock.lock(); defer { lock.unlock() }; return f(&value) }
}

struct TaskResult: Sendable {
    var taskId = ""
    var submittedMs = 0.0
    var ourDoneMs: Double? = nil
    var ourError: String? = nil
    var fixedDoneMs: [Double?] = []
    var fixedCalls: [Int] = []
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let rank = p / 100 * Double(sorted.count - 1)
    let lo = Int(rank.rounded(.down)), hi = Int(rank.rounded(.up))
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - Double(lo))
}

/// The simulator's record of every task: exact creation and completion times and hit counts.
func simTasks() async throws -> [String: (created: Double, complete: Double, recordInfo: Int)] {
    let http = bareHTTPClient(pool: 1)
    let response = try await http.execute(HTTPClientRequest(url: base + "/_sim/tasks"), timeout: .seconds(60))
    let body = try await response.body.collect(upTo: 512 << 20)
    try await http.shutdown()
    let json = try JSON.parse(Array(body.readableBytesView))
    var out: [String: (Double, Double, Int)] = [:]
    for t in json["tasks"]?.arrayValue ?? [] {
        guard let id = t["taskId"]?.stringValue else { continue }
        out[id] = (t["createdAtMs"]?.doubleValue ?? .nan, t["completeAtMs"]?.doubleValue ?? .nan,
                   Int(t["hits"]?[recordHitKey]?.int64Value ?? 0))
    }
    return out
}

func p2() async {
    let count = optInt("tasks", 1000)
    let spreadMs = optInt("spread-ms", 3000)
    let intervals = (opts["intervals"] ?? "0.5,1,2,5").split(separator: ",").compactMap { Double($0) }
    let client = makeClient()
    // Fixed pollers get their own pool, large enough that they never queue behind each other.
    let http = bareHTTPClient(pool: 256)
    let results = Box([TaskResult](repeating: TaskResult(), count: count))
    let body = requestBody(prompt: "kie-bench polling")
    let validated: ValidatedRequest
    do { validated = try RequestValidator.validate(json: body) } catch { die("request: \(error)") }
    let started = nowMs()
    await withTaskGroup(of: Void.self) { group in
        for index in 0..<count {
            group.addTask {
                // Submissions spread evenly over `--spread-ms` (default 3 s): createTime is floored to
                // whole seconds, so a burst submitted within one instant would share one rounding
                // error and make the result depend on where in the second the batch started.
                try? await Task.sleep(for: .milliseconds(index * spreadMs / max(count, 1)))
                let submitted: KieClient.Submitted
                do { submitted = try await client.generate(validated) } catch {
                    results.with { $0[index].ourError = "submit: \(error)" }
                    return
                }
                let id = submitted.taskId
                results.with {
                    $0[index].taskId = id
                    $0[index].submittedMs = nowMs()
                    $0[index].fixedDoneMs = Array(repeating: nil, count: intervals.count)
                    $0[index].fixedCalls = Array(repeating: 0, count: intervals.count)
                }
                await withTaskGroup(of: Void.self) { pollers in
                    pollers.addTask {
                        do {
                            _ = try await client.wait(id, options: WaitOptions(poll: client.config.poll))
                            let t = nowMs()
                            results.with { $0[index].ourDoneMs = t }
                        } catch {
                            results.with { $0[index].ourError = "\(error)" }
                        }
                    }
                    for (k, interval) in intervals.enumerated() {
                        pollers.addTask {
                            // What a user writes: sleep, fetch, check, repeat.
                            let request = recordInfoRequest(id)
                            var calls = 0
                            while true {
                                try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
                                calls += 1
                                guard let response = try? await http.execute(request, timeout: .seconds(30)),
                                      let bytes = try? await response.body.collect(upTo: 1 << 20),
                                      let json = try? JSON.parse(Array(bytes.readableBytesView))
                                else { continue }
                                if isFinished(json["data"]) {
                                    let t = nowMs()
                                    results.with { $0[index].fixedDoneMs[k] = t; $0[index].fixedCalls[k] = calls }
                                    return
                                }
                                if calls > 100_000 { return }
                            }
                        }
                    }
                }
            }
        }
    }
    let wall = (nowMs() - started) / 1000
    await client.shutdown()
    try? await http.shutdown()
    let sim: [String: (created: Double, complete: Double, recordInfo: Int)]
    do { sim = try await simTasks() } catch { die("GET /_sim/tasks: \(error)") }
    let all = results.with { $0 }
    var durations: [Double] = []
    var ourDelays: [Double] = [], ourCalls: [Double] = []
    var fixedDelays = Array(repeating: [Double](), count: intervals.count)
    var fixedCalls = Array(repeating: [Double](), count: intervals.count)
    var errors: [String] = []
    for r in all {
        if let e = r.ourError { errors.append(e); continue }
        guard let s = sim[r.taskId], let done = r.ourDoneMs else { errors.append("no result for \(r.taskId)"); continue }
        durations.append(s.complete - s.created)
        ourDelays.append(done - s.complete)
        ourCalls.append(Double(s.recordInfo - r.fixedCalls.reduce(0, +)))
        for k in intervals.indices {
            if let d = r.fixedDoneMs[k] { fixedDelays[k].append(d - s.complete) }
            fixedCalls[k].append(Double(r.fixedCalls[k]))
        }
    }
    if let dump = opts["dump"] {
        // Per task: duration, our delay and calls, then each fixed poller's delay (ms).
        var lines = ["taskId,durationMs,ourDelayMs,ourCalls," + intervals.map { "fixed\($0)DelayMs" }.joined(separator: ",")]
        for r in all {
            guard let s = sim[r.taskId], let done = r.ourDoneMs else { continue }
            let fixedCols = r.fixedDoneMs.map { $0.map { String(Int($0 - s.complete)) } ?? "" }
            lines.append("\(r.taskId),\(Int(s.complete - s.created)),\(Int(done - s.complete)),\(s.recordInfo - r.fixedCalls.reduce(0, +)),"
                         + fixedCols.joined(separator: ","))
        }
        try? (lines.joined(separator: "\n") + "\n").write(toFile: dump, atomically: true, encoding: .utf8)
    }
    func summary(_ delays: [Double], _ calls: [Double]) -> [String: Any] {
        let d = delays.sorted()
        return ["n": d.count, "p50Ms": percentile(d, 50), "p99Ms": percentile(d, 99), "maxMs": d.last ?? .nan,
                "minMs": d.first ?? .nan, "callsPerTask": calls.reduce(0, +) / Double(max(calls.count, 1))]
    }
    var fixed: [[String: Any]] = []
    for k in intervals.indices {
        var s = summary(fixedDelays[k], fixedCalls[k])
        s["intervalS"] = intervals[k]
        fixed.append(s)
    }
    let ds = durations.sorted()
    emit([
        "tasks": count, "wallS": wall, "errors": errors.count, "firstErrors": Array(errors.prefix(3)),
        "durations": ["p5Ms": percentile(ds, 5), "p50Ms": percentile(ds, 50), "p95Ms": percentile(ds, 95),
                      "maxMs": ds.last ?? .nan],
        "ours": summary(ourDelays, ourCalls), "fixed": fixed,
    ])
}

/// What a user's fixed poller checks: 4o `successFlag` != 0; Market `state` success or fail.
func isFinished(_ data: JSONValue?) -> Bool {
    switch family {
    case .fourO: return (data?["successFlag"]?.int64Value).map { $0 != 0 } ?? false
    case .market: return ["success", "fail"].contains(data?["state"]?.stringValue ?? "")
    }
}

// MARK: P3 (Swift core)

func procStatus() -> (threads: Int, hwmKB: Int, rssKB: Int) {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0, 0) }
    var threads = 0, hwm = 0, rss = 0
    for line in text.split(separator: "\n") {
        let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count >= 2, let v = Int(parts[1]) else { continue }
        switch parts[0] {
        case "Threads:": threads = v
        case "VmHWM:": hwm = v
        case "VmRSS:": rss = v
        default: break
        }
    }
    return (threads, hwm, rss)
}

func p3() async {
    let count = optInt("tasks", 10_000)
    let client = makeClient()
    let body = #"{"prompt":"kie-bench scale","size":"1:1"}"#
    let validated: ValidatedRequest
    do { validated = try RequestValidator.validate(json: body) } catch { die("request: \(error)") }
    let waiting = Box(0), done = Box(0), failed = Box(0), peakThreads = Box(0), peakWaiting = Box(0)
    let sampler = Task {
        while !Task.isCancelled {
            let s = procStatus()
            let w = waiting.with { $0 }
            peakThreads.with { $0 = max($0, s.threads) }
            peakWaiting.with { $0 = max($0, w) }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
    let started = nowMs()
    await withTaskGroup(of: Void.self) { group in
        for _ in 0..<count {
            group.addTask {
                do {
                    let id = try await client.generate(validated).taskId
                    waiting.with { $0 += 1 }
                    _ = try await client.wait(id, options: WaitOptions(poll: client.config.poll))
                    waiting.with { $0 -= 1 }
                    done.with { $0 += 1 }
                } catch {
                    failed.with { $0 += 1 }
                }
            }
        }
    }
    sampler.cancel()
    let wall = (nowMs() - started) / 1000
    await client.shutdown()
    let s = procStatus()
    emit(["tasks": count, "done": done.with { $0 }, "failed": failed.with { $0 }, "peakConcurrentWaits": peakWaiting.with { $0 },
          "peakThreads": max(peakThreads.with { $0 }, s.threads), "peakRssKB": s.hwmKB, "wallS": wall])
}

switch command {
case "create":
    // kie-bench create --base URL --tasks N --out FILE: task ids, one a line (for p1 --ids FILE).
    let ids = await createTasks(optInt("tasks", 20_000), prompt: "kie-bench p1")
    do { try (ids.joined(separator: "\n") + "\n").write(toFile: opt("out"), atomically: true, encoding: .utf8) } catch { die("\(error)") }
    emit(["created": ids.count])
case "p1": await p1()
case "p2": await p2()
case "p3": await p3()
case "p2model": p2model()
default: die("unknown command \(command)")
}
