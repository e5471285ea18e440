#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// A file written through a temporary name and renamed into place only when complete and
/// fsync'd, so a reader (or a resumed batch) never sees a partial file.
final class FileSink {
    let tempPath: String
    private var fd: Int32
    private(set) var bytes = 0
    /// The last bytes written, to check an image's end marker before accepting it.
    private(set) var tail: [UInt8] = []

    init(directory: String, stem: String) throws(KieError) {
        tempPath = "\(directory)/.\(stem).\(UInt32.random(in: 0...UInt32.max)).part"
        fd = open(tempPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw KieError(.io, "cannot create \(tempPath): \(Errno.text())") }
    }

    func write(_ buffer: ByteBuffer) throws(KieError) {
        let ok = buffer.withUnsafeReadableBytes { raw -> Bool in
            guard let base = raw.baseAddress else { return true }
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, base + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        guard ok else { throw KieError(.io, "cannot write \(tempPath): \(Errno.text())") }
        bytes += buffer.readableBytes
        tail = Array((tail + buffer.readableBytesView).suffix(12))
    }

    /// fsync, close and rename to `finalPath`.
    func commit(to finalPath: String) throws(KieError) {
        guard fsync(fd) == 0 else { throw KieError(.io, "cannot sync \(tempPath): \(Errno.text())") }
        close(fd)
        fd = -1
        let tempPath = tempPath
        try CrashHook.placing { () throws(KieError) in
            guard rename(tempPath, finalPath) == 0 else { throw KieError(.io, "cannot rename to \(finalPath): \(Errno.text())") }
        }
    }

    /// Removes `.<stem>.*.part` files a killed earlier run left in `directory` (a temporary file
    /// is never renamed into place unless complete, so these are only ever garbage).
    static func removeStale(directory: String, stem: String) {
        guard let dir = opendir(directory) else { return }
        defer { closedir(dir) }
        let prefix = "." + stem + "."
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name.hasPrefix(prefix) && name.hasSuffix(".part") { unlink(directory + "/" + name) }
        }
    }

    /// Removes the partial file (after a failure).
    func discard() {
        if fd >= 0 { close(fd); fd = -1 }
        unlink(tempPath)
    }

    deinit { if fd >= 0 { close(fd); unlink(tempPath) } }
}
