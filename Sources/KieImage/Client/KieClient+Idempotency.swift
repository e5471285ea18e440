import FoundationEssentials

/// The answer of a generate whose idempotency key names an earlier generate's row (API.md §7.2
/// as docs/ledger.md, "Idempotency keys", tells it): nothing is sent; the first one's task id,
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

    /// The error the first generate recorded in its row's detail, as this one's.
    private static func firstError(_ row: LedgerRow, fallback: KieStatus, _ prefix: String) -> KieError {
        let detail = row.detail.flatMap { try? JSON.parse($0) } ?? .null
        let status = detail["status"]?.int64Value.flatMap { KieStatus(rawValue: Int32(truncatingIfNeeded: $0)) } ?? fallback
        var e = KieError(status, "\(prefix): \(detail["message"]?.stringValue ?? "no detail recorded")")
        e.apiCode = detail["apiCode"]?.int64Value.map { Int(truncatingIfNeeded: $0) }
        e.httpStatus = detail["httpStatus"]?.int64Value.map { Int(truncatingIfNeeded: $0) }
        e.field = detail["field"]?.stringValue
        e.taskId = row.taskId
        return e
    }
}

/// A generate whose idempotency key's row is in flight in another process, for a caller that
/// asked not to wait for it (`ValidatedRequest.waitsForClaimedWork` false): nothing was sent.
public struct ClaimedElsewhere: Error, Sendable {
    public let row: LedgerRow
}
