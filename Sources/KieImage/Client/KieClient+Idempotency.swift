import FoundationEssentials

/// The answer of a generate whose idempotency key names an earlier generate's row (docs/ledger.md,
/// "Idempotency keys"), or an earlier entry of the journal: nothing is sent; the first one's task id,
/// or its `rejected`/`unknown` state as the status it had. A row still in flight in another
/// process is waited for (the ledger's notifications wake the wait; it also re-reads the row).
extension KieClient {
    func answer(of found: LedgerRow, ledger: Ledger, validated: ValidatedRequest) async throws -> Submitted {
        var row = found
        if !validated.waitsForClaimedWork, row.state == .intent || row.state == .sending { throw ClaimedElsewhere(row: row) }
        while row.state == .intent || row.state == .sending {
            try await Task.sleep(for: .milliseconds(Self.inFlightRowReadMs))
            guard let again = try await ledger.row(id: row.id) else { break }
            row = again
        }
        let key = validated.idempotencyKey ?? ""
        switch row.state {
        case .submitted, .succeeded, .failed, .downloaded:
            guard let taskId = row.taskId else { break }
            if let f = TaskFamily(rawValue: row.family) { noteFamily(taskId, f) }
            var answer = Submitted(taskId: taskId, family: row.family, tag: row.tag, journalId: row.id, warnings: validated.warnings)
            answer.existing = true
            return answer
        case .rejected:
            throw Self.firstError(row, fallback: .validation, "the first generate with idempotency key '\(key)' was refused")
        case .unknown:
            var e = Self.firstError(row, fallback: .unknownOutcome, "the first generate with idempotency key '\(key)' got no usable answer")
            e.status = .unknownOutcome
            e.message = "the first generate with idempotency key '\(key)' (ledger row \(row.id)) was sent but no usable answer came back; its task may exist: resolve the row (kie_journal_resolve) before sending it again"
            throw e
        case .abandoned, .intent, .sending:
            break
        }
        // Abandoned meanwhile (nothing was sent): this generate may send it after all.
        return try await sendOnLedger(ledger, validated, tag: validated.tag, price: price(of: validated))
    }

    static let inFlightRowReadMs: Int64 = 200

    /// The error the first generate recorded in its row's detail (KieError JSON), as this one's.
    static func firstError(_ detail: JSONValue, taskId: String?, fallback: KieStatus, _ prefix: String) -> KieError {
        let status = detail["status"]?.int64Value.flatMap { KieStatus(rawValue: Int32(truncatingIfNeeded: $0)) } ?? fallback
        var e = KieError(status, "\(prefix): \(detail["message"]?.stringValue ?? detail.stringValue ?? "no detail recorded")")
        e.apiCode = detail["apiCode"]?.int64Value.map { Int(truncatingIfNeeded: $0) }
        e.httpStatus = detail["httpStatus"]?.int64Value.map { Int(truncatingIfNeeded: $0) }
        e.field = detail["field"]?.stringValue
        e.taskId = taskId
        return e
    }

    private static func firstError(_ row: LedgerRow, fallback: KieStatus, _ prefix: String) -> KieError {
        firstError(row.detail.flatMap { try? JSON.parse($0) } ?? .null, taskId: row.taskId, fallback: fallback, prefix)
    }

    // MARK: without a ledger: the journal, or this client's memory

    /// A generate with an idempotency key and no ledger: the first one's answer when the journal
    /// (or, without one, this client) holds a generate with the key; else it is sent. Calls with
    /// one key in this process take turns, so two at once send it once.
    func sendOnce(key: String, _ validated: ValidatedRequest, tag: String?, price: Double?) async throws -> Submitted {
        while !keysInFlight.withLock({ $0.insert(key).inserted }) { try await Task.sleep(for: .milliseconds(20)) }
        defer { keysInFlight.withLock { _ = $0.remove(key) } }
        if let first = journal?.entry(idempotencyKey: key) { return try Self.answer(of: first, key: key, warnings: validated.warnings) }
        if journal == nil, let remembered = keyAnswers.withLock({ $0[key] }) {
            var answer = try remembered.get()
            answer.existing = true
            return answer
        }
        let result: Result<Submitted, KieError>
        do { result = .success(try await sendNow(validated, tag: tag, price: price)) } catch { result = .failure(KieError.wrap(error)) }
        if journal == nil {
            keyAnswers.withLock { map in
                if map.count >= Self.keyAnswersCapacity { map.removeAll() }
                map[key] = result
            }
        }
        return try result.get()
    }

    static let keyAnswersCapacity = 10_000

    /// A journal entry with the key as this generate's answer.
    static func answer(of e: JournalEntry, key: String, warnings: [String]) throws -> Submitted {
        switch e.state {
        case .submitted, .succeeded, .failed, .downloaded:
            guard let taskId = e.taskId else { break }
            var answer = Submitted(taskId: taskId, family: e.family, tag: e.tag, journalId: e.id, warnings: warnings)
            answer.existing = true
            return answer
        case .rejected:
            throw firstError(e.detail, taskId: nil, fallback: .validation, "the first generate with idempotency key '\(key)' was refused")
        case .unknown, .intent, .abandoned:
            break
        }
        throw KieError(.unknownOutcome, "the first generate with idempotency key '\(key)' (journal entry \(e.id)) was sent but no usable answer came back; its task may exist: resolve the entry (kie_journal_resolve) before sending it again")
    }
}

/// A generate whose idempotency key's row is in flight in another process, for a caller that
/// asked not to wait for it (`ValidatedRequest.waitsForClaimedWork` false): nothing was sent.
public struct ClaimedElsewhere: Error, Sendable {
    public let row: LedgerRow
}
