import Logging
import Synchronization

/// Keeps this process's lease on its ledger rows alive (docs/ledger.md, "Submission under a
/// lease"): from the first use of the ledger until the client shuts down, renews it every third
/// of the lease and settles the rows of owners whose lease ended (`Ledger.reapExpired`), so a
/// dead process's `sending` rows read `unknown` and the waits on them end. A renewal that fails
/// is logged and tried again; the lease then runs out and `Ledger.maySend` stops this process
/// from sending until a renewal succeeds.
final class LeaseKeeper: Sendable {
    let ledger: Ledger
    let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let stopped = Mutex(false)

    init(ledger: Ledger, logger: Logger) {
        self.ledger = ledger
        self.logger = logger
    }

    /// Starts the renewals once (any later call does nothing).
    func start() {
        task.withLock { t in
            guard t == nil, !stopped.withLock({ $0 }) else { return }
            t = Task.detached { [ledger, logger] in await Self.run(ledger, logger) }
        }
    }

    /// Stops renewing and, when the lease was ever taken, ends it at once (docs/ledger.md, "Leases").
    func stop() async {
        stopped.withLock { $0 = true }
        let running = task.withLock { t in
            defer { t?.cancel() }
            return t != nil
        }
        if running { try? await ledger.releaseLease() }
    }

    private static func run(_ ledger: Ledger, _ logger: Logger) async {
        let period = max(500, ledger.settings.leaseMs / 3)
        var failing = false
        while !Task.isCancelled {
            do {
                try await ledger.renewLease()
                let reaped = try await ledger.reapExpired()
                for id in reaped.unknown { logger.warning("ledger: a dead process's generate has an unknown outcome", metadata: ["id": "\(id)"]) }
                if failing { logger.notice("ledger: lease renewed again") }
                failing = false
            } catch {
                if !failing { logger.warning("ledger: could not renew the lease: \(error.message)") }
                failing = true
            }
            try? await Task.sleep(for: .milliseconds(failing ? min(period, 1_000) : period))
        }
    }
}
