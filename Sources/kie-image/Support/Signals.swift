import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT/SIGTERM into values an async command can await, instead of killing the process
/// mid-write (batch must leave its journal consistent).
final class Signals: Sendable {
    private let sources: Mutex<[any DispatchSourceSignal]>
    let stream: AsyncStream<Int32>

    init(_ signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        sources = Mutex(signals.map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { continuation.yield(sig) }
            source.resume()
            return source
        })
    }

    /// Gives the signals back their default action (a second Ctrl-C then kills at once).
    func restoreDefaults() {
        sources.withLock { sources in
            for source in sources {
                signal(Int32(source.handle), SIG_DFL)
                source.cancel()
            }
            sources.removeAll()
        }
    }
}
