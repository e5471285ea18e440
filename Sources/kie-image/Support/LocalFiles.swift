#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KieImage

/// `--image` / `--mask` / `upload` values: URLs as they are, local files as paths the core takes
/// (docs/inputs-proxies-budget.md, "Local files as inputs": the core uploads them).
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

    /// The value for the request: a URL (http(s) or `file:`) or an absolute path as given, a
    /// relative path made absolute against the working directory (the core takes absolute ones).
    static func requestValue(_ value: String) -> String {
        if isURL(value) || value.lowercased().hasPrefix("file:") || value.hasPrefix("/") { return value }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return value }
        let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let relative = value.hasPrefix("./") ? String(value.dropFirst(2)) : value
        return cwd == "/" ? "/" + relative : cwd + "/" + relative
    }
}
