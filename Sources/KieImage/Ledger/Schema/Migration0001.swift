/// Schema version 1: accounts with their limiter state, owners (one per process incarnation) with
/// their leases, work rows, admission tokens and the uploads map (docs/ledger.md, "Schema").
/// Stamps named `*_ms` are the decision clock (PostgreSQL: clock_timestamp() as Unix ms; SQLite:
/// CLOCK_MONOTONIC ms of the boot in kie_clock); `created_at_ms`/`updated_at_ms` are wall-clock
/// Unix ms for people and decide nothing.
enum Migration0001 {
    static let migration = LedgerMigration(version: 1, breaking: true, name: "ledger tables", statements: statements)

    static func statements(_ kind: LedgerEngineKind) -> [String] {
        let serial = kind == .postgresql ? "bigserial PRIMARY KEY" : "integer PRIMARY KEY AUTOINCREMENT"
        var out = [
            accounts, owners, work,
            "CREATE INDEX IF NOT EXISTS kie_work_account_state ON kie_work (account, state)",
            "CREATE INDEX IF NOT EXISTS kie_work_owner ON kie_work (owner)",
            "CREATE INDEX IF NOT EXISTS kie_work_task ON kie_work (account, task_id)",
            tokens(serial: serial),
            "CREATE INDEX IF NOT EXISTS kie_tokens_account_hold ON kie_tokens (account, hold_until_ms)",
            uploads,
        ]
        if kind == .sqlite {
            out += [
                "CREATE TABLE IF NOT EXISTS kie_clock (id integer PRIMARY KEY CHECK (id = 1), boot_id text NOT NULL)",
                "INSERT INTO kie_clock (id, boot_id) VALUES (1, '') ON CONFLICT DO NOTHING",
            ]
        }
        return out
    }

    static let accounts = """
        CREATE TABLE IF NOT EXISTS kie_accounts (
          account           text PRIMARY KEY,          -- HMAC-SHA-256 of the API key (hex), never the key
          cooldown_until_ms bigint NOT NULL DEFAULT 0, -- after kie's 429: no admission before this
          last_admitted_ms  bigint NOT NULL DEFAULT 0, -- the clock never runs backwards per account
          admitted_total    bigint NOT NULL DEFAULT 0
        )
        """

    static let owners = """
        CREATE TABLE IF NOT EXISTS kie_owners (
          owner            text PRIMARY KEY,           -- random per process incarnation
          account          text NOT NULL REFERENCES kie_accounts (account),
          label            text NOT NULL,              -- host:pid, for people
          started_ms       bigint NOT NULL,
          lease_expires_ms bigint NOT NULL             -- renewed while the owner lives
        )
        """

    static let work = """
        CREATE TABLE IF NOT EXISTS kie_work (
          id              text PRIMARY KEY,
          account         text NOT NULL REFERENCES kie_accounts (account),
          state           text NOT NULL CHECK (state IN ('intent', 'sending', 'submitted', 'rejected',
                            'unknown', 'abandoned', 'succeeded', 'failed', 'downloaded')),
          family          text NOT NULL,               -- 4o | market
          request         text NOT NULL,               -- the JSON body sent (or to be sent) to kie
          tag             text,
          idempotency_key text,
          task_id         text,
          owner           text,                        -- kie_owners.owner acting on the row
          epoch           bigint NOT NULL DEFAULT 0,   -- fencing: +1 at every change of hands
          detail          text,                        -- JSON: a message or {"files":[...]}
          charge_mc       bigint,                      -- credits x 1000: the price, then what kie charged
          created_at_ms   bigint NOT NULL,
          updated_at_ms   bigint NOT NULL,
          UNIQUE (account, idempotency_key)
        )
        """

    static func tokens(serial: String) -> String {
        """
        CREATE TABLE IF NOT EXISTS kie_tokens (
          id            \(serial),                      -- one per admitted HTTP attempt
          account       text NOT NULL REFERENCES kie_accounts (account),
          work_id       text NOT NULL,
          admitted_ms   bigint NOT NULL,
          hold_until_ms bigint NOT NULL              -- counts against the limit until then
        )
        """
    }

    static let uploads = """
        CREATE TABLE IF NOT EXISTS kie_uploads (
          account    text NOT NULL REFERENCES kie_accounts (account),
          digest     text NOT NULL,                    -- SHA-256 of the file's bytes (hex)
          url        text NOT NULL,
          expires_ms bigint NOT NULL,
          PRIMARY KEY (account, digest)
        )
        """
}
