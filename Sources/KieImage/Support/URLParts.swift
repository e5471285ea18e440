/// The parts of an absolute http(s) URL the library needs: which origin gets the API key
/// (only the configured API and upload hosts), and a file name for downloads.
///
/// Parsed from the UTF-8 bytes: every delimiter is ASCII, so slicing at them keeps valid UTF-8.
/// It runs on every API request (the key's origin check), so it does no Character-level work.
public struct URLParts: Sendable, Equatable {
    public var scheme: String
    public var host: String
    public var port: Int
    public var path: String

    public init?(_ text: String) {
        var text = text
        guard let parts = text.withUTF8({ Self.parse($0) }) else { return nil }
        self = parts
    }

    private init(scheme: String, host: String, port: Int, path: String) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
    }

    /// True when both URLs address the same scheme, host and port.
    public func sameOrigin(as other: URLParts) -> Bool {
        scheme == other.scheme && host == other.host && port == other.port
    }

    private static func parse(_ b: UnsafeBufferPointer<UInt8>) -> URLParts? {
        guard b.count <= 8192, !containsSpaceOrNewline(b) else { return nil }
        func lower(_ x: UInt8) -> UInt8 { x >= 0x41 && x <= 0x5A ? x | 0x20 : x }
        func matches(_ at: Int, _ ascii: StaticString) -> Bool {
            let n = ascii.utf8CodeUnitCount
            guard b.count - at >= n else { return false }
            for k in 0..<n where lower(b[at + k]) != ascii.utf8Start[k] { return false }
            return true
        }
        let scheme: String, start: Int
        if matches(0, "https://") {
            (scheme, start) = ("https", 8)
        } else if matches(0, "http://") {
            (scheme, start) = ("http", 7)
        } else {
            return nil
        }
        var authorityEnd = start
        while authorityEnd < b.count, b[authorityEnd] != 0x2F, b[authorityEnd] != 0x3F, b[authorityEnd] != 0x23 {
            authorityEnd += 1
        }
        var hostStart = start
        for k in stride(from: authorityEnd - 1, through: start, by: -1) where b[k] == 0x40 {  // last '@'
            hostStart = k + 1
            break
        }
        var hostEnd = authorityEnd
        var port = scheme == "https" ? 443 : 80
        if hostStart < authorityEnd, b[hostStart] == 0x5B {  // "[v6]" and an optional ":port"
            guard let close = (hostStart..<authorityEnd).first(where: { b[$0] == 0x5D }) else { return nil }
            hostEnd = close + 1
            if hostEnd < authorityEnd, b[hostEnd] == 0x3A {
                guard let p = portNumber(b, hostEnd + 1, authorityEnd) else { return nil }
                port = p
            }
        } else if let colon = (hostStart..<authorityEnd).last(where: { b[$0] == 0x3A }) {
            hostEnd = colon
            guard let p = portNumber(b, colon + 1, authorityEnd) else { return nil }
            port = p
        }
        guard hostEnd > hostStart else { return nil }
        var pathEnd = authorityEnd
        while pathEnd < b.count, b[pathEnd] != 0x3F, b[pathEnd] != 0x23 { pathEnd += 1 }
        let hostBytes = UnsafeBufferPointer(rebasing: b[hostStart..<hostEnd])
        let host: String
        if hostBytes.allSatisfy({ $0 < 0x80 }) {
            host = String(unsafeUninitializedCapacity: hostBytes.count) { out in
                for (k, c) in hostBytes.enumerated() { out[k] = lower(c) }
                return hostBytes.count
            }
        } else {
            host = String(decoding: hostBytes, as: UTF8.self).lowercased()
        }
        let path = String(decoding: UnsafeBufferPointer(rebasing: b[authorityEnd..<pathEnd]), as: UTF8.self)
        return URLParts(scheme: scheme, host: host, port: port, path: path)
    }

    /// A space or a newline as `Character.isNewline` has it: LF, VT, FF, CR, NEL, LS, PS.
    private static func containsSpaceOrNewline(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        for k in b.indices {
            switch b[k] {
            case 0x20, 0x0A...0x0D: return true
            case 0xC2 where k + 1 < b.count && b[k + 1] == 0x85: return true
            case 0xE2 where k + 2 < b.count && b[k + 1] == 0x80 && (b[k + 2] == 0xA8 || b[k + 2] == 0xA9): return true
            default: continue
            }
        }
        return false
    }

    /// The port in `b[from..<to]` as `Int(_:)` reads it (an optional '+', decimal digits), in 1...65535.
    private static func portNumber(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Int? {
        var k = from
        if k < to, b[k] == 0x2B { k += 1 }
        guard k < to else { return nil }
        var value = 0
        while k < to {
            let d = b[k] &- 0x30
            guard d < 10 else { return nil }
            value = value * 10 + Int(d)
            guard value <= 65535 else { return nil }
            k += 1
        }
        return value >= 1 ? value : nil
    }
}
