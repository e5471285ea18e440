import CKieImage
import KieImage
import Logging
import Synchronization

/// Where a client's swift-log records go: the C log callback set with kie_client_set_log.
final class LogSink: Sendable {
    struct Target: @unchecked Sendable {
        let fn: kie_log_cb
        let userdata: UnsafeMutableRawPointer?
    }

    private let target = Mutex<Target?>(nil)
    let secret: String

    init(secret: String) { self.secret = secret }

    func set(_ t: Target?) { target.withLock { $0 = t } }

    func emit(level: Logger.Level, _ text: String) {
        guard let t = target.withLock({ $0 }) else { return }
        Redaction.redact(text, secret: secret).withCString { t.fn(t.userdata, Int32(level.severity), $0) }
    }
}

/// swift-log handler forwarding to a LogSink, with metadata appended as key=value.
struct CLogHandler: LogHandler {
    let sink: LogSink
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var text = "\(event.message)"
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        for (k, v) in all.sorted(by: { $0.key < $1.key }) { text += " \(k)=\(v)" }
        sink.emit(level: event.level, text)
    }
}

extension Logger.Level {
    /// 0 trace .. 6 critical, as documented on kie_log_cb.
    var severity: Int {
        switch self {
        case .trace: 0
        case .debug: 1
        case .info: 2
        case .notice: 3
        case .warning: 4
        case .error: 5
        case .critical: 6
        }
    }
}
