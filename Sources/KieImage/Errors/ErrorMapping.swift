/// Maps an HTTP answer to an envelope or a typed error. Pure: table-tested without a network.
public enum ErrorMapping {
    /// Body codes and what they mean (docs/kie-api.md §1).
    public static func status(forCode code: Int) -> KieStatus? {
        switch code {
        case 200: .ok
        case 400, 422: .validation
        case 401: .auth
        case 402: .insufficientCredits
        case 404: .notFound
        case 408: .timeout
        case 429: .rateLimited
        case 433: .quota
        case 451: .server
        case 455, 550, 503: .unavailable
        case 500, 501, 505: .server
        default: nil
        }
    }

    /// Codes whose answer says the server is busy or failing, so a read may be tried again.
    public static func isRetryable(code: Int) -> Bool {
        code == 429 || code == 455 || code == 503 || code == 408 || (500...599).contains(code) && code != 501 && code != 505
    }

    /// Decodes an answer; throws the typed error for any non-200 body code, HTTP error status
    /// without an envelope, or a body that is not an envelope (PROTOCOL with the raw text).
    public static func decode(_ answer: HTTPAnswer, redact: (String) -> String) throws(KieError) -> Envelope {
        let parsed = try? JSON.parse(answer.body, capturing: "data")
        if let o = parsed?.value.objectValue, let code = o["code"]?.int64Value {
            let msg = o["msg"]?.stringValue ?? ""
            let envelope = Envelope(code: Int(code), msg: msg, data: o["data"] ?? .null, dataText: parsed?.text)
            if code == 200 { return envelope }
            throw error(code: Int(code), message: msg.isEmpty ? "code \(code)" : redact(msg), httpStatus: answer.status)
        }
        if answer.status != 200 {
            let s = status(forCode: answer.status) ?? ((500...599).contains(answer.status) ? .server : .protocol)
            throw KieError(
                s, "HTTP \(answer.status)", httpStatus: answer.status,
                retryable: isRetryable(code: answer.status), raw: rawText(answer.body, redact: redact))
        }
        throw KieError(
            .protocol, "answer is not a {code,msg,data} envelope", httpStatus: answer.status,
            retryable: true, raw: rawText(answer.body, redact: redact))
    }

    static func error(code: Int, message: String, httpStatus: Int) -> KieError {
        guard let s = status(forCode: code) else {
            return KieError(.protocol, "unknown code \(code): \(message)", apiCode: code, httpStatus: httpStatus)
        }
        return KieError(s, message, apiCode: code, httpStatus: httpStatus, retryable: isRetryable(code: code))
    }

    static func rawText(_ body: [UInt8], redact: (String) -> String) -> String {
        let text = String(decoding: body.prefix(4096), as: UTF8.self)
        return redact(text)
    }
}
