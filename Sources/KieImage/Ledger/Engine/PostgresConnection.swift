import CLibPQ
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// One PostgreSQL connection through the system's libpq (loaded on first use: LibPQ.swift),
/// which reads the URL, `PGPASSWORD`, `~/.pgpass` and `sslmode` itself. Blocking: used from the
/// engine's pool threads only.
final class PostgresConnection {
    private let conn: OpaquePointer
    private let redactor: URLRedactor
    private let pq: LibPQ
    /// The statements prepared on this connection (session-wide, whatever becomes of the
    /// transaction that prepared them), by their text: a ledger runs the same dozen statements
    /// again and again, so each is parsed and analysed once per connection (BENCHMARKS.md, P9).
    private var prepared: [String: String] = [:]
    /// A prepared statement the server refused to run again (its tables changed shape under
    /// it, SQLSTATE 0A000): the connection is not reused.
    private var stale = false

    init(url: String, redactor: URLRedactor, connectTimeoutS: Int = 5, applicationName: String = "kieimage-ledger") throws(KieError) {
        self.redactor = redactor
        let pq = try LibPQ.shared.get()
        self.pq = pq
        // Earlier keywords are defaults: the URL's own parameters override them.
        let keys = ["connect_timeout", "application_name", "dbname"]
        let values = [String(connectTimeoutS), applicationName, url]
        let made: OpaquePointer? = keys.withCStrings { k in
            values.withCStrings { v in pq.connectdbParams(k, v, 1) }
        }
        guard let made else { throw .ledger(.postgresql, "cannot connect to \(redactor.display): out of memory") }
        conn = made
        guard pq.status(made) == CONNECTION_OK else {
            // Fully initialised: deinit closes the connection when this throws.
            let cause = redactor.redact(Self.message(made, pq))
            throw .ledger(.postgresql, "cannot connect to \(redactor.display): \(cause)")
        }
    }

    deinit { pq.finish(conn) }

    var isBroken: Bool { pq.status(conn) != CONNECTION_OK }

    /// Connected and outside any transaction: fit to be used again.
    var isReusable: Bool { !stale && !isBroken && pq.transactionStatus(conn) == PQTRANS_IDLE }

    var socket: Int32 { pq.socket(conn) }

    /// Runs SQL without parameters (may hold several statements).
    func exec(_ sql: String) throws(KieError) {
        guard let res = pq.exec(conn, sql) else { throw failure("no result") }
        defer { pq.clear(res) }
        try check(res)
    }

    /// Runs one statement with `$1`... parameters, all sent and read as text, as the statement
    /// prepared on this connection for that text (prepared on its first use).
    func rows(_ sql: String, _ binds: [SQLValue]) throws(KieError) -> [SQLRow] {
        let name = try preparedName(sql)
        let texts = binds.map(\.text)
        let res: OpaquePointer? = texts.withOptionalCStrings { params in
            pq.execPrepared(conn, name, Int32(texts.count), params, nil, nil, 0)
        }
        guard let res else { throw failure("no result") }
        defer { pq.clear(res) }
        if Self.sqlState(res, pq) == "0A000" { stale = true }
        try check(res)
        let columns = pq.nfields(res)
        return (0..<pq.ntuples(res)).map { r in
            (0..<columns).map { c in
                pq.getisnull(res, r, c) != 0 ? .null : .text(pq.getvalue(res, r, c).map { String(cString: $0) } ?? "")
            }
        }
    }

    /// The name of the statement prepared for `sql`; the server infers the parameters' types,
    /// as it would for the text sent alone.
    private func preparedName(_ sql: String) throws(KieError) -> String {
        if let name = prepared[sql] { return name }
        let name = "kie_\(prepared.count)"
        guard let res = pq.prepare(conn, name, sql, 0, nil) else { throw failure("no result") }
        defer { pq.clear(res) }
        try check(res)
        prepared[sql] = name
        return name
    }

    /// Reads what the server sent and returns the NOTIFY payloads received; throws when the
    /// connection is gone.
    func notifications() throws(KieError) -> [String] {
        guard pq.consumeInput(conn) != 0 else { throw failure("connection lost") }
        var out: [String] = []
        while let n = pq.notifies(conn) {
            out.append(String(cString: n.pointee.extra))
            pq.freemem(UnsafeMutableRawPointer(n))
        }
        return out
    }

    private func check(_ res: OpaquePointer) throws(KieError) {
        let status = pq.resultStatus(res)
        guard status != PGRES_COMMAND_OK, status != PGRES_TUPLES_OK else { return }
        let state = Self.sqlState(res, pq) ?? "?"
        let text = pq.resultErrorMessage(res).map { String(cString: $0) } ?? ""
        throw failure("SQLSTATE \(state): \(text.trimmed)")
    }

    /// The SQLSTATE of a failed result, nil for a success.
    private static func sqlState(_ res: OpaquePointer, _ pq: LibPQ) -> String? {
        pq.resultErrorField(res, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
    }

    private func failure(_ cause: String) -> KieError {
        let detail = isBroken ? "connection to \(redactor.display) lost: \(Self.message(conn, pq))" : cause
        return .ledger(.postgresql, redactor.redact(detail))
    }

    private static func message(_ conn: OpaquePointer, _ pq: LibPQ) -> String {
        String((pq.errorMessage(conn).map { String(cString: $0) } ?? "").trimmed)
    }
}

extension Array where Element == String {
    /// The strings as a NULL-terminated C array, valid during `body`.
    func withCStrings<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        map(Optional.some).withOptionalCStrings { body($0) }
    }
}

extension Array where Element == String? {
    func withOptionalCStrings<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let array = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: count + 1)
        for (i, s) in enumerated() { array[i] = s.flatMap { UnsafePointer(strdup($0)) } }
        array[count] = nil
        defer {
            for i in 0..<count { free(UnsafeMutableRawPointer(mutating: array[i])) }
            array.deallocate()
        }
        return body(array)
    }
}
