/// What happened to one attempt, as far as the failure policy cares.
enum AttemptFailure: Sendable, Hashable {
    /// Below HTTP (Transport/HTTPTransport.swift classifies it).
    case transport(TransportFailure.Kind)
    /// An envelope whose body code is not 200 (docs/kie-api.md §1).
    case code(Int)
    /// An HTTP status other than 200 without an envelope: a gateway's or a file host's page.
    case http(Int)
    /// HTTP 200 whose body is not what the endpoint sends: no envelope (malformed, truncated), or
    /// for a file an error page or an image cut short.
    case malformed
}

/// What a failed attempt means for the caller and for the library.
struct FailureVerdict: Sendable, Equatable {
    /// The status the caller is told.
    var status: KieStatus
    /// The error JSON's `retryable`: whether the caller may send the same call again.
    var retryable: Bool
    /// Whether the library sends it again (within RetryPolicy's attempts and the call's deadline).
    var retry: Bool
    /// Whether a task may exist, and be charged, after this attempt: the journal then holds the
    /// request as `unknown`, else as `rejected` (docs/journal.md).
    var charged: Bool
}

/// The one answer to "what does this failure mean" for every endpoint: the status and
/// `retryable` the caller sees, whether the library retries, whether a task may have been created
/// and charged, and so the journal state of a generate that failed. APICaller, the downloader and
/// the generate's journal ask it; RetryPolicy only schedules the retries it allows. Pure, and
/// table-tested over every code and transport failure (FailurePolicyTableTests).
enum FailurePolicy: Sendable, CaseIterable {
    /// generate (4o) and createTask (Market): no idempotency key exists, so once the request may
    /// have arrived a repeat could create and charge a second task; only answers that refused it
    /// before any task existed are retried.
    case createsTask
    /// A read by task id (record-info, recordInfo, 4o download-url): body code 422 means "no such
    /// record" there, not a bad request (docs/kie-api.md §11 rows 2-4, docs/kie-market-api.md §3c).
    case readsRecord
    /// Any other API call a repeat cannot double: credit, common download-url, uploads (a repeat
    /// overwrites the same name).
    case read
    /// A result file from the file host: no envelope, and a link that keeps failing is minted
    /// again (Files/Downloader.swift).
    case fileDownload

    func verdict(_ failure: AttemptFailure) -> FailureVerdict {
        if self == .fileDownload { return Self.fileVerdict(failure) }
        let (status, retryable) = Self.reported(failure, readsRecord: self == .readsRecord)
        guard self == .createsTask else {
            return FailureVerdict(status: status, retryable: retryable, retry: retryable, charged: false)
        }
        if Self.mayHaveArrivedUnanswered(failure) {
            return FailureVerdict(status: .unknownOutcome, retryable: false, retry: false, charged: true)
        }
        return FailureVerdict(
            status: status, retryable: retryable, retry: Self.refusedBeforeAnyTask(failure),
            charged: Self.mayHaveCreatedTask(status: status))
    }

    /// The journal state of a generate that ended with `error` after its intent was written.
    static func journalState(after error: KieError) -> JournalState {
        mayHaveCreatedTask(status: error.status) ? .unknown : .rejected
    }

    /// Whether a generate that ended with this status may have created (and charged) a task: only
    /// an answer that refused it proves nothing was created. A timeout (body code 408 too: kie
    /// stopped waiting, not refused), a cancellation, a local failure (IO, INTERNAL) or no usable
    /// answer proves nothing.
    static func mayHaveCreatedTask(status: KieStatus) -> Bool {
        switch status {
        case .unknownOutcome, .cancelled, .timeout, .internal, .io: true
        default: false
        }
    }

    /// Codes whose answer says the server is busy or failing, so the same call may succeed later.
    static func isRetryable(code: Int) -> Bool {
        switch code {
        case 408, 429, 455, 503: true
        case 501, 505: false
        default: (500...599).contains(code)
        }
    }

    /// An API call's status and `retryable` (a generate's, before the unknown-outcome rule).
    private static func reported(_ failure: AttemptFailure, readsRecord: Bool) -> (KieStatus, Bool) {
        switch failure {
        case .transport(.oversized):
            // Larger than any kie.ai answer: reading it again would not help.
            (.protocol, false)
        case .transport(.noAnswerInTime):
            (.timeout, true)
        case .transport:
            (.network, true)
        case .code(422) where readsRecord:
            (.notFound, false)
        case .code(let code):
            // A code the docs do not list is a protocol error, whatever its number.
            ErrorMapping.status(forCode: code).map { ($0, isRetryable(code: code)) } ?? (.protocol, false)
        case .http(let status):
            (ErrorMapping.status(forCode: status) ?? ((500...599).contains(status) ? .server : .protocol), isRetryable(code: status))
        case .malformed:
            (.protocol, true)
        }
    }

    /// A generate that got no usable answer: the server (or a gateway in front of it, whose 502 or
    /// 504 page says nothing of the origin) may have taken the request.
    private static func mayHaveArrivedUnanswered(_ failure: AttemptFailure) -> Bool {
        switch failure {
        case .transport(let kind): kind.sent
        case .http(let status): status >= 500 && status != 503
        case .malformed: true
        case .code: false
        }
    }

    /// Answers that say a generate was refused before any task existed: not sent, rate limited
    /// (dropped, not queued: docs/kie-api.md §7), or the service unavailable.
    private static func refusedBeforeAnyTask(_ failure: AttemptFailure) -> Bool {
        switch failure {
        case .transport(let kind): !kind.sent
        case .code(let code), .http(let code): [429, 455, 503, 550].contains(code)
        case .malformed: false
        }
    }

    /// A file host's answer: 404 is NOT_FOUND, any other status SERVER (not retryable by the
    /// caller: the link itself may be stale), retried by the library when the host is busy or
    /// failing; an error page or a cut image is retried.
    private static func fileVerdict(_ failure: AttemptFailure) -> FailureVerdict {
        switch failure {
        case .transport(let kind):
            let timedOut = kind == .notSentInTime || kind == .noAnswerInTime
            return FailureVerdict(status: timedOut ? .timeout : .network, retryable: true, retry: true, charged: false)
        case .http(let status), .code(let status):
            return FailureVerdict(
                status: status == 404 ? .notFound : .server, retryable: false, retry: status >= 500 || status == 429, charged: false)
        case .malformed:
            return FailureVerdict(status: .server, retryable: true, retry: true, charged: false)
        }
    }
}

/// A failed attempt: what happened, what it means, and the error that reports it (its status
/// and `retryable` are the verdict's).
struct FailedAttempt: Error, Sendable {
    var failure: AttemptFailure
    var verdict: FailureVerdict
    var error: KieError

    init(_ failure: AttemptFailure, policy: FailurePolicy, message: String, apiCode: Int? = nil, httpStatus: Int? = nil, raw: String? = nil) {
        self.failure = failure
        verdict = policy.verdict(failure)
        var field: String?
        if policy == .readsRecord, failure == .code(422), message == "url is wrong" {
            // 4o download-url: the URL is not one of the task's results, a bad argument rather than
            // a missing record (docs/kie-api.md §11 row 12).
            (verdict.status, field) = (.validation, "url")
        }
        error = KieError(verdict.status, message, apiCode: apiCode, httpStatus: httpStatus, retryable: verdict.retryable, raw: raw)
        error.field = field
    }
}
