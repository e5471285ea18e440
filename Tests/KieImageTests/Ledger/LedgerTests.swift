import Foundation
import Testing
@testable import KieImage

/// The ledger on both real engines (docs/ledger.md). Assertions are on counts and states only.
@Suite(.serialized) struct LedgerTests {
    @Test(arguments: [LedgerEngineKind.sqlite, .postgresql])
    func migrationsApplyOnceAndRerunsChangeNothing(kind: LedgerEngineKind) async throws {
        let f = try LedgerFixture.make(kind)
        let a = f.ledger()
        #expect(try await a.migrate() == [1])
        #expect(try await a.migrate() == [])
        let b = f.ledger()
        #expect(try await b.migrate() == [])
        #expect(try await b.status().schemaVersion == LedgerSchema.latestVersion)
        await a.close()
        await b.close()
    }

    @Test(arguments: [LedgerEngineKind.sqlite, .postgresql])
    func aNewerBreakingSchemaIsRefusedNamingBothVersions(kind: LedgerEngineKind) async throws {
        let f = try LedgerFixture.make(kind)
        let a = f.ledger()
        try await a.migrate()
        _ = try await a.engine.transaction { tx throws(KieError) in
            try tx.run("INSERT INTO kie_schema_migrations (version, breaking) VALUES (99, true)")
        }
        let b = f.ledger()
        let error = await #expect(throws: KieError.self) { _ = try await b.admitAndClaim(work(1)) }
        #expect(error?.status == .ledger)
        #expect(error?.message.contains("99") == true && error?.message.contains("version 1 ") == true)
        await a.close()
        await b.close()
    }

    @Test(arguments: [LedgerEngineKind.sqlite, .postgresql])
    func withoutAutomaticMigrationAnEmptyDatabaseIsRefusedUntilMigrated(kind: LedgerEngineKind) async throws {
        let f = try LedgerFixture.make(kind)
        var s = LedgerSettings()
        s.autoMigrate = false
        let l = Ledger(url: f.url, apiKey: LedgerFixture.apiKey, settings: s)
        let error = await #expect(throws: KieError.self) { _ = try await l.admitAndClaim(work(1)) }
        #expect(error?.status == .ledger && error?.message.contains("not migrated") == true)
        let dba = f.ledger()
        _ = try await dba.engine.transaction { tx throws(KieError) in
            for statement in LedgerSchema.sql(for: kind).split(separator: ";\n").map(String.init) {
                let sql = statement.split(separator: "\n").filter { !$0.hasPrefix("--") }.joined(separator: "\n")
                if !["BEGIN", "BEGIN IMMEDIATE", "COMMIT", "COMMIT;", ""].contains(sql.trimmingCharacters(in: .whitespacesAndNewlines)) { try tx.run(sql) }
            }
        }
        #expect(try await l.admitAndClaim(work(2)).claim != nil)
        await l.close()
        await dba.close()
    }

    @Test(arguments: [LedgerEngineKind.sqlite, .postgresql])
    func eightConcurrentProcessesNeverExceedTheLimit(kind: LedgerEngineKind) async throws {
        let f = try LedgerFixture.make(kind)
        let ledgers = (0..<8).map { _ in f.ledger(requests: 5, perMs: 600_000) }
        try await ledgers[0].migrate()
        let sends = try await withThrowingTaskGroup(of: Int.self) { group in
            for (i, l) in ledgers.enumerated() {
                group.addTask {
                    var sent = 0
                    for n in 0..<3 {
                        let result = try await l.admitAndClaim(work(i * 10 + n))
                        if let claim = result.claim {
                            sent += 1
                            #expect(try await l.recordSubmitted(claim, taskId: "task-\(i)-\(n)"))
                        } else {
                            #expect(result.isWait)
                        }
                    }
                    return sent
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(sends == 5)
        let status = try await ledgers[0].status()
        #expect(status.heldTokens == 5)
        #expect(status.rows[.submitted] == 5 && status.rows[.intent] == 19)
        for l in ledgers { await l.close() }
    }

    @Test(arguments: [LedgerEngineKind.sqlite, .postgresql])
    func aCooldownPausesEveryProcessOfTheAccount(kind: LedgerEngineKind) async throws {
        let f = try LedgerFixture.make(kind)
        let ledgers = (0..<4).map { _ in f.ledger() }
        try await ledgers[0].recordCooldown(ms: 600_000)
        for l in ledgers {
            guard case .wait(let ms, _) = try await l.admitAndClaim(work(1)) else {
                Issue.record("admitted during a cool-down")
                continue
            }
            #expect(ms > 500_000)
        }
        for l in ledgers { await l.close() }
    }

    @Test(arguments: [LedgerEngineKind.sqlite, .postgresql])
    func anUnusedTokenReleasedFreesItsSlot(kind: LedgerEngineKind) async throws {
        let f = try LedgerFixture.make(kind)
        let l = f.ledger(requests: 1, perMs: 600_000)
        let first = work(1), second = work(2)
        let claim = try #require(try await l.admitAndClaim(first).claim)
        #expect(try await l.admitAndClaim(second).isWait)
        #expect(try await l.releaseUnusedToken(claim))
        #expect(try await l.row(id: first.id)?.state == .intent)
        #expect(try await l.admitAndClaim(second).claim != nil)
        await l.close()
    }

    @Test(arguments: [LedgerEngineKind.sqlite, .postgresql])
    func aClaimedRowCannotBeClaimedAgainAndAStaleEpochMatchesNothing(kind: LedgerEngineKind) async throws {
        let f = try LedgerFixture.make(kind)
        let a = f.ledger(), b = f.ledger()
        let w = work(1)
        let first = try #require(try await a.admitAndClaim(w).claim)
        #expect(try await b.admitAndClaim(w).existing?.state == .sending)
        #expect(try await a.admitAndClaim(w).existing?.state == .sending)
        #expect(try await a.releaseUnusedToken(first))
        let second = try #require(try await a.admitAndClaim(w).claim)
        #expect(second.epoch > first.epoch)
        #expect(try await a.recordSubmitted(first, taskId: "stale") == false)
        #expect(try await b.recordSubmitted(LedgerClaim(rowId: w.id, owner: b.owner, epoch: second.epoch, tokenId: second.tokenId,
                                                         request: "", sendByNs: 0), taskId: "other owner") == false)
        #expect(try await a.recordSubmitted(second, taskId: "task-1"))
        #expect(try await a.row(id: w.id)?.taskId == "task-1")
        await a.close()
        await b.close()
    }

    @Test(arguments: [LedgerEngineKind.sqlite, .postgresql])
    func eightConcurrentCallsWithOneKeySendOnce(kind: LedgerEngineKind) async throws {
        let f = try LedgerFixture.make(kind)
        let ledgers = (0..<8).map { _ in f.ledger() }
        try await ledgers[0].migrate()
        let results = try await withThrowingTaskGroup(of: LedgerAdmission.self) { group in
            for (i, l) in ledgers.enumerated() { group.addTask { try await l.admitAndClaim(work(i, key: "same-key")) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let claims = results.compactMap(\.claim)
        #expect(claims.count == 1)
        #expect(results.compactMap(\.existing).count == 7)
        let owner = try #require(ledgers.first { $0.owner == claims.first?.owner })
        #expect(try await owner.recordSubmitted(try #require(claims.first), taskId: "task-k"))
        for l in ledgers {
            #expect(try await l.admitAndClaim(work(99, key: "same-key")).existing?.taskId == "task-k")
        }
        let rows = try await ledgers[0].status().rows
        #expect(rows[.submitted] == 1 && rows.count == 1)
        for l in ledgers { await l.close() }
    }

    @Test(arguments: [LedgerEngineKind.sqlite, .postgresql])
    func expiredOwnersRowsAreReapedAndTheirSubmittedTakenOverOnce(kind: LedgerEngineKind) async throws {
        let f = try LedgerFixture.make(kind)
        let dying = f.ledger(leaseMs: 300), b = f.ledger(), c = f.ledger()
        let inFlight = work(1), done = work(2), waiting = work(3)
        _ = try #require(try await dying.admitAndClaim(inFlight).claim)
        let claim = try #require(try await dying.admitAndClaim(done).claim)
        #expect(try await dying.recordSubmitted(claim, taskId: "task-2"))
        let blocked = f.ledger(requests: 2, perMs: 600_000, leaseMs: 300)
        #expect(try await blocked.admitAndClaim(waiting).isWait)
        // No renewal: the leases end on the database's clock.
        var unknown: [String] = [], abandoned: [String] = []
        #expect(try await eventually {
            let r = try await b.reapExpired()
            unknown += r.unknown
            abandoned += r.abandoned
            return unknown.contains(inFlight.id) && abandoned.contains(waiting.id)
        })
        #expect(try await b.row(id: inFlight.id)?.state == .unknown)
        let taken = try await b.takeOverSubmitted()
        #expect(taken.map(\.id) == [done.id] && taken.first?.owner == b.owner)
        #expect(try await c.takeOverSubmitted().isEmpty)
        #expect(try await dying.recordFinished(rowId: done.id, epoch: claim.epoch, state: .succeeded, detail: nil) == false)
        let row = try #require(taken.first)
        #expect(try await b.recordFinished(rowId: row.id, epoch: row.epoch, state: .succeeded, detail: nil))
        for l in [dying, b, c, blocked] { await l.close() }
    }

    /// A call that waited for admission while its process was paused past its lease finds its
    /// row abandoned: it ends without sending (others may act on "nothing was sent"); one whose
    /// idempotency key another process took up meanwhile answers with that process's row.
    @Test(arguments: [LedgerEngineKind.sqlite, .postgresql])
    func aCallWhoseRowWasReapedWhileItWasPausedSendsNothing(kind: LedgerEngineKind) async throws {
        let f = try LedgerFixture.make(kind)
        let paused = f.ledger(requests: 1, perMs: 600_000, leaseMs: 300), b = f.ledger(requests: 1, perMs: 600_000)
        _ = try #require(try await b.admitAndClaim(work(0)).claim)   // the account's window is full
        var plain = work(1), keyed = work(2, key: "k-paused")
        #expect(try await paused.admitAndClaim(plain).isWait)
        #expect(try await paused.admitAndClaim(keyed).isWait)
        plain.held = true   // as LedgerGate marks a call's work after its first admission
        keyed.held = true
        var abandoned: [String] = []
        #expect(try await eventually { abandoned += try await b.reapExpired().abandoned; return abandoned.count == 2 })
        let other = try await b.admitAndClaim(work(3, key: "k-paused"))
        #expect(other.isWait)   // b holds the key's row now (still waiting for the window)
        let error = await #expect(throws: KieError.self) { _ = try await paused.admitAndClaim(plain) }
        #expect(error?.status == .ledger && error?.message.contains("lease ended") == true)
        #expect(try await b.row(id: plain.id)?.state == .abandoned)
        #expect(try await paused.admitAndClaim(keyed).existing?.owner == b.owner)
        for l in [paused, b] { await l.close() }
    }

    /// An owner that died mid-download leaves its row `succeeded`: a resume that downloads takes
    /// it over (once), one that does not leaves it.
    @Test(arguments: [LedgerEngineKind.sqlite, .postgresql])
    func aDeadOwnersUndownloadedTaskIsTakenOverOnlyToDownloadIt(kind: LedgerEngineKind) async throws {
        let f = try LedgerFixture.make(kind)
        let dying = f.ledger(leaseMs: 5_000)
        let claim = try #require(try await dying.admitAndClaim(work(1)).claim)
        #expect(try await dying.recordSubmitted(claim, taskId: "task-1"))
        let submitted = try #require(try await dying.row(taskId: "task-1"))
        #expect(try await dying.recordFinished(rowId: submitted.id, epoch: submitted.epoch, state: .succeeded, detail: nil))
        await dying.close()   // renews no more
        let b = f.ledger(leaseMs: 5_000), c = f.ledger(leaseMs: 5_000)
        var taken: [LedgerRow] = [], withoutDownload: [LedgerRow] = []
        let expired = try await eventually(seconds: 30) {
            withoutDownload += try await b.takeOverSubmitted()   // without a download: not its business
            taken = try await b.takeOverSubmitted(succeeded: true)
            return !taken.isEmpty
        }
        #expect(expired)
        #expect(withoutDownload.isEmpty)
        #expect(taken.map(\.taskId) == ["task-1"])
        #expect(taken.first?.state == .succeeded)
        #expect(try await c.takeOverSubmitted(succeeded: true).isEmpty)   // exactly one process
        let row = try #require(taken.first)
        #expect(try await b.recordFinished(rowId: row.id, epoch: row.epoch, state: .downloaded, detail: nil))
        #expect(try await b.row(id: row.id)?.state == .downloaded)
        for l in [b, c] { await l.close() }
    }

    @Test(arguments: [LedgerEngineKind.sqlite, .postgresql])
    func twoAccountsKeepSeparateLimitsAndRows(kind: LedgerEngineKind) async throws {
        let f = try LedgerFixture.make(kind)
        let one = f.ledger(key: "key-one-aaaaaaaaaaaa", requests: 1, perMs: 600_000)
        let two = f.ledger(key: "key-two-bbbbbbbbbbbb", requests: 1, perMs: 600_000)
        #expect(try await one.admitAndClaim(work(1)).claim != nil)
        #expect(try await one.admitAndClaim(work(2)).isWait)
        #expect(try await two.admitAndClaim(work(3)).claim != nil)
        #expect(try await one.list().count == 2)
        #expect(try await two.list().count == 1)
        #expect(one.account != two.account)
        await one.close()
        await two.close()
    }

    @Test(arguments: [LedgerEngineKind.sqlite, .postgresql])
    func theAPIKeyIsNowhereInADumpOfTheDatabase(kind: LedgerEngineKind) async throws {
        let f = try LedgerFixture.make(kind)
        let l = f.ledger()
        let claim = try #require(try await l.admitAndClaim(work(1)).claim)
        #expect(try await l.recordSubmitted(claim, taskId: "task-1"))
        try await l.putUpload(digest: "abc", url: "https://files/x.png", keepMs: 86_400_000)
        #expect(try await l.upload(digest: "abc") == "https://files/x.png")
        let dump = try f.dump()
        #expect(dump.contains(l.account))
        #expect(!dump.contains(LedgerFixture.apiKey))
        await l.close()
    }

    @Test(arguments: [LedgerEngineKind.sqlite, .postgresql])
    func aSkewedHostClockChangesNoDecision(kind: LedgerEngineKind) async throws {
        let f = try LedgerFixture.make(kind)
        let l = f.ledger(requests: 1, perMs: 60_000)
        let claim = try #require(try await l.admitAndClaim(work(1)).claim)
        #expect(try await l.recordSubmitted(claim, taskId: "task-1"))
        defer { HostClockSkew.ms.store(0, ordering: .relaxed) }
        for skew: Int64 in [120_000, -120_000, 30_000, -30_000] {
            HostClockSkew.ms.store(skew, ordering: .relaxed)
            guard case .wait(let ms, _) = try await l.admitAndClaim(work(2)) else {
                Issue.record("admitted with the host clock skewed by \(skew) ms")
                continue
            }
            #expect(ms > 30_000)
        }
        await l.close()
    }

    @Test func theSchemaIsPrintableForADBA() {
        let pg = LedgerSchema.sql(for: .postgresql), lite = LedgerSchema.sql(for: .sqlite)
        #expect(pg.contains("pg_advisory_xact_lock(hashtext('kieimage-ledger'))") && pg.contains("CREATE TABLE IF NOT EXISTS kie_work"))
        #expect(lite.hasPrefix("BEGIN IMMEDIATE;") && lite.contains("kie_clock") && !lite.contains("pg_advisory"))
    }

    @Test func stampsOfAnotherBootCountAsExpired() async throws {
        let f = try LedgerFixture.make(.sqlite)
        let l = f.ledger(requests: 1, perMs: 600_000)
        #expect(try await l.admitAndClaim(work(1)).claim != nil)
        try await l.recordCooldown(ms: 600_000)
        #expect(try await l.admitAndClaim(work(2)).isWait)
        try await l.engine.transaction { tx throws(KieError) in try BootStamps.check(tx, bootId: "a-previous-boot") }
        #expect(try await l.admitAndClaim(work(3)).claim != nil)
        await l.close()
    }

    @Test func ledgerURLsAreParsedAndPasswordsNeverShown() throws {
        #expect(try LedgerURL("sqlite:/tmp/x.db").kind == .sqlite)
        let pg = try LedgerURL("postgresql://kie:s3cret-pw@db:5432/ledger?sslmode=require&password=other-pw")
        #expect(pg.kind == .postgresql && !pg.display.contains("s3cret-pw") && !pg.display.contains("other-pw"))
        #expect(pg.display == "postgresql://kie@db:5432/ledger?sslmode=require")
        #expect(throws: KieError.self) { try LedgerURL("mysql://x") }
        #expect(URLRedactor(url: "postgresql://u@h/db", pgPassword: "envpw").redact("bad envpw") == "bad [REDACTED]")
    }
}
