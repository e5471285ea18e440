/// Every failure of the library: a status plus the detail fields of the contract's error JSON.
public struct KieError: Error, Sendable, CustomStringConvertible {
    public var status: KieStatus
    public var message: String
    public var apiCode: Int?
    public var httpStatus: Int?
    public var taskId: String?
    public var retryable: Bool
    public var attempts: Int
    public var field: String?
    /// For UNKNOWN_OUTCOME: the body that was sent, so the caller can reconcile.
    public var request: JSONValue?
    /// Unparseable server text (PROTOCOL), already redacted.
    public var raw: String?
    /// A server's Retry-After hint, when one came.
    public var retryAfterMs: Int64?
    /// The HTTP status a callback receiver answers kie with for this refusal (`kie_webhook_deliver`
    /// only; WebhookAnswer; the detail JSON adds that answer's `receiverBody`), so every receiver
    /// answers alike without a table of its own.
    public var receiverAnswer: Int?

    public init(
        _ status: KieStatus, _ message: String, apiCode: Int? = nil, httpStatus: Int? = nil,
        taskId: String? = nil, retryable: Bool = false, attempts: Int = 1, field: String? = nil,
        request: JSONValue? = nil, raw: String? = nil
    ) {
        self.status = status
        self.message = message
        self.apiCode = apiCode
        self.httpStatus = httpStatus
        self.taskId = taskId
        self.retryable = retryable
        self.attempts = attempts
        self.field = field
        self.request = request
        self.raw = raw
    }

    public var description: String { "\(status.name): \(message)" }

    public static func invalidArgument(_ message: String, field: String? = nil) -> KieError {
        KieError(.invalidArgument, message, field: field)
    }

    public static func validation(_ message: String, field: String?) -> KieError {
        KieError(.validation, message, field: field)
    }

    /// Any error thrown inside the library becomes a KieError; unknown errors are INTERNAL.
    public static func wrap(_ error: any Error) -> KieError {
        if let e = error as? KieError { return e }
        if error is CancellationError { return KieError(.cancelled, "cancelled") }
        if let e = error as? JSONError { return .invalidArgument(e.description) }
        return KieError(.internal, "unexpected error: \(String(describing: type(of: error)))")
    }

    /// The contract's detail JSON.
    public var json: JSONValue {
        var o: JSONObject = [
            "status": .int(Int64(status.rawValue)),
            "name": .string(status.name),
            "message": .string(message),
            "apiCode": .int(apiCode.map(Int64.init)),
            "httpStatus": .int(httpStatus.map(Int64.init)),
            "taskId": .string(taskId),
            "retryable": .bool(retryable),
            "attempts": .int(Int64(attempts)),
            "field": .string(field),
        ]
        if let request { o["request"] = request }
        if let raw { o["raw"] = .string(raw) }
        if let receiverAnswer {
            o["receiverAnswer"] = .int(Int64(receiverAnswer))
            o["receiverBody"] = .string(WebhookAnswer.body(receiverAnswer, message))
        }
        return .object(o)
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }
}
