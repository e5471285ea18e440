import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A test hook: shifts this process's wall clock (`Clock.nowMs`) by `KIE_TEST_CLOCK_SKEW_MS`
/// or by what a test stores, to show that what the shared ledger decides does not depend on
/// any host's wall clock (docs/ledger.md, "Time").
enum HostClockSkew {
    static let ms = Atomic<Int64>(getenv("KIE_TEST_CLOCK_SKEW_MS").flatMap { Int64(String(cString: $0)) } ?? 0)
}
