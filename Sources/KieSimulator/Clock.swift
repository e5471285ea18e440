#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The simulator's clock: real time plus an offset that tests move forward (`POST /_sim/clock`).
/// Expiry (14-day results, 20-minute download links, upload retention), rate-limit windows and
/// task completion all read it, so moving it forward finishes running tasks too.
struct SimClock: Sendable {
    var offsetMs: Int64 = 0
    /// When set, the clock stands still at this real time (plus the offset) until moved: tests
    /// that count requests per window then do not depend on how fast they run.
    var frozenRealMs: Int64?

    static func realNowMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    func nowMs() -> Int64 { (frozenRealMs ?? SimClock.realNowMs()) + offsetMs }
}

enum TimeFormat {
    /// "2024-01-15 10:30:00" (UTC), the quickstart's timestamp strings (docs/kie-api.md §2d).
    static func dateTime(ms: Int64) -> String {
        let c = civil(ms: ms)
        return "\(pad(c.year, 4))-\(pad(c.month))-\(pad(c.day)) \(pad(c.hour)):\(pad(c.minute)):\(pad(c.second))"
    }

    /// "2026-04-16T07:19:12.862Z", as upload answers show (docs/kie-api.md §6).
    static func iso8601(ms: Int64) -> String {
        let c = civil(ms: ms)
        return "\(pad(c.year, 4))-\(pad(c.month))-\(pad(c.day))T\(pad(c.hour)):\(pad(c.minute)):\(pad(c.second)).\(pad(c.millis, 3))Z"
    }

    /// "20260416T071912Z" for X-Amz-Date.
    static func amzDate(ms: Int64) -> String {
        let c = civil(ms: ms)
        return "\(pad(c.year, 4))\(pad(c.month))\(pad(c.day))T\(pad(c.hour))\(pad(c.minute))\(pad(c.second))Z"
    }

    /// Inverse of amzDate; nil for anything malformed.
    static func parseAmzDate(_ s: String) -> Int64? {
        let chars = Array(s)
        guard chars.count == 16, chars[8] == "T", chars[15] == "Z" else { return nil }
        func num(_ r: Range<Int>) -> Int? { Int(String(chars[r])) }
        guard let y = num(0..<4), let mo = num(4..<6), let d = num(6..<8), let h = num(9..<11), let mi = num(11..<13),
            let se = num(13..<15), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, se < 61
        else { return nil }
        let days = daysFromCivil(y, mo, d)
        return (days * 86400 + Int64(h * 3600 + mi * 60 + se)) * 1000
    }

    private static func pad(_ v: Int, _ width: Int = 2) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    private static func civil(ms: Int64) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millis: Int) {
        let millis = Int(((ms % 1000) + 1000) % 1000)
        let secs = (ms - Int64(millis)) / 1000
        var days = secs / 86400
        var rem = secs % 86400
        if rem < 0 {
            rem += 86400
            days -= 1
        }
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (Int(y), Int(m), Int(d), Int(rem / 3600), Int(rem % 3600 / 60), Int(rem % 60), millis)
    }

    private static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int64 {
        let y = Int64(m <= 2 ? y0 - 1 : y0)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(m > 2 ? m - 3 : m + 9)
        let doy = (153 * mp + 2) / 5 + Int64(d) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
