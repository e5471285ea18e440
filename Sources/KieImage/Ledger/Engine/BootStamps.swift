/// SQLite's decision clock is this host's CLOCK_MONOTONIC, which starts again at every boot. The
/// boot the stamps belong to is stored in `kie_clock`; a transaction on another boot first makes
/// every stored stamp expired: leases end, tokens and cool-downs are gone, uploads are
/// forgotten (docs/ledger.md, "Time").
enum BootStamps {
    static let read = "SELECT boot_id FROM kie_clock WHERE id = 1"
    static let expire = [
        "UPDATE kie_owners SET lease_expires_ms = 0, started_ms = 0",
        "DELETE FROM kie_tokens",
        "UPDATE kie_accounts SET cooldown_until_ms = 0, last_admitted_ms = 0",
        "DELETE FROM kie_uploads",
    ]
    static let store = "UPDATE kie_clock SET boot_id = $1 WHERE id = 1"

    static func check(_ tx: any LedgerTx, bootId: String = HostMonotonicClock.bootId) throws(KieError) {
        guard try tx.first(read)?.first?.text != bootId else { return }
        for statement in expire { try tx.run(statement) }
        try tx.run(store, [.text(bootId)])
    }
}
