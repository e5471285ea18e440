/// The config keys of the shared ledger (docs/ledger.md, "Setup"): `ledger` (else env
/// `KIE_LEDGER`) and `ledgerLeaseMs`. A ledger and a `journalPath` together are refused: the
/// ledger is the journal of every process of the account.
extension ClientConfig {
    static let ledgerKeys: Set<String> = ["ledger", "ledgerLeaseMs"]
    /// The bounds of `ledgerLeaseMs` (API.md §7.1 as docs/ledger.md tells it).
    public static let ledgerLeaseRangeMs: ClosedRange<Int64> = 5_000...300_000

    mutating func parseLedger(_ o: JSONObject, env: [String: String]) throws(KieError) {
        let r = ConfigReader(o, prefix: "")
        let text = try r.string("ledger") ?? env["KIE_LEDGER"].flatMap { $0.isEmpty ? nil : $0 }
        if let text {
            do { ledger = try LedgerURL(text) } catch { throw .invalidArgument("config: \(error.message)", field: "ledger") }
        }
        if let v = try r.int("ledgerLeaseMs", min: Self.ledgerLeaseRangeMs.lowerBound, max: Self.ledgerLeaseRangeMs.upperBound) {
            ledgerLeaseMs = v
        }
        if ledger != nil, journalPath != nil {
            throw .invalidArgument("config: ledger and journalPath are exclusive: the ledger is the journal of every process of the account",
                                   field: "journalPath")
        }
    }
}
