/// One part of a multipart/form-data body.
struct FormPart: Sendable {
    var name: String
    var filename: String?
    var contentType: String?
    var body: [UInt8]
}

/// A forgiving multipart/form-data reader: nil for a body it cannot make sense of.
enum MultipartForm {
    static func boundary(fromContentType contentType: String) -> String? {
        let lower = contentType.lowercased()
        guard lower.hasPrefix("multipart/form-data") else { return nil }
        for param in contentType.split(separator: ";").dropFirst() {
            let kv = param.split(separator: "=", maxSplits: 1).map { String($0).trimmedSpaces }
            guard kv.count == 2, kv[0].lowercased() == "boundary" else { continue }
            var value = kv[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty ? nil : value
        }
        return nil
    }

    static func parse(_ body: [UInt8], boundary: String) -> [FormPart]? {
        let delimiter = Array("--\(boundary)".utf8)
        var positions: [Int] = []
        var searchFrom = 0
        while let p = find(delimiter, in: body, from: searchFrom) {
            positions.append(p)
            searchFrom = p + delimiter.count
        }
        guard positions.count >= 2 else { return nil }
        var parts: [FormPart] = []
        for (i, start) in positions.dropLast().enumerated() {
            var partStart = start + delimiter.count
            // "--" after a delimiter ends the body.
            if partStart + 1 < body.count, body[partStart] == 0x2D, body[partStart + 1] == 0x2D { break }
            if partStart + 1 < body.count, body[partStart] == 0x0D, body[partStart + 1] == 0x0A { partStart += 2 }
            var partEnd = positions[i + 1]
            if partEnd >= 2, body[partEnd - 2] == 0x0D, body[partEnd - 1] == 0x0A { partEnd -= 2 }
            guard partStart <= partEnd else { return nil }
            let part = Array(body[partStart..<partEnd])
            guard let headerEnd = find([0x0D, 0x0A, 0x0D, 0x0A], in: part, from: 0) else { return nil }
            let headerText = String(decoding: part[0..<headerEnd], as: UTF8.self)
            var name: String?
            var filename: String?
            var contentType: String?
            for line in headerText.split(separator: "\r\n") {
                let kv = line.split(separator: ":", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { continue }
                let header = kv[0].lowercased().trimmedSpaces
                let value = kv[1].trimmedSpaces
                if header == "content-type" { contentType = value }
                if header == "content-disposition" {
                    for param in value.split(separator: ";").dropFirst() {
                        let p = param.split(separator: "=", maxSplits: 1).map { String($0).trimmedSpaces }
                        guard p.count == 2 else { continue }
                        var v = p[1]
                        if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
                        if p[0].lowercased() == "name" { name = v }
                        if p[0].lowercased() == "filename" { filename = v }
                    }
                }
            }
            guard let name else { continue }
            parts.append(FormPart(name: name, filename: filename, contentType: contentType,
                                  body: Array(part[(headerEnd + 4)...])))
        }
        return parts
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, from <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var i = from
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}
