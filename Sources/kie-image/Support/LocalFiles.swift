#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KieImage

/// `--image` / `--mask` values: URLs are passed through, local files are uploaded first.
enum LocalFiles {
    static func isURL(_ value: String) -> Bool {
        let lower = value.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    static func checkReadable(_ path: String, option: String) throws {
        guard access(path, R_OK) == 0 else {
            throw CLIFailure("IO", "\(option) \(path): not a URL and not a readable file", code: ExitCodes.other)
        }
    }

    /// A stand-in URL with the file's extension, so a request can be validated before uploading.
    static func placeholderURL(for path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? "file"
        return "https://upload.invalid/" + (name.contains(".") ? name : name + ".png")
    }
}

/// Temporary download files (`.<taskId>_<n>.<random>.part`, the core's FileSink) a killed run
/// left behind: the core renames a file into place only when complete, but a SIGKILL mid-download
/// leaves its temporary file. A resumed batch removes those of the tasks in its journal.
enum StaleParts {
    /// Removes `.<taskId>_*.part` in `directory` for the given task ids; returns how many.
    @discardableResult
    static func sweep(_ directory: String, taskIds: Set<String>) -> Int {
        guard !taskIds.isEmpty, let dir = opendir(directory) else { return 0 }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if isPart(name, of: taskIds) { names.append(name) }
        }
        closedir(dir)
        var removed = 0
        for name in names where unlink("\(directory)/\(name)") == 0 { removed += 1 }
        return removed
    }

    /// `.<taskId>_<digits>.<digits>.part` with a known task id.
    static func isPart(_ name: String, of taskIds: Set<String>) -> Bool {
        guard name.hasPrefix("."), name.hasSuffix(".part") else { return false }
        let middle = name.dropFirst().dropLast(5)
        let pieces = middle.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count == 2, !pieces[1].isEmpty, pieces[1].allSatisfy(\.isNumber),
              let underscore = pieces[0].lastIndex(of: "_") else { return false }
        let index = pieces[0][pieces[0].index(after: underscore)...]
        guard !index.isEmpty, index.allSatisfy(\.isNumber) else { return false }
        return taskIds.contains(String(pieces[0][..<underscore]))
    }
}
