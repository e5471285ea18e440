import Crypto
import FoundationEssentials

/// The ledger's link from a callback to its work row (docs/webhooks.md, "Unknown outcomes"):
/// the library adds `kie_lid=<row id>` to the `callBackUrl` it sends, keeping the user's own
/// query and fragment, and reads it back from the request target a receiver got or from the
/// `callBackUrl` kie echoes in the task's record.
enum CallbackLink {
    static let parameter = "kie_lid"

    /// `url` with `kie_lid=<rowId>` added to its query.
    static func adding(_ rowId: String, to url: String) -> String {
        var base = Substring(url), fragment = Substring("")
        if let hash = url.firstIndex(of: "#") {
            base = url[..<hash]
            fragment = url[hash...]
        }
        let joiner = base.contains("?") ? (base.hasSuffix("?") || base.hasSuffix("&") ? "" : "&") : "?"
        return "\(base)\(joiner)\(parameter)=\(rowId)\(fragment)"
    }

    /// The row id in a URL or a request target (`/kie?x=1&kie_lid=ab12`), or nil.
    static func rowId(in target: String?) -> String? {
        guard let target, let q = target.firstIndex(of: "?") else { return nil }
        let query = target[target.index(after: q)...].prefix { $0 != "#" }
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0] == parameter else { continue }
            let id = String(kv[1])
            // Row ids are hex (Ledger.randomHex, keyedRowId): anything else is not ours.
            return !id.isEmpty && id.count <= 64 && id.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) } ? id : nil
        }
        return nil
    }

    /// The row id of work with an idempotency key: the same for every process of the account, so
    /// the key's row is found by id and a row abandoned earlier is taken over under its own id.
    static func keyedRowId(account: String, key: String) -> String {
        let digest = SHA256.hash(data: Data("\(account)\u{0}\(key)".utf8))
        return digest.prefix(16).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}
