import Crypto

// Every generate (4o) and createTask (Market) the simulator admits, with its arrival time, so
// tests judge the rate limit where kie judges it: at the server (`GET /_sim/stats`).

/// One admitted generate or createTask.
public struct GenerateRecord: Sendable, Codable, Equatable {
    /// Arrival on the simulator clock, ms since the epoch: the instant the limit judged.
    public var at: Int64
    public var taskId: String
    /// `4o` (gpt4o-image/generate) or `market` (jobs/createTask).
    public var family: String
    /// The account, as `Simulator.keyId(apiKey)`: never the key itself.
    public var key: String
}

/// One account's generates.
public struct KeyStats: Sendable, Codable, Equatable {
    /// Admitted generate and createTask requests.
    public var generates: Int
    /// Refused by the account's window (answered 429).
    public var rejected429: Int
    /// The most admitted requests in any window of `generateLimit.perMs` (ending at an arrival,
    /// the start excluded, as the limiter counts).
    public var maxInWindow: Int
}

struct GenerateLog: Sendable {
    /// Records kept; `total` goes on counting past it.
    static let capacity = 100_000
    var records: [GenerateRecord] = []
    var total = 0
    var admittedByKey: [String: Int] = [:]
    var rejectedByKey: [String: Int] = [:]

    mutating func admitted(taskId: String, family: String, apiKey: String, atMs: Int64) {
        let key = Simulator.keyId(apiKey)
        total += 1
        admittedByKey[key, default: 0] += 1
        if records.count < Self.capacity {
            records.append(GenerateRecord(at: atMs, taskId: taskId, family: family, key: key))
        }
    }

    mutating func rejected(apiKey: String) {
        rejectedByKey[Simulator.keyId(apiKey), default: 0] += 1
    }

    func byKey(windowMs: Int64) -> [String: KeyStats] {
        var times: [String: [Int64]] = [:]
        for r in records { times[r.key, default: []].append(r.at) }
        var out: [String: KeyStats] = [:]
        for key in Set(admittedByKey.keys).union(rejectedByKey.keys) {
            out[key] = KeyStats(
                generates: admittedByKey[key] ?? 0, rejected429: rejectedByKey[key] ?? 0,
                maxInWindow: Self.maxInWindow(times[key] ?? [], windowMs: windowMs))
        }
        return out
    }

    /// The most of `times` within any `(t - windowMs, t]`; with no window (0), all of them.
    static func maxInWindow(_ times: [Int64], windowMs: Int64) -> Int {
        guard windowMs > 0 else { return times.count }
        let sorted = times.sorted()
        var best = 0
        var start = 0
        for (end, t) in sorted.enumerated() {
            while sorted[start] <= t - windowMs { start += 1 }
            best = max(best, end - start + 1)
        }
        return best
    }
}

extension Simulator {
    /// How `/_sim/stats` names an account: `key-` and 16 hex digits of the key's SHA-256.
    public static func keyId(_ apiKey: String) -> String {
        "key-" + SHA256.hash(data: Array(apiKey.utf8)).prefix(8).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

extension StateData {
    /// Counts an admitted generate or createTask.
    mutating func logGenerate(taskId: String, family: String, apiKey: String, atMs: Int64) {
        generateAccepted += 1
        generateLog.admitted(taskId: taskId, family: family, apiKey: apiKey, atMs: atMs)
    }
}
