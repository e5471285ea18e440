#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Writes to stdout (results, for scripts) and stderr (progress, errors), unbuffered, one lock for
/// both so that a progress redraw never interleaves with a result line.
enum Console {
    private static let lock = Mutex<Void>(())

    static func out(_ line: String) { write(fd: 1, line + "\n") }
    static func err(_ line: String) { write(fd: 2, line + "\n") }

    static func write(fd: Int32, _ text: String) {
        lock.withLock { _ in
            let bytes = Array(text.utf8)
            bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(fd, base + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += n
                }
            }
        }
    }

    /// True when stderr is a terminal: progress is drawn as a bar, else printed as plain lines.
    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// Terminal width for the bar, from the tty or COLUMNS, 80 when unknown.
    static var columns: Int {
        var size = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        if let c = Environment.get("COLUMNS").flatMap({ Int($0) }), c > 20 { return c }
        return 80
    }
}

enum Environment {
    static func get(_ name: String) -> String? {
        guard let p = getenv(name) else { return nil }
        let s = String(cString: p)
        return s.isEmpty ? nil : s
    }
}
