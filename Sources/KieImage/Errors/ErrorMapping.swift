/// Maps an HTTP answer to an envelope or a typed error. Pure: table-tested without a network.
/// What a failure means for each endpoint (status, retries, charge) is FailurePolicy's.
public enum ErrorMapping {
    /// Body codes and what they mean (docs/kie-api.md §1).
    static let codes: [(code: Int, status: KieStatus)] = [
        (200, .ok), (400, .validation), (422, .validation), (401, .auth), (402, .insufficientCredits), (404, .notFound),
        (408, .timeout), (429, .rateLimited), (433, .quota), (451, .server), (455, .unavailable), (550, .unavailable),
        (503, .unavailable), (500, .server), (501, .server), (505, .server),
    ]

    public static func status(forCode code: Int) -> KieStatus? {
        codes.first { $0.code == code }?.status
    }

    /// Decodes an answer; throws the typed error for any non-200 body code, HTTP error status
    /// without an envelope, or a body that is not an envelope (PROTOCOL with the raw text), as a
    /// read's (`FailurePolicy.read`).
    public static func decode(_ answer: HTTPAnswer, redact: (String) -> String) throws(KieError) -> Envelope {
        try decode(answer, policy: .read, redact: redact).mapError(\.error).get()
    }

    /// The envelope, or how the answer failed and the error `policy` reports it with.
    static func decode(_ answer: HTTPAnswer, policy: FailurePolicy, redact: (String) -> String) -> Result<Envelope, FailedAttempt> {
        let parsed = try? JSON.parse(answer.body, capturing: "data")
        if let o = parsed?.value.objectValue, let code = o["code"]?.int64Value {
            let msg = o["msg"]?.stringValue ?? ""
            if code == 200 { return .success(Envelope(code: 200, msg: msg, data: o["data"] ?? .null, dataText: parsed?.text)) }
            let code = Int(code)
            var message = msg.isEmpty ? "code \(code)" : redact(msg)
            if status(forCode: code) == nil { message = "unknown code \(code): \(message)" }
            return .failure(FailedAttempt(.code(code), policy: policy, message: message, apiCode: code, httpStatus: answer.status))
        }
        if answer.status != 200 {
            return .failure(FailedAttempt(
                .http(answer.status), policy: policy, message: "HTTP \(answer.status)", httpStatus: answer.status,
                raw: rawText(answer.body, redact: redact)))
        }
        return .failure(FailedAttempt(
            .malformed, policy: policy, message: "answer is not a {code,msg,data} envelope", httpStatus: answer.status,
            raw: rawText(answer.body, redact: redact)))
    }

    static func rawText(_ body: [UInt8], redact: (String) -> String) -> String {
        let text = String(decoding: body.prefix(4096), as: UTF8.self)
        return redact(text)
    }
}
