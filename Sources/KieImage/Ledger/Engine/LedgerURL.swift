import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// The two engines a ledger runs on (docs/ledger.md).
public enum LedgerEngineKind: String, Sendable {
    case sqlite
    case postgresql
}

/// The config key `ledger` (docs/ledger.md): `sqlite:PATH` or `postgresql://user[:pass]@host:port/db?...`.
public struct LedgerURL: Sendable, Equatable {
    public let kind: LedgerEngineKind
    /// The SQLite file, or the PostgreSQL URL as given (handed to libpq, never shown).
    let target: String
    /// The URL with its password removed: the only form that appears in messages.
    public let display: String

    public init(_ text: String) throws(KieError) {
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else { throw .invalidArgument("ledger: sqlite: needs a file path", field: "ledger") }
            kind = .sqlite
            target = path
            display = "sqlite:" + path
        } else if text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") {
            kind = .postgresql
            target = text
            display = URLRedactor.withoutPassword(text)
        } else {
            throw .invalidArgument("ledger: expected sqlite:PATH or postgresql://...", field: "ledger")
        }
    }
}

/// Keeps PostgreSQL passwords (the URL's and `PGPASSWORD`) out of every message.
struct URLRedactor: Sendable {
    let display: String
    private let secrets: [String]

    /// `pgPassword`: the process's PGPASSWORD, which libpq reads by itself.
    init(url: String, pgPassword: String? = getenv("PGPASSWORD").map { String(cString: $0) }) {
        display = Self.withoutPassword(url)
        secrets = [Self.password(url), pgPassword].compactMap { $0 }.filter { !$0.isEmpty }
    }

    func redact(_ text: String) -> String {
        secrets.reduce(text) { $0.replacing($1, with: "[REDACTED]") }
    }

    /// `scheme://user:pass@host/...` -> `scheme://user@host/...`; also drops a `password=` parameter.
    static func withoutPassword(_ url: String) -> String {
        var out = url
        if let pw = password(url) { out = out.replacing(":" + pw + "@", with: "@") }
        if let q = out.firstIndex(of: "?") {
            let kept = out[out.index(after: q)...].split(separator: "&").filter { !$0.lowercased().hasPrefix("password=") }
            out = String(out[..<q]) + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
        }
        return out
    }

    /// The password of the URL's user info, or of a `password=` parameter.
    static func password(_ url: String) -> String? {
        guard let scheme = url.firstRange(of: "://") else { return nil }
        let rest = url[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
            return String(authority[authority.index(after: colon)..<at])
        }
        if let q = url.firstIndex(of: "?") {
            for pair in url[url.index(after: q)...].split(separator: "&") where pair.lowercased().hasPrefix("password=") {
                return String(pair.dropFirst("password=".count))
            }
        }
        return nil
    }
}
