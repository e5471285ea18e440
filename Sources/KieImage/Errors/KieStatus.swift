/// The contract's status codes (docs/c-api.md). Raw values are the C ABI's `kie_status` numbers.
public enum KieStatus: Int32, Sendable, CaseIterable {
    case ok = 0
    case invalidArgument = -1
    case validation = -2
    case auth = -3
    case insufficientCredits = -4
    case notFound = -5
    case rateLimited = -6
    case unavailable = -7
    case server = -8
    case network = -9
    case timeout = -10
    case unknownOutcome = -11
    case taskFailed = -12
    case cancelled = -13
    case `protocol` = -14
    case signature = -15
    case io = -16
    case `internal` = -17
    /// Body code 433: the API key's own usage cap is used up (docs/kie-api.md §11).
    case quota = -18
    /// The shared ledger is unreachable, not migrated or refusing: nothing was sent (docs/ledger.md).
    case ledger = -19
    /// The generate's price would take the client's spend above `maxCredits` (docs/c-api.md).
    case budget = -20

    /// Name used in detail JSON (`"name": "RATE_LIMITED"`).
    public var name: String {
        switch self {
        case .ok: "OK"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .validation: "VALIDATION"
        case .auth: "AUTH"
        case .insufficientCredits: "INSUFFICIENT_CREDITS"
        case .notFound: "NOT_FOUND"
        case .rateLimited: "RATE_LIMITED"
        case .unavailable: "UNAVAILABLE"
        case .server: "SERVER"
        case .network: "NETWORK"
        case .timeout: "TIMEOUT"
        case .unknownOutcome: "UNKNOWN_OUTCOME"
        case .taskFailed: "TASK_FAILED"
        case .cancelled: "CANCELLED"
        case .protocol: "PROTOCOL"
        case .signature: "SIGNATURE"
        case .io: "IO"
        case .internal: "INTERNAL"
        case .quota: "QUOTA"
        case .ledger: "LEDGER"
        case .budget: "BUDGET"
        }
    }

    /// Static English text for `kie_status_str`.
    public var text: StaticString {
        switch self {
        case .ok: "ok"
        case .invalidArgument: "invalid argument"
        case .validation: "request failed validation"
        case .auth: "authentication failed"
        case .insufficientCredits: "insufficient credits"
        case .notFound: "not found"
        case .rateLimited: "rate limited"
        case .unavailable: "service unavailable"
        case .server: "server error"
        case .network: "network error: the request did not reach the server"
        case .timeout: "deadline exceeded"
        case .unknownOutcome: "unknown outcome: the request may have been accepted"
        case .taskFailed: "task failed"
        case .cancelled: "cancelled"
        case .protocol: "unexpected answer from the server"
        case .signature: "webhook signature invalid"
        case .io: "local file error"
        case .internal: "internal error"
        case .quota: "the API key's usage limit is used up"
        case .ledger: "the shared ledger is unavailable: nothing was sent"
        case .budget: "the generate would pass the client's credit budget (maxCredits)"
        }
    }
}
