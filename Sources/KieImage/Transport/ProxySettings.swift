/// Which HTTP proxy each URL the library calls goes through (docs/inputs-proxies-budget.md, "Proxies"): config
/// `proxy` for every URL; without it, as curl and Python's urllib read the environment,
/// `https_proxy`/`HTTPS_PROXY` for https URLs and `http_proxy`/`HTTP_PROXY` for http URLs (the
/// lowercase name first), except hosts that `no_proxy`/`NO_PROXY` lists. Proxies are HTTP proxies
/// (`http://[user:password@]host[:port]`), tunnelling every request with CONNECT; their
/// credentials are sent only to the proxy, never logged and never in an error.
public struct ProxySettings: Sendable, Equatable {
    /// One proxy server. `description` leaves the credentials out.
    public struct Server: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int
        var user: String?
        var password: String?
        public var description: String { "http://\(host):\(port)" }
        public var hasCredentials: Bool { user != nil }

    }

    /// Config `proxy`: every URL.
    public var all: Server?
    public var https: Server?
    public var http: Server?
    /// `no_proxy` entries, lowercased: `*`, a host or domain (a leading dot is ignored), an IP,
    /// each optionally with `:port`.
    public var noProxy: [String] = []

    public init() {}

    static let variables = ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY"]

    init(proxy: String?, env: [String: String]) throws(KieError) {
        if let proxy {
            all = try Self.server(proxy, name: "config proxy", defaultPort: nil)
            return
        }
        func value(_ lower: String) -> (String, String)? {
            if let v = env[lower], !v.isEmpty { return (lower, v) }
            if let v = env[lower.uppercased()], !v.isEmpty { return (lower.uppercased(), v) }
            return nil
        }
        if case let (name, v)? = value("https_proxy") { https = try Self.server(v, name: name, defaultPort: 1080) }
        if case let (name, v)? = value("http_proxy") { http = try Self.server(v, name: name, defaultPort: 1080) }
        if case let (_, v)? = value("no_proxy") {
            noProxy = v.split(separator: ",").map { String($0.trimmed).lowercased() }.filter { !$0.isEmpty }
        }
    }

    /// Parses `http://[user:password@]host[:port][/]`; the error never repeats the value.
    static func server(_ text: String, name: String, defaultPort: Int?) throws(KieError) -> Server {
        let field = name == "config proxy" ? "proxy" : name
        func bad(_ why: String) -> KieError { .invalidArgument("\(name) \(why) (expected http://[user:password@]host:port)", field: field) }
        var rest = Substring(text)
        if let r = rest.firstRange(of: "://") {
            guard rest[..<r.lowerBound].lowercased() == "http" else { throw bad("must be an http:// proxy") }
            rest = rest[r.upperBound...]
        }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/"), !rest.contains("?"), !rest.contains("#") else { throw bad("must have no path") }
        var user: String?, password: String?
        if let at = rest.lastIndex(of: "@") {
            let info = rest[..<at]
            let colon = info.firstIndex(of: ":")
            user = percentDecoded(colon.map { info[..<$0] } ?? info)
            password = colon.map { percentDecoded(info[info.index(after: $0)...]) }
            rest = rest[rest.index(after: at)...]
        }
        let hasPort = rest.hasPrefix("[") ? rest.contains("]:") : rest.contains(":")
        guard hasPort || defaultPort != nil else { throw bad("must name a port") }
        guard let parts = URLParts("http://" + rest + (hasPort ? "" : ":\(defaultPort ?? 1080)")) else { throw bad("is not host:port") }
        return Server(host: parts.host, port: parts.port, user: user, password: password)
    }

    static func percentDecoded(_ s: Substring) -> String {
        var out: [UInt8] = []
        var bytes = Array(s.utf8)[...]
        while let b = bytes.popFirst() {
            if b == 0x25, bytes.count >= 2, let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The proxy for a URL, or nil to connect directly.
    public func server(for url: String) -> Server? {
        if let all { return all }
        guard let parts = URLParts(url) else { return nil }
        guard let server = parts.scheme == "https" ? https : http else { return nil }
        return bypasses(host: parts.host, port: parts.port) ? nil : server
    }

    /// Whether `no_proxy` exempts a host: `*`; the host itself or a domain it is under; with
    /// `:port`, only at that port. Loopback is exempt only when listed.
    func bypasses(host: String, port: Int) -> Bool {
        let h = host.hasPrefix("[") && host.hasSuffix("]") ? Substring(host.dropFirst().dropLast()) : Substring(host)
        for entry in noProxy {
            if entry == "*" { return true }
            var name = Substring(entry)
            var wanted: Int?
            if name.hasPrefix("["), let close = name.firstIndex(of: "]") {
                let after = name[name.index(after: close)...]
                if after.hasPrefix(":") { wanted = Int(after.dropFirst()) ?? -1 }
                name = name[name.index(after: name.startIndex)..<close]
            } else if name.filter({ $0 == ":" }).count == 1, let colon = name.firstIndex(of: ":") {
                wanted = Int(name[name.index(after: colon)...]) ?? -1
                name = name[..<colon]
            }
            if let wanted, wanted != port { continue }
            while name.hasPrefix(".") || name.hasPrefix("*") { name = name.dropFirst() }
            if !name.isEmpty, h == name || h.hasSuffix("." + name) { return true }
        }
        return false
    }
}
