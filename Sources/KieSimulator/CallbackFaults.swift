// Callback faults (config `callbackFaults`): the ways a webhook goes wrong in the field — lost,
// late, duplicated, out of order, forged — on demand, so tests and benchmarks can drive each case.
// Callbacks are counted per rule (one per finished task with a callBackUrl) as request faults are.

/// `{"match": M, "action": A}`; `match` as for request faults (`nth`, `every`, `rate`+`seed`,
/// `count`; absent: every callback).
public struct CallbackFaultRule: Codable, Sendable, Equatable {
    public var match: FaultMatch?
    public var action: CallbackFaultAction

    public init(match: FaultMatch? = nil, action: CallbackFaultAction) {
        self.match = match
        self.action = action
    }

    func problems() -> [String] { (match?.problems() ?? []) + action.problems() }
}

/// What happens to a matching callback. The fields combine: e.g. `forge` with `lose` sends only
/// the forgery.
public struct CallbackFaultAction: Codable, Sendable, Equatable {
    /// The genuine deliveries are never sent (records in state `lost`): a poll must end the wait.
    public var lose: Bool?
    /// Sent once the simulator clock is `delayMs` past the moment the task ended (state `held`
    /// until then): moving the clock releases it, so a test orders callbacks without timing.
    public var delayMs: Int?
    /// Held until the next callback (any task) has gone out, then sent: the two arrive swapped.
    public var reorder: Bool?
    /// Extra deliveries of this callback, beyond `callbackDuplicates`.
    public var duplicates: Int?
    /// A forged copy, sent before the genuine one: `signature` (signed with a wrong key),
    /// `timestamp` (a correct signature over a timestamp `ageMs` old), `unknownTask` (correctly
    /// signed, for a task id the simulator never made) or `unsigned` (no signature headers).
    /// Without `webhookKey`, forgeries are signed with a key of their own.
    public var forge: String?
    /// Age of a `timestamp` forgery; default 600000 (10 minutes).
    public var ageMs: Int?

    static let forgeries = ["signature", "timestamp", "unknownTask", "unsigned"]

    func problems() -> [String] {
        var out: [String] = []
        let day = 86_400_000
        if let d = delayMs, !(0...day).contains(d) { out.append("callback delayMs must be within 0...86400000") }
        if let n = duplicates, !(0...100).contains(n) { out.append("callback duplicates must be within 0...100") }
        if let a = ageMs, !(0...(365 * day)).contains(a) { out.append("callback ageMs must be within 0...1 year") }
        if let f = forge, !Self.forgeries.contains(f) {
            out.append("callback forge must be one of \(Self.forgeries.joined(separator: ", "))")
        }
        if delayMs != nil && reorder == true { out.append("a callback fault takes delayMs or reorder, not both") }
        return out
    }
}

/// Decides, callback by callback, which rule fires (the first whose match hits). Kept under the
/// state lock.
struct CallbackFaultEngine: Sendable {
    private let rules: [CallbackFaultRule]
    private var counters: MatchCounters

    init(rules: [CallbackFaultRule]) {
        self.rules = rules
        counters = MatchCounters(rules.map(\.match))
    }

    mutating func decide() -> CallbackFaultAction? {
        var fired: CallbackFaultAction?
        for i in rules.indices where counters.count(i, rules[i].match) && fired == nil {
            fired = rules[i].action
        }
        return fired
    }
}

/// How one delivery is signed.
enum CallbackSigning: Sendable {
    /// With `webhookKey` when set, else unsigned: the genuine article.
    case configured
    case wrongKey
    /// A correct signature over a timestamp this many ms in the past.
    case aged(ms: Int)
    case unsigned

    init(forgery: String, ageMs: Int?) {
        switch forgery {
        case "signature": self = .wrongKey
        case "timestamp": self = .aged(ms: ageMs ?? 600_000)
        case "unsigned": self = .unsigned
        default: self = .configured
        }
    }
}

/// One POST to make: the record it reports to, the task id it signs, where, what and how.
struct CallbackDelivery: Sendable {
    var recordIndex: Int
    /// The id signed (a forgery's own for `unknownTask`), the callBackUrl as sent, the body.
    var taskId: String, url: String, body: String
    var signing: CallbackSigning
    var config: SimulatorConfig
}

/// Deliveries waiting: until the simulator clock reaches `dueAtMs`, or (nil) until the next
/// callback has gone out.
struct HeldCallbacks: Sendable {
    var dueAtMs: Int64?
    var deliveries: [CallbackDelivery]
}

extension StateData {
    /// Held deliveries whose time has come, in the order they were held.
    mutating func takeDueCallbacks(nowMs: Int64) -> [CallbackDelivery] {
        take { $0.dueAtMs.map { $0 <= nowMs } ?? false }
    }

    /// Deliveries held for the next callback.
    mutating func takeHeldForNext() -> [CallbackDelivery] {
        take { $0.dueAtMs == nil }
    }

    private mutating func take(_ which: (HeldCallbacks) -> Bool) -> [CallbackDelivery] {
        guard !heldCallbacks.isEmpty else { return [] }
        let out = heldCallbacks.filter(which).flatMap(\.deliveries)
        heldCallbacks.removeAll(where: which)
        for d in out where d.recordIndex < callbacks.count { callbacks[d.recordIndex].state = "pending" }
        return out
    }
}
