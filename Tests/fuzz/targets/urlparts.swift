// libFuzzer target: URLParts (Support/URLParts.swift), which decides on every API request whether
// the API key may go to a URL's origin. Differential against the Character-level parser it
// replaced (below, unchanged): the same URLs accepted, with the same scheme, host, port and path.
// Inputs where a Character is more than one scalar are skipped: the old parser could not split a
// delimiter from a combining mark that follows it ("/\u{301}"), the byte parser does.
// Also: an accepted URL's origin is the origin of "scheme://host:port" rebuilt from its parts.
import KieImage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzURLParts(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let ours = URLParts(text)
    if text.unicodeScalars.count == text.count {
        let ref = ReferenceURLParts(text)
        if ours?.scheme != ref?.scheme || ours?.host != ref?.host || ours?.port != ref?.port || ours?.path != ref?.path {
            fatalError("URLParts and the reference disagree: \(String(describing: ours)) vs \(String(describing: ref))")
        }
    }
    if let o = ours, size < 8000, !o.host.contains(where: { $0 == "@" || $0 == "/" || $0 == "?" || $0 == "#" }) {
        guard let again = URLParts("\(o.scheme)://\(o.host):\(o.port)\(o.path)") else {
            fatalError("rebuilt URL rejected")
        }
        if !again.sameOrigin(as: o) || again.path != o.path { fatalError("rebuilt URL has another origin") }
    }
    return 0
}

/// The parser URLParts replaced (kieimage 0.2.0 before the byte-level rewrite), unchanged.
struct ReferenceURLParts {
    var scheme: String
    var host: String
    var port: Int
    var path: String

    init?(_ text: String) {
        guard text.utf8.count <= 8192, !text.contains(where: { $0 == " " || $0.isNewline }) else { return nil }
        let lower = text.lowercased()
        let scheme: String
        if lower.hasPrefix("https://") { scheme = "https" } else if lower.hasPrefix("http://") { scheme = "http" } else { return nil }
        let rest = text.dropFirst(scheme.count + 3)
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host = Substring(authority)
        var port = scheme == "https" ? 443 : 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else { return nil }
                port = p
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else { return nil }
            port = p
        }
        guard !host.isEmpty else { return nil }
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port
        let pathAndQuery = rest[authorityEnd...]
        let pathEnd = pathAndQuery.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? pathAndQuery.endIndex
        self.path = String(pathAndQuery[..<pathEnd])
    }

    /// True when both URLs address the same scheme, host and port.
    func sameOrigin(as other: ReferenceURLParts) -> Bool {
        scheme == other.scheme && host == other.host && port == other.port
    }
}
