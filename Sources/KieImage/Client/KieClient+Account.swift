extension KieClient {
    /// A fresh link for a result URL (kie's links expire; docs/kie-api.md §4): 4o tasks ask
    /// `POST /api/v1/gpt4o-image/download-url` (an unknown task is NOT_FOUND, code 422 there),
    /// Market tasks the common `POST /api/v1/common/download-url` (docs/kie-api.md §4a). For a
    /// task of unknown family, 4o is asked first; when it says not found and Market knows the
    /// task, the common endpoint mints the link; else the task is NOT_FOUND.
    public func downloadURL(taskId: String, url: String, family: TaskFamily? = nil) async throws -> String {
        try Self.checkTaskId(taskId)
        guard URLParts(url) != nil else { throw KieError.invalidArgument("url must be an absolute http(s) URL", field: "url") }
        switch family ?? knownFamily(of: taskId) {
        case .market?:
            return try await commonDownloadURL(url, taskId: taskId)
        case .fourO?:
            return try await fourODownloadURL(taskId: taskId, url: url)
        case nil:
            do { return try await fourODownloadURL(taskId: taskId, url: url) } catch let e as KieError where e.status == .notFound {
                _ = try await task(taskId, family: .market)
                noteFamily(taskId, .market)
                return try await commonDownloadURL(url, taskId: taskId)
            }
        }
    }

    func commonDownloadURL(_ url: String, taskId: String) async throws -> String {
        let env = try await caller.call(
            .init(name: "common-download-url", method: .POST, url: config.baseUrl + "/api/v1/common/download-url", policy: .read),
            body: ["url": .string(url)], taskId: taskId)
        guard let link = env.data.stringValue else { throw KieError(.protocol, "download-url answered without a link", taskId: taskId) }
        return link
    }

    func fourODownloadURL(taskId: String, url: String) async throws -> String {
        let env = try await caller.call(
            .init(name: "download-url", method: .POST, url: config.baseUrl + "/api/v1/gpt4o-image/download-url",
                  policy: .readsRecord),
            body: ["taskId": .string(taskId), "url": .string(url)], taskId: taskId)
        guard let link = env.data.stringValue ?? env.data["downloadUrl"]?.stringValue else {
            throw KieError(.protocol, "download-url answered without a link", taskId: taskId)
        }
        return link
    }

    /// `GET /api/v1/chat/credit`: a decimal in practice (docs/kie-api.md §5).
    public func credits() async throws -> Double {
        let env = try await caller.call(
            .init(name: "credit", method: .GET, url: config.baseUrl + "/api/v1/chat/credit", policy: .read))
        guard let value = env.data.doubleValue, value.isFinite else {
            throw KieError(.protocol, "credit answered without a number")
        }
        return value
    }
}
