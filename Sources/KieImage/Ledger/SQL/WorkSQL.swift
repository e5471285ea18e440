/// Statements on `kie_work`. Every change of state is guarded on the state, the owner and the
/// epoch it expects (a compare-and-set: a stale process's update matches nothing), and on
/// PostgreSQL notifies `kie_ledger` with the row id in the same transaction.
enum WorkSQL {
    static let columns = "id, state, family, request, tag, idempotency_key, task_id, owner, epoch, detail, updated_at_ms"

    static let byId = "SELECT \(columns) FROM kie_work WHERE account = $1 AND id = $2"

    static let byKey = "SELECT \(columns) FROM kie_work WHERE account = $1 AND idempotency_key = $2"

    static let byTask = "SELECT \(columns) FROM kie_work WHERE account = $1 AND task_id = $2 ORDER BY updated_at_ms DESC LIMIT 1"

    static let list = "SELECT \(columns) FROM kie_work WHERE account = $1 ORDER BY created_at_ms, id"

    static let counts = "SELECT state, count(*) FROM kie_work WHERE account = $1 GROUP BY state"

    /// A new `intent` row, returned; none when the id or the idempotency key is taken already.
    static let insert = """
        INSERT INTO kie_work (id, account, state, family, request, tag, idempotency_key, owner, epoch, created_at_ms, updated_at_ms, charge_mc)
        VALUES ($2, $1, 'intent', $3, $4, $5, $6, $7, 0, $8, $8, $9)
        ON CONFLICT DO NOTHING
        RETURNING \(columns)
        """

    /// An `intent` or `abandoned` row (nothing sent) passes to a new owner with the caller's body.
    static let takeOver = """
        UPDATE kie_work SET state = 'intent', owner = $3, epoch = epoch + 1, family = $5, request = $6, tag = $7,
          detail = NULL, updated_at_ms = $8, charge_mc = $9
        WHERE account = $1 AND id = $2 AND epoch = $4 AND state IN ('intent', 'abandoned')
        RETURNING epoch
        """

    /// The fence: `intent` -> `sending` under this owner and epoch, in the admission's transaction.
    static let toSending = """
        UPDATE kie_work SET state = 'sending', epoch = epoch + 1, updated_at_ms = $5
        WHERE account = $1 AND id = $2 AND state = 'intent' AND owner = $3 AND epoch = $4
        RETURNING epoch
        """

    /// A claim's row settles: $5 new state, $6 task id (kept when NULL), $7 detail, $8 time;
    /// `bump` 1 moves the epoch on (the claim is spent), 0 keeps it (the owner goes on waiting).
    static let settle = """
        UPDATE kie_work SET state = $5, task_id = coalesce($6, task_id), detail = $7, epoch = epoch + $9, updated_at_ms = $8
        WHERE account = $1 AND id = $2 AND state = 'sending' AND owner = $3 AND epoch = $4
        RETURNING id
        """

    /// A submitted task ends (succeeded, failed) or its files are saved (downloaded).
    static let finish = """
        UPDATE kie_work SET state = $5, detail = $6, updated_at_ms = $7
        WHERE account = $1 AND id = $2 AND owner = $3 AND epoch = $4 AND state IN ('submitted', 'succeeded')
        RETURNING id
        """

    /// Rows of owners whose lease ended: `sending` -> `unknown` (it may have reached kie: never
    /// resent), `intent` -> `abandoned` (nothing was sent). $3: the epoch-checked row list is
    /// re-read inside the same statement, so a row that settled meanwhile is left alone.
    static let reap = """
        UPDATE kie_work SET state = CASE state WHEN 'sending' THEN 'unknown' ELSE 'abandoned' END, epoch = epoch + 1,
          detail = CASE state WHEN 'sending' THEN $3 ELSE $4 END, updated_at_ms = $5
        WHERE account = $1 AND state IN ('sending', 'intent') AND id IN (
          SELECT w.id FROM kie_work w WHERE w.account = $1 AND w.state IN ('sending', 'intent') AND \(OwnerSQL.ownerExpired))
        RETURNING id, state
        """

    /// `submitted` rows whose owner's lease ended (or that have none: resolved by hand) pass to
    /// this owner, at most $4 of them, each to exactly one process (the account lock serialises).
    /// $7 is `succeeded` to take also the rows whose files were not all saved (the owner died
    /// mid-download), else `submitted` again.
    static let takeOverSubmitted = """
        UPDATE kie_work SET owner = $3, epoch = epoch + 1, updated_at_ms = $5
        WHERE account = $1 AND state IN ('submitted', $7) AND id IN (
          SELECT w.id FROM kie_work w WHERE w.account = $1 AND w.state IN ('submitted', $7)
            AND (w.owner IS NULL OR \(OwnerSQL.ownerExpired)) AND ($6 = '' OR substr(coalesce(w.idempotency_key, ''), 1, length($6)) = $6)
            ORDER BY w.created_at_ms LIMIT $4)
        RETURNING \(columns)
        """

    /// §6.4 resolve: `unknown` -> `submitted` with a task id found in kie's logs (no owner: the
    /// next resume takes it), or -> `abandoned` (the caller may submit the work again).
    static let resolve = """
        UPDATE kie_work SET state = $3, task_id = $4, owner = NULL, epoch = epoch + 1, updated_at_ms = $5
        WHERE account = $1 AND id = $2 AND state = 'unknown'
        RETURNING id
        """

    /// This owner gives up its own `intent` row (nothing was sent): `abandoned`, free for the same
    /// idempotency key in any process.
    static let abandonIntent = """
        UPDATE kie_work SET state = 'abandoned', epoch = epoch + 1, detail = $4, updated_at_ms = $5
        WHERE account = $1 AND id = $2 AND owner = $3 AND state = 'intent'
        RETURNING id
        """

    /// The end of a task confirmed by a read of kie, recorded by any process (a callback receiver,
    /// a waiter that is not the owner): `submitted`/`unknown`/`succeeded` rows move on, once.
    static let endByTask = """
        UPDATE kie_work SET state = $3, detail = coalesce($4, detail), updated_at_ms = $5, charge_mc = coalesce($6, charge_mc)
        WHERE account = $1 AND task_id = $2 AND state IN ('submitted', 'succeeded') AND state <> $3
        RETURNING id
        """

    /// The account's spend (credits x 1000) since $2 (wall ms), without row $3: every generate
    /// sent or being sent, at what kie charged or else its price; nothing sent counts nothing.
    static let spend = """
        SELECT coalesce(sum(charge_mc), 0) FROM kie_work
        WHERE account = $1 AND created_at_ms >= $2 AND id <> $3 AND state NOT IN ('intent', 'rejected', 'abandoned')
        """

    static let notify = "SELECT pg_notify('kie_ledger', $1)"

    /// `update` (a statement whose `$2` is the row id) that also notifies its change on
    /// PostgreSQL, in one round trip: the NOTIFY is sent only when the row matched (a data-
    /// modifying CTE runs once; its rows feed the notify). SQLite: `update` itself.
    static func notifying(_ update: String, _ kind: LedgerEngineKind) -> String {
        kind == .postgresql ? "WITH changed AS (\(update)) SELECT changed.*, pg_notify('kie_ledger', $2) FROM changed" : update
    }
}
