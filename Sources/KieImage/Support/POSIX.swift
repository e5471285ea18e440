#if canImport(Glibc)
import Glibc
#endif

/// The few POSIX file operations the library needs, each failure a KieError with errno's text.
enum LocalFile {
    static func read(_ path: String, limit: Int) throws(KieError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw KieError(.io, "cannot open \(path): \(Errno.text())") }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw KieError(.io, "cannot read \(path): \(Errno.text())") }
            if n == 0 { break }
            out += chunk[0..<n]
            guard out.count <= limit else { throw KieError(.io, "\(path) is larger than \(limit) bytes") }
        }
        return out
    }
}

enum Errno {
    static func text() -> String { String(cString: strerror(errno)) }
}

public enum Directories {
    /// mkdir -p.
    public static func create(_ path: String) throws(KieError) {
        var built = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            built += "/" + part
            if mkdir(built, 0o755) != 0 && errno != EEXIST {
                throw KieError(.io, "cannot create directory \(built): \(Errno.text())")
            }
        }
    }
}
