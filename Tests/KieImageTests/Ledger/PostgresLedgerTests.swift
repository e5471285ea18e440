import Foundation
import Synchronization
import Testing
@testable import KieImage

/// PostgreSQL only: failing closed while the server is down, recovering without a restart,
/// LISTEN/NOTIFY surviving a terminated backend, passwords kept out of errors.
@Suite(.serialized) struct PostgresLedgerTests {
    @Test func aStoppedServerFailsClosedAndWorkResumesWhenItIsBack() async throws {
        let pg = try PostgresHarness()
        defer { pg.destroy() }
        var s = LedgerSettings()
        s.rateLimit.requests = 100
        let l = Ledger(url: try LedgerURL(pg.url()), apiKey: LedgerFixture.apiKey, settings: s)
        #expect(try await l.admitAndClaim(work(1)).claim != nil)
        try pg.stop()
        let error = await #expect(throws: KieError.self) { _ = try await l.admitAndClaim(work(2)) }
        #expect(error?.status == .ledger)
        #expect(error?.message.contains("postgresql") == true)
        #expect(error?.message.contains(pg.password) == false)
        try pg.start()
        #expect(try await eventually { (try? await l.admitAndClaim(work(3)))?.claim != nil })
        #expect(try await l.status().rows[.sending] == 2)
        await l.close()
    }

    /// A process stopped inside a transaction (SIGSTOP, a debugger) holding the account's lock:
    /// the server ends its session after `idleInTransactionMs`, so the account's other processes
    /// go on (within their 10 s lock timeout) instead of failing until it wakes.
    @Test func aTransactionLeftOpenByAPausedProcessIsEndedByTheServer() async throws {
        let f = try LedgerFixture.make(.postgresql)
        let l = f.ledger(requests: 100)
        #expect(try await l.admitAndClaim(work(1)).claim != nil)   // schema and account row exist
        let paused = try PostgresConnection(url: f.url.target, redactor: URLRedactor(url: f.url.target))
        try paused.exec(PostgresTxSQL.begin)
        #expect(try paused.rows(AccountSQL.lock(.postgresql), [.text(l.account)]).count == 1)
        // The paused process does nothing more; another process's admission needs that lock.
        #expect(try await l.admitAndClaim(work(2)).claim != nil)
        #expect(paused.isBroken || (try? paused.exec("COMMIT")) == nil)   // its session was ended
        #expect(try await l.status().rows[.sending] == 2)
        await l.close()
    }

    @Test func aWrongPasswordIsALedgerErrorThatDoesNotShowIt() async throws {
        let pg = try SharedPostgres.harness()
        let url = "postgresql://kie:wrong-secret-4711@127.0.0.1:\(pg.port)/postgres"
        let l = Ledger(url: try LedgerURL(url), apiKey: LedgerFixture.apiKey)
        let error = await #expect(throws: KieError.self) { _ = try await l.admitAndClaim(work(1)) }
        #expect(error?.status == .ledger)
        #expect(error?.message.contains("wrong-secret-4711") == false)
        #expect(error?.message.contains("postgresql://kie@127.0.0.1") == true)
        await l.close()
    }

    @Test func notificationsArriveAndTheListenerComesBackAfterItsBackendIsKilled() async throws {
        let f = try LedgerFixture.make(.postgresql)
        let pg = try SharedPostgres.harness()
        let seen = Mutex<[LedgerEvent]>([])
        let listener = try PostgresListener(ledgerURL: f.url, checkEveryMs: 500) { e in seen.withLock { $0.append(e) } }
        #expect(await eventually { listener.connections.load(ordering: .relaxed) == 1 })
        let l = f.ledger()
        let first = try #require(try await l.admitAndClaim(work(1)).claim)
        #expect(await eventually { seen.withLock { $0.contains(.changed(rowId: first.rowId)) } })
        try pg.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'kieimage-ledger-listen'")
        #expect(await eventually { listener.connections.load(ordering: .relaxed) == 2 })
        #expect(seen.withLock { $0.filter { $0 == .listening }.count } == 2)
        let second = try #require(try await l.admitAndClaim(work(2)).claim)
        #expect(await eventually { seen.withLock { $0.contains(.changed(rowId: second.rowId)) } })
        await listener.stop()
        await l.close()
    }
}
