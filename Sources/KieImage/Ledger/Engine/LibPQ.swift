import CLibPQ

#if canImport(Glibc)
import Glibc
#endif

/// The system's libpq, loaded with dlopen by the first `postgresql://` ledger (docs/ledger.md):
/// the library does not link it, so a process that never names a PostgreSQL ledger runs where
/// libpq is not installed (scripts/abi-check refuses a NEEDED libpq). Only the types come from
/// libpq-fe.h at build time. Loaded once per process and never unloaded.
struct LibPQ: @unchecked Sendable {
    typealias CStrings = UnsafePointer<UnsafePointer<CChar>?>?
    typealias CString = UnsafePointer<CChar>?

    let connectdbParams: @convention(c) (CStrings, CStrings, Int32) -> OpaquePointer?
    let status: @convention(c) (OpaquePointer?) -> ConnStatusType
    let finish: @convention(c) (OpaquePointer?) -> Void
    let transactionStatus: @convention(c) (OpaquePointer?) -> PGTransactionStatusType
    let socket: @convention(c) (OpaquePointer?) -> Int32
    let exec: @convention(c) (OpaquePointer?, CString) -> OpaquePointer?
    let execParams: @convention(c) (OpaquePointer?, CString, Int32, UnsafePointer<Oid>?, CStrings,
                                    UnsafePointer<Int32>?, UnsafePointer<Int32>?, Int32) -> OpaquePointer?
    let prepare: @convention(c) (OpaquePointer?, CString, CString, Int32, UnsafePointer<Oid>?) -> OpaquePointer?
    let execPrepared: @convention(c) (OpaquePointer?, CString, Int32, CStrings, UnsafePointer<Int32>?,
                                      UnsafePointer<Int32>?, Int32) -> OpaquePointer?
    let clear: @convention(c) (OpaquePointer?) -> Void
    let nfields: @convention(c) (OpaquePointer?) -> Int32
    let ntuples: @convention(c) (OpaquePointer?) -> Int32
    let getisnull: @convention(c) (OpaquePointer?, Int32, Int32) -> Int32
    let getvalue: @convention(c) (OpaquePointer?, Int32, Int32) -> UnsafeMutablePointer<CChar>?
    let consumeInput: @convention(c) (OpaquePointer?) -> Int32
    let notifies: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<PGnotify>?
    let freemem: @convention(c) (UnsafeMutableRawPointer?) -> Void
    let resultStatus: @convention(c) (OpaquePointer?) -> ExecStatusType
    let resultErrorField: @convention(c) (OpaquePointer?, Int32) -> UnsafeMutablePointer<CChar>?
    let resultErrorMessage: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>?
    let errorMessage: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>?

    /// libpq, or why it could not be loaded (KIE_E_LEDGER naming the library to install).
    static let shared: Result<LibPQ, KieError> = load()

    private static func load() -> Result<LibPQ, KieError> {
        let names = ["libpq.so.5", "libpq.so"]
        guard let handle = names.lazy.compactMap({ dlopen($0, RTLD_NOW | RTLD_LOCAL) }).first else {
            let why = dlerror().map { String(cString: $0) } ?? "not found"
            return .failure(.ledger(.postgresql, "libpq (libpq.so.5) could not be loaded: \(why); install libpq5 (Debian, Ubuntu) or the system's PostgreSQL client library"))
        }
        do {
            return .success(try LibPQ(handle))
        } catch {
            return .failure(.ledger(.postgresql, "libpq lacks \(error.name): a libpq of PostgreSQL 10 or later is needed"))
        }
    }

    private struct MissingSymbol: Error { let name: String }

    private init(_ handle: UnsafeMutableRawPointer) throws(MissingSymbol) {
        func sym<F>(_ name: String) throws(MissingSymbol) -> F {
            guard let p = dlsym(handle, name) else { throw MissingSymbol(name: name) }
            return unsafeBitCast(p, to: F.self)
        }
        connectdbParams = try sym("PQconnectdbParams")
        status = try sym("PQstatus")
        finish = try sym("PQfinish")
        transactionStatus = try sym("PQtransactionStatus")
        socket = try sym("PQsocket")
        exec = try sym("PQexec")
        execParams = try sym("PQexecParams")
        prepare = try sym("PQprepare")
        execPrepared = try sym("PQexecPrepared")
        clear = try sym("PQclear")
        nfields = try sym("PQnfields")
        ntuples = try sym("PQntuples")
        getisnull = try sym("PQgetisnull")
        getvalue = try sym("PQgetvalue")
        consumeInput = try sym("PQconsumeInput")
        notifies = try sym("PQnotifies")
        freemem = try sym("PQfreemem")
        resultStatus = try sym("PQresultStatus")
        resultErrorField = try sym("PQresultErrorField")
        resultErrorMessage = try sym("PQresultErrorMessage")
        errorMessage = try sym("PQerrorMessage")
    }
}
