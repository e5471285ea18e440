import FoundationEssentials

/// The journal surface of §6.4 for either store: the file journal (one process) or the shared
/// ledger (every process of the account; docs/ledger.md, "Journal, resume and resolve"). The C
/// ABI, the CLI and the bindings call these; the journal-only synchronous forms stay for callers
/// that hold a file journal.
extension KieClient {
    /// Every work item, latest state of each, oldest first.
    public func workItems() async throws -> [JournalEntry] {
        guard let ledger else { return try journalEntries() }
        return try await ledger.list().map(JournalEntry.init(ledgerRow:))
    }

    /// What a resume does (kie_resume). With a ledger, first settles the rows of owners whose lease
    /// ended (`sending` -> `unknown`, `intent` -> `abandoned`) and takes over their `submitted`
    /// rows, each by exactly one process: the plan's `resume` holds those (this process waits for
    /// them now); `unknown` every unknown row of the account.
    public func resumeWork(download: Bool) async throws -> ResumePlan {
        guard let ledger else { return try resumePlan(download: download) }
        leases?.start()
        _ = try await ledger.reapExpired()
        // With a download, also the dead owners' `succeeded` rows: their files were not all saved.
        let taken = try await ledger.takeOverSubmitted(limit: Self.takeOverBatch, succeeded: download)
        for row in taken {
            if let taskId = row.taskId, let family = TaskFamily(rawValue: row.family) { noteFamily(taskId, family) }
        }
        let unknown = try await ledger.list().filter { $0.state == .unknown }
        return ResumePlan(entries: (taken + unknown).map(JournalEntry.init(ledgerRow:)), options: ResumeOptions(download: download))
    }

    static let takeOverBatch = 1_000

    /// For a batch on several hosts (docs/ledger.md, "Batches on several hosts"): settles dead
    /// owners' rows and takes over the `submitted` (and not yet downloaded `succeeded`) rows whose idempotency key starts with
    /// `keyPrefix`, each by exactly one process; returns them to wait for. Nil without a ledger.
    public func takeOverWork(keyPrefix: String) async throws -> [JournalEntry]? {
        guard let ledger else { return nil }
        leases?.start()
        _ = try await ledger.reapExpired()
        // A batch downloads: its dead workers' `succeeded` lines (killed mid-download) too.
        let taken = try await ledger.takeOverSubmitted(limit: Self.takeOverBatch, keyPrefix: keyPrefix, succeeded: true)
        for row in taken {
            if let taskId = row.taskId, let family = TaskFamily(rawValue: row.family) { noteFamily(taskId, family) }
        }
        return taken.map(JournalEntry.init(ledgerRow:))
    }

    /// Settles an unknown work item (kie_journal_resolve): a task id found in kie's logs, or nil
    /// to abandon it. Resolving the same way twice is fine.
    @discardableResult
    public func resolveWork(_ id: String, taskId: String?) async throws -> JournalEntry {
        guard let ledger else { return try resolve(id, taskId: taskId) }
        if let taskId { try Self.checkTaskId(taskId) }
        guard let row = try await ledger.row(id: id) else { throw KieError(.notFound, "no work item \(id) in the ledger") }
        if row.state != .unknown {
            let same = taskId == nil ? row.state == .abandoned && row.taskId == nil : row.taskId == taskId
            guard same else {
                throw KieError.invalidArgument("work item \(id) is \(row.state.rawValue), not unknown", field: "id")
            }
            return JournalEntry(ledgerRow: row)
        }
        if let taskId, let other = try await ledger.row(taskId: taskId), other.id != id {
            throw KieError.invalidArgument("task \(taskId) belongs to work item \(other.id)", field: "task_id")
        }
        try await ledger.resolve(id: id, taskId: taskId)
        return try await ledger.row(id: id).map(JournalEntry.init(ledgerRow:)) ?? JournalEntry(ledgerRow: row)
    }

    /// Records a task's end in the ledger (any process may: the end was confirmed by a read of
    /// kie), logging a failure: the outcome stands, and a later resume only reads it again.
    func recordEndInLedger(_ taskId: String, _ state: LedgerState, detail: JSONValue, credits: Double? = nil) async {
        guard let ledger else { return }
        do {
            try await ledger.recordEnd(taskId: taskId, state: state, detail: detail.isNull ? nil : JSON.serialize(detail), credits: credits)
        } catch {
            logger.warning("ledger: could not record the end of the task", metadata: ["taskId": "\(taskId)", "reason": "\(error.message)"])
        }
    }
}

extension JournalEntry {
    /// A ledger row as §6.4's journal entry (`sending` reads `intent`: an unsettled send).
    public init(ledgerRow row: LedgerRow) {
        let request = (try? JSON.parse(row.request)) ?? .null
        let detail = row.detail.flatMap { try? JSON.parse($0) } ?? .null
        self.init(id: row.id, tag: row.tag, family: row.family, state: row.state.journalState, taskId: row.taskId,
                  request: request, time: row.updatedAtMs, sentAt: nil, detail: detail)
    }
}
