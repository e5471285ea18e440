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
