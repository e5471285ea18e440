extension KieClient {
    func requireJournal() throws(KieError) -> TaskJournal {
        guard let journal else { throw KieError.invalidArgument("the client has no journal: set journalPath", field: "journalPath") }
        return journal
    }

    /// Every work item in the journal, latest state of each.
    public func journalEntries() throws(KieError) -> [JournalEntry] { try requireJournal().entries() }

    /// What a resume does with each work item under the caller's choices (`ResumeAction.decide`).
    /// `entries` narrows the plan to those items: a caller that sends the same work again under
    /// a new item, as `kie-image batch` does per line, passes the latest item of each piece of
    /// work; by default the plan covers every item. With `resubmitUnknown`, the unknown items are
    /// abandoned (durably) before it returns, so submitting them again is the caller's next step.
    public func resumePlan(_ options: ResumeOptions, entries: [JournalEntry]? = nil) throws(KieError) -> ResumePlan {
        let journal = try requireJournal()
        var plan = ResumePlan(entries: entries ?? journal.entries(), options: options)
        for i in plan.steps.indices where plan.steps[i].action == .submit && plan.steps[i].entry.state == .unknown {
            plan.steps[i].entry = try journal.resolve(plan.steps[i].entry.id, taskId: nil)
        }
        return plan
    }

    /// The plan with no choice but `download` (kie_resume's): its `resume` holds every `submitted`
    /// item, and with `download` every `succeeded` one whose files were not saved yet; its
    /// `unknown` the unknown outcomes, which are never resubmitted.
    public func resumePlan(download: Bool) throws(KieError) -> ResumePlan {
        try resumePlan(ResumeOptions(download: download))
    }

    /// Settles an unknown entry: the task id found in kie's logs (resumed by the next resume),
    /// or nil to abandon it (the caller may submit the work again).
    @discardableResult
    public func resolve(_ id: String, taskId: String?) throws(KieError) -> JournalEntry {
        if let taskId { try Self.checkTaskId(taskId) }
        return try requireJournal().resolve(id, taskId: taskId)
    }

    /// Settles an unknown entry with a task found in kie's logs, as `resolve` does, after reading
    /// the task: one made for another request (a mistyped id) is refused with field `task_id`,
    /// so the work is neither attached to a stranger's task nor paid twice.
    @discardableResult
    public func adopt(_ id: String, taskId: String) async throws -> JournalEntry {
        try Self.checkTaskId(taskId)
        let journal = try requireJournal()
        if let entry = journal.entry(id: id), entry.state == .unknown, !entry.request.isNull,
           let field = Self.mismatch(try await task(taskId).request, entry.request) {
            throw KieError.invalidArgument(
                "that task was made for another request (its \(field) differs from the one this work item sent)", field: "task_id")
        }
        return try resolve(id, taskId: taskId)
    }

    /// The first field of a task's request (its record's paramJson / param) that differs from
    /// the body sent; nil when they agree or the task carries no request to compare.
    static func mismatch(_ taskRequest: JSONValue, _ body: JSONValue) -> String? {
        if let theirs = taskRequest["model"]?.stringValue, theirs != (body["model"]?.stringValue ?? "") { return "model" }
        let theirs = taskRequest["input"] ?? taskRequest, ours = body["input"] ?? body
        for key in ["prompt", "size", "aspect_ratio"] {
            if let value = theirs[key]?.stringValue, value != (ours[key]?.stringValue ?? "") { return key }
        }
        return nil
    }

    /// The caller's tag of a task in the journal, for its events.
    public func tag(ofTask taskId: String) -> String? { journal?.entry(taskId: taskId)?.tag }
}
