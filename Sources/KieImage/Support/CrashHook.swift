import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A test hook: `KIE_TEST_CRASH_AT=<boundary>` makes the process SIGKILL itself the first time a
/// generate reaches that boundary, so the multi-process tests can show what a crash there leaves
/// in the shared ledger (docs/ledger.md, "Crashes"). Unset (always, outside tests): nothing.
enum CrashHook {
    enum Boundary: String {
        /// The row is `intent` under this owner, waiting for admission.
        case intent
        /// Admitted: the row is `sending` and the request has not left.
        case admitted
        /// kie answered with a task id that is not recorded yet.
        case answered
        /// The row is `submitted`.
        case submitted
        /// One result file of the task is saved, the others are not.
        case downloading
    }

    private static let armed: Boundary? = getenv("KIE_TEST_CRASH_AT").flatMap { Boundary(rawValue: String(cString: $0)) }

    static func at(_ boundary: Boundary) {
        guard let armed, armed == boundary else { return }
        kill(getpid(), SIGKILL)
    }

    /// Files renamed into place so far while `downloading` is armed.
    private static let placed = Mutex(0)

    /// Runs `place` (a result file's rename into place). Armed at `downloading`, the renames of a
    /// task's parallel downloads take turns, and the second one kills the process before it
    /// renames: exactly one file is saved whatever order the fetches end in.
    static func placing(_ place: () throws(KieError) -> Void) throws(KieError) {
        guard let armed, armed == .downloading else { return try place() }
        try placed.withLock { (count: inout Int) throws(KieError) -> Void in
            if count >= 1 { kill(getpid(), SIGKILL) }
            try place()
            count += 1
        }
    }
}
