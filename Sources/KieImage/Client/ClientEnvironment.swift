#if canImport(Glibc)
import Glibc
#endif

extension ClientConfig {
    /// Every environment variable the library reads, in one place: a config key given in JSON
    /// (or a CLI option) wins; an empty variable counts as unset.
    /// The proxy variables are read as curl reads them (docs/inputs-proxies-budget.md, "Proxies").
    public static let environmentVariables = ["KIE_API_KEY", "KIE_BASE_URL", "KIE_UPLOAD_BASE_URL", "KIE_WEBHOOK_KEY", "KIE_LEDGER"]
        + ProxySettings.variables

    /// The process's values of `environmentVariables` (the set ones only).
    public static func environment() -> [String: String] {
        var env: [String: String] = [:]
        for name in environmentVariables {
            if let p = getenv(name) {
                let value = String(cString: p)
                if !value.isEmpty { env[name] = value }
            }
        }
        return env
    }
}
