import ArgumentParser
import KieImage

/// `kie-image ledger`: the shared ledger's schema and the account's state in it (docs/ledger.md).
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "The shared ledger (--ledger or KIE_LEDGER): create its schema, show the account's state.",
        discussion: """
            Every process (and host) naming the same ledger shares one rate limit and one task \
            ledger per API key. The schema is created on first use; `migrate` does it now, and \
            `migrate --print-sql` prints the SQL for a DBA to apply.

            EXAMPLES:
              kie-image ledger migrate --ledger sqlite:/var/lib/app/kie-ledger.db
              kie-image ledger migrate --print-sql \\
                --ledger postgresql://app@db.example/app > kie-ledger.sql
              KIE_LEDGER=sqlite:/var/lib/app/kie-ledger.db kie-image ledger status --json
            """,
        subcommands: [LedgerMigrateCommand.self, LedgerStatusCommand.self]
    )

    /// The ledger named by --ledger, else by KIE_LEDGER, without opening a client (no API key:
    /// the schema is the same for every account).
    static func url(_ option: String?) throws -> LedgerURL {
        guard let text = option ?? ClientConfig.environment()["KIE_LEDGER"] else { throw noLedger }
        return try LedgerURL(text)
    }

    static let noLedger = CLIFailure.usage("no ledger: pass --ledger URL or set KIE_LEDGER")
}

struct LedgerMigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the ledger's schema now, or print its SQL.",
        discussion: """
            Applies the schema versions the database lacks, in one transaction under a lock (any \
            number of processes may run it at once). A database holding a newer breaking version \
            is refused (exit 11). With --print-sql nothing is connected: the SQL for the engine \
            the URL names (sqlite: or postgresql://) goes to stdout, safe to apply twice; no API \
            key is needed for either.

            EXAMPLES:
              kie-image ledger migrate --ledger sqlite:/var/lib/app/kie-ledger.db
              kie-image ledger migrate --print-sql \\
                --ledger postgresql://app@db.example/app | psql app
            """
    )

    @Flag(name: .customLong("print-sql"), help: "Print the schema's SQL for the URL's engine instead of applying it.")
    var printSQL = false

    @Flag(help: "Print {\"ledger\", \"engine\", \"applied\", \"schemaVersion\"}.")
    var json = false

    /// Migrate opens no client: the ledger is all it needs.
    @OptionGroup var ledger: LedgerOption

    func run() async throws {
        JSONErrors.enable(json)
        let url = try LedgerCommand.url(ledger.ledger)
        if printSQL {
            Console.out(String(LedgerSchema.sql(for: url.kind).dropLast()))
            return
        }
        // The schema is not per account: the digest of an empty key is never used by migrate.
        let store = Ledger(url: url, apiKey: "")
        let applied: [Int64]
        do { applied = try await store.migrate() } catch {
            await store.close()
            throw error
        }
        await store.close()
        let version = LedgerSchema.latestVersion
        if json {
            Console.out(JSON.serialize(["ledger": .string(url.display), "engine": .string(url.kind.rawValue),
                                        "applied": .array(applied.map { .int($0) }), "schemaVersion": .int(version)]))
        } else if applied.isEmpty {
            Console.out("\(url.display): schema version \(version), nothing to apply")
        } else {
            Console.out("\(url.display): schema version \(version), applied \(applied.map(String.init).joined(separator: ", "))")
        }
    }
}

struct LedgerStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the account's rows per state, its rate limit, cool-down and live owners.",
        discussion: """
            The account is the API key's (a one-way digest of it; the key is never stored). Rows \
            are counted per state; tokens are the generates counting against the shared limit \
            now; owners are the live processes (host:pid) with their lease left. Changes nothing \
            (but creates the schema in a fresh database, as every use of a ledger does).

            EXAMPLES:
              kie-image ledger status --ledger sqlite:/var/lib/app/kie-ledger.db
              kie-image ledger status --ledger postgresql://app@db.example/app --json
            """
    )

    @Flag(help: "Print the status as JSON.")
    var json = false

    @OptionGroup var client: ClientOptions

    func run() async throws {
        JSONErrors.enable(json)
        let (status, url, account) = try await Session.with(client) { session in
            guard let ledger = session.client.ledger else { throw LedgerCommand.noLedger }
            return (try await ledger.status(), ledger.url, ledger.account)
        }
        Console.out(json ? JSON.serialize(LedgerStatusText.json(status, url: url, account: account))
                         : LedgerStatusText.lines(status, url: url, account: account).joined(separator: "\n"))
    }
}

/// `ledger status` as text and as JSON.
enum LedgerStatusText {
    static func json(_ s: LedgerStatus, url: LedgerURL, account: String) -> JSONValue {
        let rows = JSONObject(LedgerState.allCases.map { ($0.rawValue, .int(s.rows[$0] ?? 0)) })
        let owners: [JSONValue] = s.liveOwners.map {
            ["owner": .string($0.owner), "label": .string($0.label), "leaseRemainingMs": .int($0.leaseRemainingMs)]
        }
        return ["ledger": .string(url.display), "engine": .string(url.kind.rawValue), "schemaVersion": .int(s.schemaVersion),
                "account": .string(account), "rows": .object(rows), "heldTokens": .int(s.heldTokens),
                "limit": .int(Int64(s.limit)), "admittedTotal": .int(s.admittedTotal),
                "cooldownRemainingMs": .int(s.cooldownRemainingMs), "owners": .array(owners)]
    }

    static func lines(_ s: LedgerStatus, url: LedgerURL, account: String) -> [String] {
        let rows = LedgerState.allCases.compactMap { state in s.rows[state].flatMap { $0 > 0 ? "\(state.rawValue) \($0)" : nil } }
        var out = [
            "ledger:   \(url.display) (schema version \(s.schemaVersion))",
            "account:  \(account.prefix(16))",
            "rows:     \(rows.isEmpty ? "none" : rows.joined(separator: ", "))",
            "limit:    \(s.heldTokens) of \(s.limit) tokens held; \(s.admittedTotal) sends admitted in all",
            "cooldown: \(s.cooldownRemainingMs > 0 ? seconds(s.cooldownRemainingMs) + " left" : "none")",
        ]
        if s.liveOwners.isEmpty { out.append("owners:   none live") }
        for (i, o) in s.liveOwners.enumerated() {
            out.append("\(i == 0 ? "owners:  " : "         ") \(o.label) (lease \(seconds(o.leaseRemainingMs)) left)")
        }
        return out
    }

    /// Milliseconds as seconds with one decimal ("27.1 s").
    static func seconds(_ ms: Int64) -> String {
        let tenths = max(0, ms) / 100
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
