extension LedgerRow {
    /// A row of `WorkSQL.columns`.
    init(_ r: SQLRow, kind: LedgerEngineKind) throws(KieError) {
        guard r.count == 11, let id = r[0].text, let stateText = r[1].text, let state = LedgerState(rawValue: stateText) else {
            throw .ledger(kind, "a kie_work row could not be read")
        }
        self.id = id
        self.state = state
        family = r[2].text ?? ""
        request = r[3].text ?? ""
        tag = r[4].text
        idempotencyKey = r[5].text
        taskId = r[6].text
        owner = r[7].text
        epoch = r[8].int ?? 0
        detail = r[9].text
        updatedAtMs = r[10].int ?? 0
    }
}
