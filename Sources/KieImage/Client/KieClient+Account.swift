extension KieClient {
    /// A fresh link for a result URL (kie's links expire; docs/kie-api.md §4): 4o tasks ask
    /// `POST /api/v1/gpt4o-image/download-url`; an unknown task is NOT_FOUND (code 422 there).
    public func downloadURL(taskId: String, url: String) async throws -> String {
        try Self.checkTaskId(taskId)
        guard URLParts(url) != nil else { throw KieError.invalidArgument("url must be an absolute http(s) URL", field: "url") }
        let env = try await caller.call(
            .init(name: "download-url", method: .POST, url: config.baseUrl + "/api/v1/gpt4o-image/download-url",
                  idempotency: .idempotent, readsRecord: true),
            body: ["taskId": .string(taskId), "url": .string(url)], taskId: taskId)
        guard let link = env.data.stringValue ?? env.data["downloadUrl"]?.stringValue else {
            throw KieError(.protocol, "download-url answered without a link", taskId: taskId)
        }
        return link
    }

    /// `GET /api/v1/chat/credit`: a decimal in practice (docs/kie-api.md §5).
    public func credits() async throws -> Double {
        let env = try await caller.call(
            .init(name: "credit", method: .GET, url: config.baseUrl + "/api/v1/chat/credit", idempotency: .idempotent))
        guard let value = env.data.doubleValue, value.isFinite else {
            throw KieError(.protocol, "credit answered without a number")
        }
        return value
    }
}
