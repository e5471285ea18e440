import CLibPQ
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// One PostgreSQL connection through the system's libpq, which reads the URL, `PGPASSWORD`,
/// `~/.pgpass` and `sslmode` itself. Blocking: used from the engine's pool threads only.
final class PostgresConnection {
    private let conn: OpaquePointer
    private let redactor: URLRedactor

    init(url: String, redactor: URLRedactor, connectTimeoutS: Int = 5, applicationName: String = "kieimage-ledger") throws(KieError) {
        self.redactor = redactor
        // Earlier keywords are defaults: the URL's own parameters override them.
        let keys = ["connect_timeout", "application_name", "dbname"]
        let values = [String(connectTimeoutS), applicationName, url]
        let made: OpaquePointer? = keys.withCStrings { k in
            values.withCStrings { v in PQconnectdbParams(k, v, 1) }
        }
        guard let made else { throw .ledger(.postgresql, "cannot connect to \(redactor.display): out of memory") }
        conn = made
        guard PQstatus(made) == CONNECTION_OK else {
            // Fully initialised: deinit closes the connection when this throws.
            let cause = redactor.redact(Self.message(made))
            throw .ledger(.postgresql, "cannot connect to \(redactor.display): \(cause)")
        }
    }

    deinit { PQfinish(conn) }

    var isBroken: Bool { PQstatus(conn) != CONNECTION_OK }

    /// Connected and outside any transaction: fit to be used again.
    var isReusable: Bool { !isBroken && PQtransactionStatus(conn) == PQTRANS_IDLE }

    var socket: Int32 { PQsocket(conn) }

    /// Runs SQL without parameters (may hold several statements).
    func exec(_ sql: String) throws(KieError) {
        guard let res = PQexec(conn, sql) else { throw failure("no result") }
        defer { PQclear(res) }
        try check(res)
    }

    /// Runs one statement with `$1`... parameters, all sent and read as text.
    func rows(_ sql: String, _ binds: [SQLValue]) throws(KieError) -> [SQLRow] {
        let texts = binds.map(\.text)
        let res: OpaquePointer? = texts.withOptionalCStrings { params in
            PQexecParams(conn, sql, Int32(texts.count), nil, params, nil, nil, 0)
        }
        guard let res else { throw failure("no result") }
        defer { PQclear(res) }
        try check(res)
        let columns = PQnfields(res)
        return (0..<PQntuples(res)).map { r in
            (0..<columns).map { c in
                PQgetisnull(res, r, c) != 0 ? .null : .text(String(cString: PQgetvalue(res, r, c)))
            }
        }
    }

    /// Reads what the server sent and returns the NOTIFY payloads received; throws when the
    /// connection is gone.
    func notifications() throws(KieError) -> [String] {
        guard PQconsumeInput(conn) != 0 else { throw failure("connection lost") }
        var out: [String] = []
        while let n = PQnotifies(conn) {
            out.append(String(cString: n.pointee.extra))
            PQfreemem(n)
        }
        return out
    }

    private func check(_ res: OpaquePointer) throws(KieError) {
        let status = PQresultStatus(res)
        guard status != PGRES_COMMAND_OK, status != PGRES_TUPLES_OK else { return }
        let state = PQresultErrorField(res, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? "?"
        let text = PQresultErrorMessage(res).map { String(cString: $0) } ?? ""
        throw failure("SQLSTATE \(state): \(text.trimmed)")
    }

    private func failure(_ cause: String) -> KieError {
        let detail = isBroken ? "connection to \(redactor.display) lost: \(Self.message(conn))" : cause
        return .ledger(.postgresql, redactor.redact(detail))
    }

    private static func message(_ conn: OpaquePointer) -> String {
        String(String(cString: PQerrorMessage(conn)).trimmed)
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
