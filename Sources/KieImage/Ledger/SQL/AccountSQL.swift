/// Statements on `kie_accounts`: the per-account row every operation locks first, so the
/// account's operations run one at a time across every process (docs/ledger.md).
enum AccountSQL {
    static let ensure = "INSERT INTO kie_accounts (account) VALUES ($1) ON CONFLICT DO NOTHING"

    /// Locks the account (PostgreSQL row lock; SQLite holds the database lock already).
    static func lock(_ kind: LedgerEngineKind) -> String { kind == .postgresql ? read + " FOR UPDATE" : read }

    static let read = "SELECT cooldown_until_ms, last_admitted_ms, admitted_total FROM kie_accounts WHERE account = $1"

    static let admitted = """
        UPDATE kie_accounts SET last_admitted_ms = $2, admitted_total = admitted_total + 1 WHERE account = $1
        """

    /// $2: the cool-down's end; an earlier end never shortens a later one.
    static let cooldown = """
        UPDATE kie_accounts SET cooldown_until_ms = CASE WHEN cooldown_until_ms > $2 THEN cooldown_until_ms ELSE $2 END
        WHERE account = $1
        """
}

/// Statements on `kie_tokens`: one row per admitted HTTP attempt, counting against the limit
/// until `hold_until_ms`.
enum TokenSQL {
    static let dropExpired = "DELETE FROM kie_tokens WHERE account = $1 AND hold_until_ms <= $2"
    static let dropEvery: Int64 = 32

    static let held = "SELECT hold_until_ms FROM kie_tokens WHERE account = $1 AND hold_until_ms > $2 ORDER BY hold_until_ms"

    static let insert = """
        INSERT INTO kie_tokens (account, work_id, admitted_ms, hold_until_ms) VALUES ($1, $2, $3, $4) RETURNING id
        """

    /// PostgreSQL: `AccountSQL.admitted` and `insert` in one round trip (a data-modifying CTE;
    /// SQLite runs the two statements).
    static let insertCountingAdmission = """
        WITH admitted AS (
            UPDATE kie_accounts SET last_admitted_ms = $3, admitted_total = admitted_total + 1 WHERE account = $1 RETURNING account
        )
        INSERT INTO kie_tokens (account, work_id, admitted_ms, hold_until_ms)
        SELECT $1::text, $2::text, $3::bigint, $4::bigint FROM admitted RETURNING id
        """

    /// The attempt was answered (or given up) at $3: it counts until $3 + the window + margin.
    static let answered = "UPDATE kie_tokens SET hold_until_ms = $3 WHERE id = $1 AND account = $2"

    static let release = "DELETE FROM kie_tokens WHERE id = $1 AND account = $2"

    static let count = "SELECT count(*) FROM kie_tokens WHERE account = $1 AND hold_until_ms > $2"
}

/// Statements on `kie_owners`: one row per process incarnation with its lease.
enum OwnerSQL {
    static let renew = """
        INSERT INTO kie_owners (owner, account, label, started_ms, lease_expires_ms) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (owner) DO UPDATE SET lease_expires_ms = excluded.lease_expires_ms
        """

    static let live = """
        SELECT owner, label, lease_expires_ms FROM kie_owners WHERE account = $1 AND lease_expires_ms > $2 ORDER BY started_ms
        """

    /// The owner's lease ends now (its process shuts down): its rows are free to take over at once.
    static let release = "UPDATE kie_owners SET lease_expires_ms = $3 WHERE owner = $1 AND account = $2 AND lease_expires_ms > $3"

    /// Owners whose lease ended a day ago: nothing refers to them any more but dead rows.
    static let prune = "DELETE FROM kie_owners WHERE account = $1 AND lease_expires_ms < $2"

    /// SQL condition: row `w`'s owner holds no live lease at $2 (a pruned owner counts as dead).
    static let ownerExpired = """
        NOT EXISTS (SELECT 1 FROM kie_owners o WHERE o.owner = w.owner AND o.lease_expires_ms > $2)
        """
}

/// Statements on `kie_uploads` (issue #27): a file's digest -> kie's URL for it, while kie keeps it.
enum UploadSQL {
    static let get = "SELECT url FROM kie_uploads WHERE account = $1 AND digest = $2 AND expires_ms > $3"

    static let put = """
        INSERT INTO kie_uploads (account, digest, url, expires_ms) VALUES ($1, $2, $3, $4)
        ON CONFLICT (account, digest) DO UPDATE SET url = excluded.url, expires_ms = excluded.expires_ms
        """

    static let dropExpired = "DELETE FROM kie_uploads WHERE account = $1 AND expires_ms <= $2"
}
