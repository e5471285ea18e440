extension KieClient {
    /// What a resume does with the journal: wait for (and download) these entries' tasks, and
    /// report these unknown outcomes to the caller, who alone can settle them (docs/journal.md).
    public struct ResumePlan: Sendable {
        public var resume: [JournalEntry]
        public var unknown: [JournalEntry]
    }

    func requireJournal() throws(KieError) -> TaskJournal {
        guard let journal else { throw KieError.invalidArgument("the client has no journal: set journalPath", field: "journalPath") }
        return journal
    }

    /// Every work item in the journal, latest state of each.
    public func journalEntries() throws(KieError) -> [JournalEntry] { try requireJournal().entries() }

    /// Entries to resume: every `submitted` one, and with `download` every `succeeded` one whose
    /// files were not saved yet; plus the `unknown` ones, which are never resubmitted.
    public func resumePlan(download: Bool) throws(KieError) -> ResumePlan {
        let entries = try requireJournal().entries()
        return ResumePlan(
            resume: entries.filter { $0.taskId != nil && ($0.state == .submitted || (download && $0.state == .succeeded)) },
            unknown: entries.filter { $0.state == .unknown })
    }

    /// Settles an unknown entry: the task id found in kie's logs (resumed by the next resume),
    /// or nil to abandon it (the caller may submit the work again).
    @discardableResult
    public func resolve(_ id: String, taskId: String?) throws(KieError) -> JournalEntry {
        if let taskId { try Self.checkTaskId(taskId) }
        return try requireJournal().resolve(id, taskId: taskId)
    }

    /// The caller's tag of a task in the journal, for its events.
    public func tag(ofTask taskId: String) -> String? { journal?.entry(taskId: taskId)?.tag }
}
