/// The HTTP answer a callback receiver gives kie for a delivery's outcome (docs/webhooks.md).
/// kie retries a callback on any non-2xx answer, so only a recorded outcome (or a duplicate of
/// one) is 200; a refusal that a genuine callback could meet again later (task still running,
/// kie unreachable) is 503, so kie tries again.
public enum WebhookAnswer {
    /// The body kie expects once the outcome is recorded.
    public static let okBody = #"{"code":200,"msg":"success"}"#
    /// Largest callback body a receiver reads (kie's bodies are a few KiB).
    public static let maxBodyBytes = 1 << 20

    public static func httpStatus(for status: KieStatus) -> Int {
        switch status {
        case .ok: 200
        case .invalidArgument, .validation: 400
        case .signature: 401
        case .notFound: 404
        default: 503
        }
    }

    /// The answer body of a refused callback.
    public static func body(for error: KieError) -> String {
        body(httpStatus(for: error.status), error.message)
    }

    /// kie's answer shape, `{"code": <HTTP status>, "msg": ...}`.
    static func body(_ httpStatus: Int, _ message: String) -> String {
        JSON.serialize(["code": .int(Int64(httpStatus)), "msg": .string(message)])
    }
}
