/// The config keys of docs/c-api.md's "Budget" and "Proxies": `maxCredits`, `budgetSince`, `proxy`.
extension ClientConfig {
    static let limitKeys: Set<String> = ["maxCredits", "budgetSince", "proxy"]

    /// Reads the budget and proxy keys; `env` supplies the proxy variables (`ProxySettings`).
    mutating func parseLimits(_ o: JSONObject, env: [String: String]) throws(KieError) {
        if let v = o["maxCredits"], !v.isNull {
            guard v.stringValue == nil, let d = v.doubleValue, d.isFinite, d >= 0, d <= 1e12 else {
                throw .invalidArgument("config: maxCredits must be a number of credits between 0 and 1e12", field: "maxCredits")
            }
            maxCredits = d
        }
        if let v = o["budgetSince"], !v.isNull {
            guard let text = v.stringValue, let ms = ISODate.parseMs(text) else {
                throw .invalidArgument("config: budgetSince must be an ISO 8601 date (2026-12-01) or time (2026-12-01T09:30:00Z)", field: "budgetSince")
            }
            budgetSince = text
            budgetSinceMs = ms
        }
        if let v = o["proxy"], !v.isNull {
            guard let text = v.stringValue else { throw .invalidArgument("config: proxy must be a string", field: "proxy") }
            proxy = text
        }
        proxies = try ProxySettings(proxy: proxy, env: env)
    }
}

/// ISO 8601 dates and times, as `budgetSince` takes them: `YYYY-MM-DD` (midnight UTC) or
/// `YYYY-MM-DDTHH:MM[:SS[.fff]]` followed by `Z` or `±HH:MM`.
enum ISODate {
    static func parseMs(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= b.count else { return nil }
            var n: Int64 = 0
            for c in b[from..<(from + count)] {
                guard c >= 0x30, c <= 0x39 else { return nil }
                n = n * 10 + Int64(c - 0x30)
            }
            return n
        }
        guard b.count >= 10, let y = num(0, 4), b[4] == 0x2D, let m = num(5, 2), b[7] == 0x2D, let d = num(8, 2),
              (1...12).contains(m), (1...31).contains(d), y >= 1970 else { return nil }
        var ms = days(y, m, d) * 86_400_000
        if b.count == 10 { return ms }
        guard b.count >= 17, b[10] == 0x54 || b[10] == 0x74, let hh = num(11, 2), b[13] == 0x3A, let mm = num(14, 2),
              hh < 24, mm < 60 else { return nil }
        ms += (hh * 3600 + mm * 60) * 1000
        var i = 16
        if i < b.count, b[i] == 0x3A {
            guard let ss = num(i + 1, 2), ss < 61 else { return nil }
            ms += ss * 1000
            i += 3
            if i < b.count, b[i] == 0x2E {
                i += 1
                var digits = 0
                while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { if digits < 3 { ms += Int64(b[i] - 0x30) * [100, 10, 1][digits] }; digits += 1; i += 1 }
                guard digits > 0 else { return nil }
            }
        }
        guard i < b.count else { return nil }
        if b[i] == 0x5A || b[i] == 0x7A { return i + 1 == b.count ? ms : nil }
        guard b[i] == 0x2B || b[i] == 0x2D, i + 6 == b.count, let oh = num(i + 1, 2), b[i + 3] == 0x3A, let om = num(i + 4, 2),
              oh < 24, om < 60 else { return nil }
        let offset = (oh * 60 + om) * 60_000
        return b[i] == 0x2B ? ms - offset : ms + offset
    }

    /// Days since 1970-01-01 of a civil date (proleptic Gregorian).
    static func days(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = y / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
