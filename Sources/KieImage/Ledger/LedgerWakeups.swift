import Logging
import Synchronization

/// PostgreSQL wake-ups for the waits of one client (docs/ledger.md, "Wake-ups"): one dedicated
/// LISTEN connection, started by the first wait; a row that another process moved to an end
/// recorded with kie's record ends the waits on its task at once (CallbackMailbox), and after
/// every (re)connection the tasks being waited on are read again, since notifications sent while
/// nobody listened are lost. A hint only: waits still poll (and, expecting callbacks, re-read).
final class LedgerWakeups: Sendable {
    let ledger: Ledger
    let mailbox: CallbackMailbox
    let logger: Logger
    private let listener = Mutex<PostgresListener?>(nil)
    private let stopped = Mutex(false)

    init(ledger: Ledger, mailbox: CallbackMailbox, logger: Logger) {
        self.ledger = ledger
        self.mailbox = mailbox
        self.logger = logger
    }

    /// Starts listening once, on a PostgreSQL ledger (SQLite has no notifications).
    func start() {
        guard ledger.url.kind == .postgresql else { return }
        listener.withLock { l in
            guard l == nil, !stopped.withLock({ $0 }) else { return }
            do {
                l = try PostgresListener(ledgerURL: ledger.url) { [self] event in self.handle(event) }
            } catch {
                logger.warning("ledger: no wake-ups (waits poll): \(KieError.wrap(error).message)")
            }
        }
    }

    func stop() async {
        stopped.withLock { $0 = true }
        let l = listener.withLock { l in
            defer { l = nil }
            return l
        }
        await l?.stop()
    }

    private func handle(_ event: LedgerEvent) {
        let (ledger, mailbox) = (ledger, mailbox)
        Task.detached {
            switch event {
            case .changed(let rowId):
                guard let row = try? await ledger.row(id: rowId), let taskId = row.taskId,
                      !mailbox.sleepingTasks().isEmpty, mailbox.delivered(taskId) == nil,
                      let task = Self.recordedTask(row) else { return }
                _ = mailbox.post(task)
            case .listening:
                for taskId in mailbox.sleepingTasks() {
                    if let row = try? await ledger.row(taskId: taskId), let task = Self.recordedTask(row) { _ = mailbox.post(task) }
                }
            }
        }
    }

    /// The task a row recorded at its end (kie's record in its detail), or nil.
    static func recordedTask(_ row: LedgerRow) -> KieTask? {
        guard [.succeeded, .failed, .downloaded].contains(row.state), let taskId = row.taskId,
              let detail = row.detail.flatMap({ try? JSON.parse($0) }), let record = detail["record"], !record.isNull,
              let family = TaskFamily(rawValue: row.family) else { return nil }
        return try? RecordInfoParser.parse(record, family: family, expectedTaskId: taskId)
    }
}
