/// Removes the API key from any text that leaves the library (messages, raw bodies, logs).
public enum Redaction {
    public static func redact(_ text: String, secret: String) -> String {
        guard secret.count >= 4, text.contains(secret) else { return text }
        return text.replacing(secret, with: "[REDACTED]")
    }
}
