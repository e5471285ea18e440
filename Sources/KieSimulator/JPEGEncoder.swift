// A minimal valid baseline JPEG (JFIF, YCbCr 4:4:4, one quantization table, Huffman tables of
// ITU T.81 Annex K for DC): each 8x8 block keeps one colour, sampled at its centre, so only DC
// coefficients are coded and every block ends at once (EOB). The simulator's pictures are flat
// tiles, which this keeps; any decoder reads it.

enum JPEGEncoder {
    /// Code counts per length 1...16 and symbols of Annex K's luminance DC table.
    private static let dcBits: [UInt8] = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    private static let dcSymbols: [UInt8] = Array(0...11)

    /// Canonical codes of the DC table, by category: (code, length).
    private static let dcCodes: [(code: Int, length: Int)] = {
        var codes = [(code: Int, length: Int)](repeating: (0, 0), count: 12)
        var code = 0
        var k = 0
        for (i, n) in dcBits.enumerated() {
            for _ in 0..<Int(n) {
                codes[Int(dcSymbols[k])] = (code, i + 1)
                code += 1
                k += 1
            }
            code <<= 1
        }
        return codes
    }()

    /// nil when a side is outside 1...65535. `pixel(x, y)` gives the RGB colour at a point.
    static func encode(width: Int, height: Int, pixel: (Int, Int) -> (UInt8, UInt8, UInt8)) -> [UInt8]? {
        guard (1...65535).contains(width), (1...65535).contains(height) else { return nil }
        var out = header(width: width, height: height)
        var bits = MSBBitWriter()
        var predictor = [0, 0, 0]
        for by in 0..<((height + 7) / 8) {
            for bx in 0..<((width + 7) / 8) {
                let (r, g, b) = pixel(min(bx * 8 + 4, width - 1), min(by * 8 + 4, height - 1))
                let ycc = ycbcr(r, g, b)
                for c in 0..<3 {
                    // A flat block's DC is 8 x (value - 128); the quantizer of 8 leaves value - 128.
                    let dc = ycc[c] - 128
                    let diff = dc - predictor[c]
                    predictor[c] = dc
                    let category = diff == 0 ? 0 : Int.bitWidth - abs(diff).leadingZeroBitCount
                    bits.write(dcCodes[category].code, dcCodes[category].length)
                    if category > 0 { bits.write(diff < 0 ? diff + (1 << category) - 1 : diff, category) }
                    bits.write(0, 1)  // EOB: the AC table's only code
                }
            }
        }
        out += bits.finish()
        out += [0xFF, 0xD9]
        return out
    }

    /// SOI, APP0 (JFIF 1.1), DQT, SOF0, the two DHTs and SOS.
    private static func header(width: Int, height: Int) -> [UInt8] {
        var out: [UInt8] = [0xFF, 0xD8]
        out += [0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]
        out += [0xFF, 0xDB, 0x00, 0x43, 0x00] + [UInt8](repeating: 8, count: 64)
        out += [0xFF, 0xC0, 0x00, 0x11, 0x08,
                UInt8(truncatingIfNeeded: height >> 8), UInt8(truncatingIfNeeded: height),
                UInt8(truncatingIfNeeded: width >> 8), UInt8(truncatingIfNeeded: width),
                0x03, 0x01, 0x11, 0x00, 0x02, 0x11, 0x00, 0x03, 0x11, 0x00]
        out += [0xFF, 0xC4, 0x00, 0x1F, 0x00] + dcBits + dcSymbols
        // AC table 0: one 1-bit code, for EOB (0x00).
        out += [0xFF, 0xC4, 0x00, 0x14, 0x10, 0x01] + [UInt8](repeating: 0, count: 15) + [0x00]
        out += [0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x00, 0x3F, 0x00]
        return out
    }

    /// JFIF's RGB -> YCbCr, rounded and clamped to 0...255.
    private static func ycbcr(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> [Int] {
        let (r, g, b) = (Double(r), Double(g), Double(b))
        let y = 0.299 * r + 0.587 * g + 0.114 * b
        let cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
        let cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
        return [y, cb, cr].map { min(255, max(0, Int($0.rounded()))) }
    }
}
