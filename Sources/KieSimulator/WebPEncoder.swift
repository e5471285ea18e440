// A minimal valid lossless WebP (RIFF "WEBP", one "VP8L" chunk): no transforms, no colour cache,
// one group of prefix codes in which every green, red and blue value has an 8-bit code and alpha
// (always 255) and distance have a single symbol each, so every pixel costs 24 bits. Large, but
// exact and read by every WebP decoder.

enum WebPEncoder {
    /// The order in which code-length-code lengths are stored (VP8L spec).
    private static let codeLengthOrder = [17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]

    /// nil when a side is outside 1...16384. `pixel(x, y)` gives the RGB colour at a point.
    static func encode(width: Int, height: Int, pixel: (Int, Int) -> (UInt8, UInt8, UInt8)) -> [UInt8]? {
        guard (1...16384).contains(width), (1...16384).contains(height) else { return nil }
        var w = LSBBitWriter()
        w.write(0x2F, 8)
        w.write(width - 1, 14)
        w.write(height - 1, 14)
        w.write(0, 1)  // alpha is not used
        w.write(0, 3)  // version 0
        w.write(0, 1)  // no transform
        w.write(0, 1)  // no colour cache
        w.write(0, 1)  // one group of prefix codes for the whole image
        writeEightBitCode(&w, alphabetSize: 256 + 24)  // green and backward-reference lengths
        writeEightBitCode(&w, alphabetSize: 256)  // red
        writeEightBitCode(&w, alphabetSize: 256)  // blue
        writeSingleSymbol(&w, 255)  // alpha
        writeSingleSymbol(&w, 0)  // distance (never used)
        for y in 0..<height {
            for x in 0..<width {
                let (r, g, b) = pixel(x, y)
                w.write(Int(reversed(g)), 8)
                w.write(Int(reversed(r)), 8)
                w.write(Int(reversed(b)), 8)
            }
        }
        let data = w.finish()
        let padded = data.count % 2 == 1 ? data + [0] : data
        var out = Array("RIFF".utf8)
        out.appendLE32(UInt32(truncatingIfNeeded: 4 + 8 + padded.count))
        out += Array("WEBPVP8L".utf8)
        out.appendLE32(UInt32(truncatingIfNeeded: data.count))
        return out + padded
    }

    /// A normal prefix code giving the first 256 symbols length 8 and the rest none. The code
    /// lengths are themselves coded with two 1-bit codes: `0` for length 0, `1` for length 8.
    private static func writeEightBitCode(_ w: inout LSBBitWriter, alphabetSize: Int) {
        w.write(0, 1)  // normal, not simple
        let stored = (codeLengthOrder.firstIndex(of: 8) ?? 11) + 1
        w.write(stored - 4, 4)
        for symbol in codeLengthOrder.prefix(stored) { w.write(symbol == 0 || symbol == 8 ? 1 : 0, 3) }
        w.write(0, 1)  // lengths for the whole alphabet follow
        for symbol in 0..<alphabetSize { w.write(symbol < 256 ? 1 : 0, 1) }
    }

    /// A simple prefix code with one 8-bit symbol: reading it takes no bits.
    private static func writeSingleSymbol(_ w: inout LSBBitWriter, _ symbol: UInt8) {
        w.write(1, 1)  // simple
        w.write(0, 1)  // one symbol
        w.write(1, 1)  // of 8 bits
        w.write(Int(symbol), 8)
    }

    /// A canonical 8-bit code is read first bit first: the value's bits in reverse order.
    private static func reversed(_ v: UInt8) -> UInt8 {
        var v = v
        var r: UInt8 = 0
        for _ in 0..<8 {
            r = (r << 1) | (v & 1)
            v >>= 1
        }
        return r
    }
}

extension Array where Element == UInt8 {
    mutating func appendLE32(_ v: UInt32) {
        append(UInt8(truncatingIfNeeded: v))
        append(UInt8(truncatingIfNeeded: v >> 8))
        append(UInt8(truncatingIfNeeded: v >> 16))
        append(UInt8(truncatingIfNeeded: v >> 24))
    }
}
