/// The reader's numbers (JSONReader.swift): `.int` when the value is an integer Int64 holds, else the nearest Double.
extension JSONReader {
    /// Exact powers of ten a Double holds (10^0 ... 10^22), for the exact fast path.
    private static let pow10: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    mutating func number() throws(JSONError) -> JSONValue {
        let start = i
        var negative = false
        if b[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < b.count, isDigit(b[i]) else { throw fail("invalid number") }
        // Integer part, accumulated as a magnitude while it fits (digits beyond 19 cannot).
        var mantissa: UInt64 = 0
        var overflow = false
        if b[i] == UInt8(ascii: "0") {
            i += 1
            if i < b.count, isDigit(b[i]) { throw fail("leading zero in number") }
        } else {
            while i < b.count, isDigit(b[i]) {
                accumulate(b[i], &mantissa, &overflow)
                i += 1
            }
        }
        var fractionDigits = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            guard i < b.count, isDigit(b[i]) else { throw fail("invalid number") }
            while i < b.count, isDigit(b[i]) {
                accumulate(b[i], &mantissa, &overflow)
                fractionDigits += 1
                i += 1
            }
        }
        var exponent = 0
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                expNegative = b[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < b.count, isDigit(b[i]) else { throw fail("invalid number") }
            while i < b.count, isDigit(b[i]) {
                if exponent < 100_000 { exponent = exponent * 10 + Int(b[i] &- UInt8(ascii: "0")) }
                i += 1
            }
            if expNegative { exponent = -exponent }
        }
        return try number(negative: negative, mantissa: overflow ? nil : mantissa, e10: exponent - fractionDigits, start: start)
    }

    /// The number whose text is `b[start..<i]`: `mantissa × 10^e10` (mantissa nil when its digits
    /// overflowed UInt64), negated when `negative`.
    private func number(negative: Bool, mantissa: UInt64?, e10: Int, start: Int) throws(JSONError) -> JSONValue {
        if let mantissa, let magnitude = Self.exactInteger(mantissa, e10) {
            if magnitude <= UInt64(Int64.max) {
                let m = Int64(magnitude)
                return .int(negative ? -m : m)
            }
            if negative && magnitude == Int64.min.magnitude { return .int(Int64.min) }
        }
        let magnitude: Double
        if let mantissa, mantissa < (1 << 53) && e10 >= -22 && e10 <= 22 {
            // Exact: both operands are exact Doubles, so one correctly rounded operation.
            let m = Double(mantissa)
            magnitude = e10 < 0 ? m / Self.pow10[-e10] : m * Self.pow10[e10]
        } else {
            let text = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
            guard let parsed = Double(text) else { throw fail("invalid number") }
            magnitude = parsed.magnitude
        }
        guard magnitude.isFinite else { throw fail("number out of range") }
        // A value whose nearest Double is an integer Int64 holds is that integer (1e-400 is 0), so
        // every `.double` read is fractional or beyond Int64 and its text reads back the same.
        let d = negative ? -magnitude : magnitude
        if let m = Int64(exactly: d) { return .int(m) }
        return .double(d)
    }

    /// `mantissa × 10^e10` when that is an integer within UInt64, else nil.
    private static func exactInteger(_ mantissa: UInt64, _ e10: Int) -> UInt64? {
        if mantissa == 0 { return 0 }
        if e10 >= 0 {
            guard e10 < 20 else { return nil }
            let (v, o) = mantissa.multipliedReportingOverflow(by: pow10Int[e10])
            return o ? nil : v
        }
        guard -e10 < 20 else { return nil }
        let p = pow10Int[-e10]
        return mantissa % p == 0 ? mantissa / p : nil
    }

    private static let pow10Int: [UInt64] = (0..<20).map { n in (0..<n).reduce(UInt64(1)) { p, _ in p &* 10 } }

    private func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

    private func accumulate(_ c: UInt8, _ m: inout UInt64, _ overflow: inout Bool) {
        if overflow { return }
        let (times10, o1) = m.multipliedReportingOverflow(by: 10)
        let (sum, o2) = times10.addingReportingOverflow(UInt64(c &- UInt8(ascii: "0")))
        if o1 || o2 { overflow = true } else { m = sum }
    }
}
