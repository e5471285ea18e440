/// A `multipart/form-data` body for the upload host's stream endpoint (docs/kie-api.md §6),
/// built in memory (uploads are at most 100 MB), with the content type of a file's name.
struct Multipart {
    let boundary = "kieimage-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
    var body: [UInt8] = []
    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    init(fields: [(String, String)], file: (field: String, name: String, type: String, bytes: [UInt8])) {
        for (k, v) in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n".utf8)
        }
        let safeName = file.name.replacing("\"", with: "_").replacing("\r", with: "_").replacing("\n", with: "_")
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(safeName)\"\r\nContent-Type: \(file.type)\r\n\r\n".utf8)
        body += file.bytes
        body += Array("\r\n--\(boundary)--\r\n".utf8)
    }
}

enum MimeTypes {
    static func forName(_ name: String) -> String {
        switch name.split(separator: ".").last?.lowercased() ?? "" {
        case "png": "image/png"
        case "jpg", "jpeg", "jfif", "pjpeg", "pjp": "image/jpeg"
        case "webp": "image/webp"
        case "gif": "image/gif"
        default: "application/octet-stream"
        }
    }
}
