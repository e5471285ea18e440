import FoundationEssentials

/// Delivered callbacks with a shared ledger (docs/webhooks.md, "Several processes"): the end is
/// recorded in the task's row with kie's record, so waits in every process of the account take
/// it without reading kie again; a callback whose `kie_lid` names a row left `unknown` (its
/// generate's answer was lost) settles that row with the task id first.
extension KieClient {
    /// The end a process of the account recorded for `taskId` with its record, or nil.
    func ledgerRecordedEnd(_ taskId: String, in ledger: Ledger) async throws -> (task: KieTask?, ended: Bool) {
        guard let row = try await ledger.row(taskId: taskId), [.succeeded, .failed, .downloaded].contains(row.state) else { return (nil, false) }
        return (LedgerWakeups.recordedTask(row), true)
    }

    /// Records a confirmed end in the ledger once; true when this delivery moved the row.
    /// The ledger first, then this process's waits (a woken wait records the end too, and must not
    /// get there first: this delivery would read as a duplicate).
    func recordDelivered(_ task: KieTask, target: String?, ledger: Ledger) async -> Bool {
        let moved: Bool?
        do {
            try await settleUnknownRow(of: task, target: target, ledger: ledger)
            moved = try await ledger.recordEnd(taskId: task.taskId, state: task.isSuccess ? .succeeded : .failed,
                                               detail: JSON.serialize(Self.endDetail(task)), credits: task.creditsConsumed)
        } catch {
            logger.warning("ledger: could not record a delivered callback", metadata: ["taskId": "\(task.taskId)", "reason": "\(error.message)"])
            moved = nil
        }
        let first = mailbox.post(task)
        if first { noteCharged(task) }
        guard let moved else { return first }
        if moved { learnDuration(task) }
        return moved
    }

    /// The row named by `kie_lid` (in the `callBackUrl` kie echoes in the record, which the
    /// confirming read returned, else in the receiver's request target), when it is `unknown`
    /// and its request is the task's: `submitted` with the task id.
    private func settleUnknownRow(of task: KieTask, target: String?, ledger: Ledger) async throws(KieError) {
        guard let lid = CallbackLink.rowId(in: task.request["callBackUrl"]?.stringValue) ?? CallbackLink.rowId(in: target),
              let row = try await ledger.row(id: lid), row.state == .unknown, row.taskId == nil else { return }
        let sent = (try? JSON.parse(row.request)) ?? .null
        if let field = Self.mismatch(task.request, sent) {
            logger.warning("ledger: a callback names an unknown row made for another request", metadata: ["row": "\(lid)", "field": "\(field)"])
            return
        }
        if try await ledger.resolve(id: lid, taskId: task.taskId) {
            logger.notice("ledger: a callback settled an unknown outcome", metadata: ["row": "\(lid)", "taskId": "\(task.taskId)"])
        }
    }

    /// A row's end detail: kie's record, and the failure's message.
    static func endDetail(_ task: KieTask) -> JSONValue {
        var o: JSONObject = ["record": task.raw]
        if !task.isSuccess { o["message"] = .string(task.errorMessage ?? task.status.rawValue) }
        return .object(o)
    }
}
