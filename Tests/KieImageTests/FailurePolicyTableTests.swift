import Testing
@testable import KieImage

/// FailurePolicy (Policies/FailurePolicy.swift) over every failure an attempt can meet: each
/// transport failure kind, each body code kie documents, each HTTP status without an envelope (the
/// documented ones, and undocumented 4xx and 5xx), each listed once with the answer of every
/// endpoint class.
@Suite struct FailurePolicyTableTests {
    /// Columns: `FailurePolicy.allCases` (createsTask, readsRecord, read, fileDownload). A cell is
    /// the status the caller sees, then `r` when the error says retryable, `R` when the library
    /// retries, `$` when a task may exist and be charged (a generate's journal entry then reads
    /// `unknown`, else `rejected`). `-`: the endpoint never meets it (a file host sends no envelope,
    /// and a download has no answer size limit).
    static let table: [(AttemptFailure, [String])] = [
        (.transport(.notSent), ["NETWORK r R", "NETWORK r R", "NETWORK r R", "NETWORK r R"]),
        (.transport(.notSentInTime), ["NETWORK r R", "NETWORK r R", "NETWORK r R", "TIMEOUT r R"]),
        (.transport(.noAnswer), ["UNKNOWN_OUTCOME $", "NETWORK r R", "NETWORK r R", "NETWORK r R"]),
        (.transport(.noAnswerInTime), ["UNKNOWN_OUTCOME $", "TIMEOUT r R", "TIMEOUT r R", "TIMEOUT r R"]),
        (.transport(.oversized), ["UNKNOWN_OUTCOME $", "PROTOCOL", "PROTOCOL", "-"]),
        (.malformed, ["UNKNOWN_OUTCOME $", "PROTOCOL r R", "PROTOCOL r R", "SERVER r R"]),
        // Body codes (docs/kie-api.md §1).
        (.code(400), ["VALIDATION", "VALIDATION", "VALIDATION", "-"]),
        (.code(401), ["AUTH", "AUTH", "AUTH", "-"]),
        (.code(402), ["INSUFFICIENT_CREDITS", "INSUFFICIENT_CREDITS", "INSUFFICIENT_CREDITS", "-"]),
        (.code(404), ["NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "-"]),
        (.code(408), ["TIMEOUT r $", "TIMEOUT r R", "TIMEOUT r R", "-"]),
        (.code(422), ["VALIDATION", "NOT_FOUND", "VALIDATION", "-"]),
        (.code(429), ["RATE_LIMITED r R", "RATE_LIMITED r R", "RATE_LIMITED r R", "-"]),
        (.code(433), ["QUOTA", "QUOTA", "QUOTA", "-"]),
        (.code(451), ["SERVER", "SERVER", "SERVER", "-"]),
        (.code(455), ["UNAVAILABLE r R", "UNAVAILABLE r R", "UNAVAILABLE r R", "-"]),
        (.code(500), ["SERVER r", "SERVER r R", "SERVER r R", "-"]),
        (.code(501), ["SERVER", "SERVER", "SERVER", "-"]),
        (.code(503), ["UNAVAILABLE r R", "UNAVAILABLE r R", "UNAVAILABLE r R", "-"]),
        (.code(505), ["SERVER", "SERVER", "SERVER", "-"]),
        (.code(550), ["UNAVAILABLE r R", "UNAVAILABLE r R", "UNAVAILABLE r R", "-"]),
        (.code(418), ["PROTOCOL", "PROTOCOL", "PROTOCOL", "-"]),
        (.code(502), ["PROTOCOL", "PROTOCOL", "PROTOCOL", "-"]),
        // HTTP statuses without an envelope: a gateway's page, or the file host's answer.
        (.http(400), ["VALIDATION", "VALIDATION", "VALIDATION", "SERVER"]),
        (.http(401), ["AUTH", "AUTH", "AUTH", "SERVER"]),
        (.http(402), ["INSUFFICIENT_CREDITS", "INSUFFICIENT_CREDITS", "INSUFFICIENT_CREDITS", "SERVER"]),
        (.http(403), ["PROTOCOL", "PROTOCOL", "PROTOCOL", "SERVER"]),
        (.http(404), ["NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND"]),
        (.http(408), ["TIMEOUT r $", "TIMEOUT r R", "TIMEOUT r R", "SERVER"]),
        (.http(422), ["VALIDATION", "VALIDATION", "VALIDATION", "SERVER"]),
        (.http(429), ["RATE_LIMITED r R", "RATE_LIMITED r R", "RATE_LIMITED r R", "SERVER R"]),
        (.http(433), ["QUOTA", "QUOTA", "QUOTA", "SERVER"]),
        (.http(451), ["SERVER", "SERVER", "SERVER", "SERVER"]),
        (.http(455), ["UNAVAILABLE r R", "UNAVAILABLE r R", "UNAVAILABLE r R", "SERVER"]),
        (.http(500), ["UNKNOWN_OUTCOME $", "SERVER r R", "SERVER r R", "SERVER R"]),
        (.http(501), ["UNKNOWN_OUTCOME $", "SERVER", "SERVER", "SERVER R"]),
        (.http(502), ["UNKNOWN_OUTCOME $", "SERVER r R", "SERVER r R", "SERVER R"]),
        (.http(503), ["UNAVAILABLE r R", "UNAVAILABLE r R", "UNAVAILABLE r R", "SERVER R"]),
        (.http(504), ["UNKNOWN_OUTCOME $", "SERVER r R", "SERVER r R", "SERVER R"]),
        (.http(505), ["UNKNOWN_OUTCOME $", "SERVER", "SERVER", "SERVER R"]),
        (.http(550), ["UNKNOWN_OUTCOME $", "UNAVAILABLE r R", "UNAVAILABLE r R", "SERVER R"]),
    ]

    /// Codes kie does not document, one of each kind the policy tells apart.
    static let undocumentedCodes = [418, 502]
    static let undocumentedStatuses = [403, 502, 504]

    static var everyFailure: [AttemptFailure] {
        let documented = ErrorMapping.codes.map(\.code).filter { $0 != 200 }
        return TransportFailure.Kind.allCases.map { .transport($0) } + [.malformed]
            + (documented + undocumentedCodes).map { .code($0) } + (documented + undocumentedStatuses).map { .http($0) }
    }

    static func cell(_ v: FailureVerdict) -> String {
        v.status.name + (v.retryable ? " r" : "") + (v.retry ? " R" : "") + (v.charged ? " $" : "")
    }

    @Test func theTableListsEveryFailureOnceWithACellPerEndpointClass() {
        let listed = Self.table.map(\.0)
        #expect(Set(listed).count == listed.count, "a failure is listed twice")
        for failure in Self.everyFailure where !listed.contains(failure) { Issue.record("\(failure) is missing from the table") }
        for failure in listed where !Self.everyFailure.contains(failure) { Issue.record("\(failure) is not a failure the policy meets") }
        for (failure, cells) in Self.table {
            #expect(cells.count == FailurePolicy.allCases.count, "\(failure) needs one cell per endpoint class")
        }
    }

    @Test func everyEndpointClassAnswersAsTheTableSays() {
        for (failure, cells) in Self.table {
            for (policy, expected) in zip(FailurePolicy.allCases, cells) where expected != "-" {
                #expect(Self.cell(policy.verdict(failure)) == expected, "\(failure) on \(policy)")
            }
        }
    }

    /// The error an attempt reports carries the verdict, and a generate's journal state follows
    /// whether a task may exist.
    @Test func aFailedGenerateIsJournaledUnknownExactlyWhenATaskMayExist() {
        for (failure, _) in Self.table {
            let attempt = FailedAttempt(failure, policy: .createsTask, message: "m")
            #expect(attempt.error.status == attempt.verdict.status && attempt.error.retryable == attempt.verdict.retryable)
            #expect(FailurePolicy.journalState(after: attempt.error) == (attempt.verdict.charged ? .unknown : .rejected), "\(failure)")
        }
    }

    /// Every status a generate can end with (a cancellation or a local failure too), and the
    /// journal state it leaves.
    static let journalStates: [KieStatus: JournalState] = [
        .ok: .rejected, .invalidArgument: .rejected, .validation: .rejected, .auth: .rejected,
        .insufficientCredits: .rejected, .notFound: .rejected, .rateLimited: .rejected, .unavailable: .rejected,
        .server: .rejected, .network: .rejected, .timeout: .unknown, .unknownOutcome: .unknown,
        .taskFailed: .rejected, .cancelled: .unknown, .protocol: .rejected, .signature: .rejected, .io: .unknown,
        .internal: .unknown, .quota: .rejected, .ledger: .rejected, .budget: .rejected,
    ]

    @Test func everyStatusHasAJournalState() {
        for status in KieStatus.allCases {
            guard let expected = Self.journalStates[status] else {
                Issue.record("\(status.name) is missing from journalStates")
                continue
            }
            #expect(FailurePolicy.journalState(after: KieError(status, "m")) == expected, "\(status.name)")
        }
    }

    /// An answer becomes the failure the table lists: a body code, a status without an envelope,
    /// or a 200 that is no envelope.
    @Test func answersBecomeTheFailuresOfTheTable() throws {
        let page = Array("<html>bad gateway</html>".utf8)
        let cases: [(HTTPAnswer, AttemptFailure)] = [
            (HTTPAnswer(status: 200, body: Array(#"{"code":422,"msg":"no record","data":null}"#.utf8)), .code(422)),
            (HTTPAnswer(status: 502, body: Array(#"{"code":429,"msg":"slow down"}"#.utf8)), .code(429)),
            (HTTPAnswer(status: 502, body: page), .http(502)),
            (HTTPAnswer(status: 200, body: page), .malformed),
            (HTTPAnswer(status: 200, body: Array(#"{"code":200,"msg":"ok","data":{"taskId":"#.utf8)), .malformed),
        ]
        for (answer, failure) in cases {
            for policy in FailurePolicy.allCases where policy != .fileDownload {
                guard case .failure(let f) = ErrorMapping.decode(answer, policy: policy, redact: { $0 }) else {
                    Issue.record("\(failure) decoded as an envelope")
                    continue
                }
                #expect(f.failure == failure && f.verdict == policy.verdict(failure), "\(failure) on \(policy)")
            }
        }
        #expect(try ErrorMapping.decode(HTTPAnswer(status: 200, body: Array(#"{"code":200,"msg":"","data":7}"#.utf8)), redact: { $0 }).data == 7)
    }
}
