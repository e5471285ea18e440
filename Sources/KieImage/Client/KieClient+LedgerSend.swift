import FoundationEssentials

/// A generate with a shared ledger (docs/ledger.md, "Sending"): every attempt is admitted by the
/// ledger (LedgerGate) and its outcome recorded under the claim, so at most one process sends a
/// row, each send counts against the account's limit, and nothing is sent when the ledger cannot
/// be reached (KIE_E_LEDGER, fail closed).
extension KieClient {
    func sendOnLedger(_ ledger: Ledger, _ validated: ValidatedRequest, tag: String?, price: Double?) async throws -> Submitted {
        leases?.start()
        let family = validated.family.rawValue
        let rowId = validated.idempotencyKey.map { CallbackLink.keyedRowId(account: ledger.account, key: $0) } ?? Ledger.randomHex(bytes: 16)
        let body = Self.linkingCallback(validated.body, to: rowId)
        let work = LedgerWork(id: rowId, family: family, request: JSON.serialize(body), tag: tag, idempotencyKey: validated.idempotencyKey,
                              chargeMc: price.map(LedgerBudget.milli))
        let gate = LedgerGate(ledger: ledger, work: work)
        let endpoint = APICaller.Endpoint(
            name: validated.family == .market ? "createTask" : "generate", method: .POST, url: config.baseUrl + validated.path, policy: .createsTask)
        let env: Envelope
        do {
            env = try await caller.call(endpoint, body: body, gate: gate)
        } catch let existing as LedgerExisting {
            return try await answer(of: existing.row, ledger: ledger, validated: validated)
        } catch {
            let e = KieError.wrap(error)
            await settleFailure(e, gate: gate, ledger: ledger)
            throw e
        }
        guard let claim = gate.lastClaim else { throw KieError(.internal, "the ledger admitted no claim for a sent generate") }
        guard let taskId = env.data["taskId"]?.stringValue, !taskId.isEmpty else {
            let e = KieError(.unknownOutcome, "\(endpoint.name) answered without a taskId", apiCode: 200, request: body,
                             raw: Redaction.redact(JSON.serialize(env.data), secret: config.apiKey))
            _ = try? await ledger.recordUnknown(claim, detail: JSON.serialize(e.json))
            throw e
        }
        CrashHook.at(.answered)
        noteCreated(taskId, family: validated.family)
        logger.info("task submitted", metadata: ["taskId": "\(taskId)", "family": "\(family)", "row": "\(claim.rowId)"])
        try await recordSubmitted(claim, taskId: taskId, ledger: ledger)
        CrashHook.at(.submitted)
        return Submitted(taskId: taskId, family: family, tag: tag, journalId: claim.rowId, warnings: validated.warnings)
    }

    /// Records kie's task id under the claim, trying the ledger again for a few seconds: the
    /// task exists and is charged, so it must not be lost to a blip. A claim gone stale (this
    /// process's lease ended mid-send, the row was reaped to `unknown`) is resolved with the id.
    private func recordSubmitted(_ claim: LedgerClaim, taskId: String, ledger: Ledger) async throws {
        var last: KieError?
        for attempt in 0..<Self.ledgerRecordAttempts {
            if attempt > 0 { try? await Task.sleep(for: .milliseconds(500)) }
            do {
                if try await ledger.recordSubmitted(claim, taskId: taskId) { return }
                if try await ledger.resolve(id: claim.rowId, taskId: taskId) { return }
                logger.warning("ledger: the row of a submitted task was settled by another process", metadata: ["taskId": "\(taskId)", "row": "\(claim.rowId)"])
                return
            } catch {
                last = error
            }
        }
        throw KieError(.ledger, "task \(taskId) was accepted but the ledger could not record it: \(last?.message ?? "")", taskId: taskId)
    }

    static let ledgerRecordAttempts = 6

    /// The body with `kie_lid=<row id>` in its `callBackUrl`, when it has one: a callback then
    /// names its row, which settles a row whose generate's answer was lost (docs/webhooks.md).
    static func linkingCallback(_ body: JSONValue, to rowId: String) -> JSONValue {
        guard case .object(var o) = body, let url = o["callBackUrl"]?.stringValue else { return body }
        o["callBackUrl"] = .string(CallbackLink.adding(rowId, to: url))
        return .object(o)
    }

    /// A generate that failed: under its claim, `rejected` when kie's answer proves nothing was
    /// created, else `unknown`; with no claim (never admitted, or not sent), its row is abandoned.
    private func settleFailure(_ e: KieError, gate: LedgerGate, ledger: Ledger) async {
        let detail = JSON.serialize(e.json)
        do {
            if let claim = gate.lastClaim {
                if FailurePolicy.journalState(after: e) == .unknown {
                    try await ledger.recordUnknown(claim, detail: detail)
                } else {
                    try await ledger.recordRejected(claim, detail: detail)
                }
            } else if e.status != .ledger {
                try await ledger.abandonIntent(rowId: gate.rowId, detail: detail)
            }
        } catch {
            logger.warning("ledger: could not record the generate's outcome", metadata: ["row": "\(gate.rowId)", "reason": "\(error.message)"])
        }
    }
}
