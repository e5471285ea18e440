import Hummingbird

/// Reading a request: its body up to the configured limit and its bearer key.
extension Simulator {
    /// Collects a body up to the configured limit; nil when it is larger.
    func collect(_ request: Request) async -> [UInt8]? {
        let limit = state.withLock { $0.config.maxBodyBytes }
        do {
            var buffer = try await request.body.collect(upTo: limit)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch {
            return nil
        }
    }

    static func bearerKey(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let trimmed = header.trimmedSpaces
        guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else { return nil }
        let key = String(trimmed.dropFirst(7)).trimmedSpaces
        return key.isEmpty ? nil : key
    }
}

extension String {
    var trimmedSpaces: String {
        let chars = Substring(self)
        let start = chars.firstIndex(where: { $0 != " " && $0 != "\t" }) ?? chars.endIndex
        let end = chars.lastIndex(where: { $0 != " " && $0 != "\t" }).map { chars.index(after: $0) } ?? start
        return start < end ? String(chars[start..<end]) : ""
    }
}
