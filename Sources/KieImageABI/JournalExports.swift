// C API section 9. Journal and resume
import CKieImage
import KieImage

/// Every work item of the client's journal (config journalPath) or of its account's ledger
/// (config ledger: every process's rows), latest state of each, in the order they were first
/// written: *out_json receives {"entries":[{"id","tag","family","state","taskId","request",
/// "time","detail"}]} where state is "intent" (being sent by this process),
/// "submitted", "rejected", "unknown", "abandoned", "succeeded", "failed" or "downloaded"
/// (docs/journal.md). Free it with kie_string_free. KIE_E_INVALID_ARGUMENT when the client has
/// neither; KIE_E_LEDGER when the ledger cannot be read. Does not call kie. Any thread; from a
/// callback only without a ledger (a ledger is read on the library's threads).
@c(kie_journal_list)
public func kieJournalList(_ c: kie_client_ref?, _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> kie_status {
    withStatus {
        let out = try requireOut(outJSON, "out_json")
        out.pointee = nil
        let client = try ClientHandle.borrow(c).client
        // The file journal is read in place (callbacks may call this); a ledger is a database.
        let entries = client.ledger == nil ? try client.journalEntries() : try blocking { _ in try await client.workItems() }.get()
        try put(JSON.serialize(["entries": .array(entries.map(\.json))]), out)
    }
}

/// Resumes the journal's work: starts one wait (as kie_task_wait_async, with wait_json) for
/// every entry whose state is "submitted" (and, when wait_json has "download", every
/// "succeeded" one not yet downloaded). Events go to on_event as for kie_task_wait_async and
/// carry the entry's "tag". *out_json receives {"resumed":[{"op","taskId","tag","id"}],
/// "unknown":[{"id","tag","request"}]}: unknown outcomes are never resubmitted by the library;
/// settle each with kie_journal_resolve. Free it with kie_string_free. Returns at once. With a
/// ledger, the "submitted" items are those of processes whose lease ended, each taken over by
/// exactly one resuming process (docs/ledger.md); KIE_E_LEDGER when the ledger cannot be read.
/// KIE_E_INVALID_ARGUMENT when the client has no journal or on_event is NULL. Any thread.
@c(kie_resume)
public func kieResume(
    _ c: kie_client_ref?, _ waitJSON: UnsafePointer<CChar>?, _ onEvent: kie_event_cb?, _ userdata: UnsafeMutableRawPointer?,
    _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> kie_status {
    withStatus {
        let out = try requireOut(outJSON, "out_json")
        out.pointee = nil
        let handle = try ClientHandle.borrow(c)
        guard let onEvent else { throw KieError.invalidArgument("on_event is NULL", field: "on_event") }
        let client = handle.client
        let options = try WaitOptions.parse(json: CString.readOptional(waitJSON, name: "wait_json"), defaults: client.config.poll,
                                            refusing: ["wait"])
        let download = options.downloadDir != nil
        let plan = client.ledger == nil ? try client.resumePlan(download: download)
            : try blocking { _ in try await client.resumeWork(download: download) }.get()
        var resumed: [JSONValue] = []
        for entry in plan.resume {
            guard let taskId = entry.taskId else { continue }
            let op = try handle.operations.start(callback: .init(fn: onEvent, userdata: userdata), tag: entry.tag) { emit in
                .event(try await client.waitAndDownload(taskId, options: options, onEvent: emit))
            }
            resumed.append(["op": .int(Int64(op)), "taskId": .string(taskId), "tag": .string(entry.tag), "id": .string(entry.id)])
        }
        let unknown: [JSONValue] = plan.unknown.map { ["id": .string($0.id), "tag": .string($0.tag), "request": $0.request] }
        try put(JSON.serialize(["resumed": .array(resumed), "unknown": .array(unknown)]), out)
    }
}

/// Settles a journal entry whose state is "unknown" (the process died, or no answer came,
/// while its generate was in flight): task_id, found in kie's logs, makes it "submitted" (the
/// next kie_resume waits for it); task_id NULL makes it "abandoned", so the caller may submit
/// the work again. Resolving the same way twice is KIE_OK. KIE_E_NOT_FOUND for an unknown id;
/// KIE_E_INVALID_ARGUMENT when the entry is not "unknown", the task id is malformed or belongs
/// to another entry, or the client has no journal. Durable (fsync) when it returns. Any thread.
@c(kie_journal_resolve)
public func kieJournalResolve(_ c: kie_client_ref?, _ id: UnsafePointer<CChar>?, _ taskId: UnsafePointer<CChar>?) -> kie_status {
    withStatus {
        let client = try ClientHandle.borrow(c).client
        let entryId = try CString.read(id, name: "id")
        let task = try CString.readOptional(taskId, name: "task_id")
        if client.ledger == nil {
            try client.resolve(entryId, taskId: task)
        } else {
            _ = try blocking { _ in try await client.resolveWork(entryId, taskId: task) }.get()
        }
    }
}
