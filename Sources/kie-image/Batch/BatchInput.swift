#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KieImage

/// One request line of a batch file: its 1-based line number, its text (hashed so a resumed run
/// can tell the file changed under the journal) and the validated request or why it is invalid.
struct BatchLine: Sendable {
    let number: Int
    let hash: String
    let request: Result<ValidatedRequest, KieError>
}

enum BatchInput {
    /// Reads FILE.jsonl: one generate request object per line (API field names); blank lines and
    /// lines starting with `#` are skipped.
    static func read(path: String) throws -> [BatchLine] {
        guard let bytes = RawFile.read(path) else {
            throw CLIFailure("IO", "cannot read \(path)", code: ExitCodes.other)
        }
        var lines: [BatchLine] = []
        for (index, raw) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let text = String(decoding: raw, as: UTF8.self).trimmed
            if text.isEmpty || text.hasPrefix("#") { continue }
            let request: Result<ValidatedRequest, KieError>
            do {
                request = .success(try RequestValidator.validate(json: String(text)))
            } catch let e where e.status == .invalidArgument {
                request = .failure(KieError(.validation, "not a JSON request object: \(e.message)", field: nil))
            } catch {
                request = .failure(error)
            }
            lines.append(BatchLine(number: index + 1, hash: fnv1a(String(text)), request: request))
        }
        return lines
    }

    /// Refuses a file with invalid lines, each reported on stderr, unless `--skip-invalid` runs
    /// the valid ones (the invalid ones then end in the summary).
    static func refuseInvalid(_ lines: [BatchLine], file: String, skipInvalid: Bool) throws {
        let invalid = lines.compactMap { line in line.request.failure.map { (line.number, $0) } }
        guard !invalid.isEmpty && !skipInvalid else { return }
        for (number, e) in invalid { Console.err("kie-image: \(file):\(number): \(ErrorReport.line(for: e))") }
        throw CLIFailure("VALIDATION", "\(invalid.count) invalid line(s) in \(file); nothing was submitted (--skip-invalid runs the rest)",
                         code: ExitCodes.validation)
    }

    /// FNV-1a 64, hex: enough to notice an edited line, not a security measure.
    static func fnv1a(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension String {
    var trimmed: Substring {
        let s = Substring(self)
        let start = s.firstIndex(where: { !$0.isWhitespace }) ?? s.endIndex
        let end = s.lastIndex(where: { !$0.isWhitespace }).map { s.index(after: $0) } ?? start
        return start < end ? s[start..<end] : ""
    }
}

/// Whole-file reads with plain POSIX calls.
enum RawFile {
    static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return read(fd: fd)
    }

    static func readStandardInput() -> [UInt8] { read(fd: 0) ?? [] }

    static func read(fd: Int32) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return -1 }
                return Glibc.read(fd, base, raw.count)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { return out }
            out.append(contentsOf: buffer[0..<n])
        }
    }
}
