// Result images: real PNGs at the sizes 4o returns, distinct per task and variant.
//
// A tiny encoder: RGB, filter 0, one zlib stream of fixed-Huffman deflate blocks whose LZ77 step
// only looks one pixel back and one row back. The images are flat-coloured tiles, so that is
// enough to bring a 1536x1024 picture down to tens of kilobytes in a few milliseconds.

enum PNGEncoder {
    static func encodeRGB(width: Int, height: Int, pixels raw: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var ihdr: [UInt8] = []
        ihdr.appendBE32(UInt32(width))
        ihdr.appendBE32(UInt32(height))
        ihdr += [8, 2, 0, 0, 0]
        appendChunk(&out, type: "IHDR", data: ihdr)
        var z: [UInt8] = [0x78, 0x01]
        z += Deflate.fixedHuffman(raw, rowDistance: width * 3 + 1)
        z.appendBE32(adler32(raw))
        appendChunk(&out, type: "IDAT", data: z)
        appendChunk(&out, type: "IEND", data: [])
        return out
    }

    private static func appendChunk(_ out: inout [UInt8], type: String, data: [UInt8]) {
        out.appendBE32(UInt32(data.count))
        let typeBytes = Array(type.utf8)
        var crc = CRC32()
        crc.update(typeBytes)
        crc.update(data)
        out += typeBytes
        out += data
        out.appendBE32(crc.value)
    }

    static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        var i = 0
        while i < data.count {
            let end = min(i + 5552, data.count)
            while i < end {
                a &+= UInt32(data[i])
                b &+= a
                i += 1
            }
            a %= 65521
            b %= 65521
        }
        return (b << 16) | a
    }
}

struct CRC32 {
    private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
    private var crc: UInt32 = 0xFFFF_FFFF
    mutating func update(_ bytes: [UInt8]) {
        let table = CRC32.table
        for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
    }
    var value: UInt32 { crc ^ 0xFFFF_FFFF }
}

enum Deflate {
    private static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
                                            67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
                                             5, 5, 5, 5, 0]
    private static let distBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
                                          1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10,
                                           11, 11, 12, 12, 13, 13]

    /// One final fixed-Huffman block. Matches are tried at distance 3 (previous pixel) and
    /// `rowDistance` (same pixel one row up, must be <= 32768).
    static func fixedHuffman(_ data: [UInt8], rowDistance: Int) -> [UInt8] {
        var w = BitWriter()
        w.write(1, bits: 1)  // BFINAL
        w.write(1, bits: 2)  // BTYPE = 01 fixed Huffman
        let n = data.count
        let distances = rowDistance <= 32768 ? [rowDistance, 3] : [3]
        data.withUnsafeBufferPointer { d in
            var i = 0
            while i < n {
                var bestLen = 0
                var bestDist = 0
                for dist in distances where dist <= i {
                    let maxLen = min(258, n - i)
                    var l = 0
                    while l < maxLen && d[i + l] == d[i + l - dist] { l += 1 }
                    if l > bestLen {
                        bestLen = l
                        bestDist = dist
                    }
                }
                if bestLen >= 3 {
                    writeLength(&w, bestLen)
                    writeDistance(&w, bestDist)
                    i += bestLen
                } else {
                    writeLiteral(&w, Int(d[i]))
                    i += 1
                }
            }
        }
        writeLiteral(&w, 256)
        return w.finish()
    }

    private static func writeLiteral(_ w: inout BitWriter, _ sym: Int) {
        switch sym {
        case 0...143: w.writeHuffman(0x30 + sym, length: 8)
        case 144...255: w.writeHuffman(0x190 + sym - 144, length: 9)
        case 256...279: w.writeHuffman(sym - 256, length: 7)
        default: w.writeHuffman(0xC0 + sym - 280, length: 8)
        }
    }

    private static func writeLength(_ w: inout BitWriter, _ length: Int) {
        var code = lengthBase.count - 1
        while lengthBase[code] > length { code -= 1 }
        writeLiteral(&w, 257 + code)
        if lengthExtra[code] > 0 { w.write(UInt32(length - lengthBase[code]), bits: lengthExtra[code]) }
    }

    private static func writeDistance(_ w: inout BitWriter, _ distance: Int) {
        var code = distBase.count - 1
        while distBase[code] > distance { code -= 1 }
        w.writeHuffman(code, length: 5)
        if distExtra[code] > 0 { w.write(UInt32(distance - distBase[code]), bits: distExtra[code]) }
    }
}

struct BitWriter {
    private var out: [UInt8] = []
    private var acc: UInt64 = 0
    private var count = 0

    /// Writes `bits` low bits of `value`, least significant first (deflate's order for extra bits).
    mutating func write(_ value: UInt32, bits: Int) {
        acc |= UInt64(value & ((1 << UInt32(bits)) &- 1)) << UInt64(count)
        count += bits
        while count >= 8 {
            out.append(UInt8(truncatingIfNeeded: acc))
            acc >>= 8
            count -= 8
        }
    }

    /// Huffman codes go most significant bit first.
    mutating func writeHuffman(_ code: Int, length: Int) {
        var reversed: UInt32 = 0
        for b in 0..<length where (code >> b) & 1 == 1 { reversed |= 1 << UInt32(length - 1 - b) }
        write(reversed, bits: length)
    }

    mutating func finish() -> [UInt8] {
        if count > 0 { out.append(UInt8(truncatingIfNeeded: acc)) }
        acc = 0
        count = 0
        return out
    }
}

extension Array where Element == UInt8 {
    mutating func appendBE32(_ v: UInt32) {
        append(UInt8(truncatingIfNeeded: v >> 24))
        append(UInt8(truncatingIfNeeded: v >> 16))
        append(UInt8(truncatingIfNeeded: v >> 8))
        append(UInt8(truncatingIfNeeded: v))
    }
}

/// Draws the picture for one result: a grid of flat tiles whose colours, grid and a bar come from
/// `seed` (a hash of prompt, taskId and variant index).
enum ResultImage {
    static func dimensions(forSize size: String) -> (width: Int, height: Int) {
        switch size {
        case "3:2": return (1536, 1024)
        case "2:3": return (1024, 1536)
        default: return (1024, 1024)
        }
    }

    static func png(size: String, seed: UInt64) -> [UInt8] {
        let (width, height) = dimensions(forSize: size)
        var rng = SplitMix64(seed: seed)
        let columns = 4 + Int(rng.next() % 5)
        let rows = 4 + Int(rng.next() % 5)
        var palette: [[UInt8]] = []
        for _ in 0..<(columns * rows) {
            let v = rng.next()
            palette.append([UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v >> 16)])
        }
        let barRow = Int(rng.next() % UInt64(rows))
        let stride = width * 3 + 1
        var raw = [UInt8](repeating: 0, count: stride * height)
        let tileW = (width + columns - 1) / columns
        let tileH = (height + rows - 1) / rows
        var line = [UInt8](repeating: 0, count: stride)
        var currentTileRow = -1
        for y in 0..<height {
            let tileRow = min(y / tileH, rows - 1)
            // A thin white bar across one tile row makes each picture recognisable at a glance.
            let inBar = tileRow == barRow && (y % tileH) >= tileH / 2 - 8 && (y % tileH) < tileH / 2 + 8
            if tileRow != currentTileRow || inBar || (tileRow == barRow && (y % tileH) == tileH / 2 + 8) {
                currentTileRow = tileRow
                line[0] = 0
                for x in 0..<width {
                    let c = inBar ? [255, 255, 255] : palette[tileRow * columns + min(x / tileW, columns - 1)]
                    line[1 + x * 3] = c[0]
                    line[2 + x * 3] = c[1]
                    line[3 + x * 3] = c[2]
                }
            }
            raw.replaceSubrange((y * stride)..<((y + 1) * stride), with: line)
        }
        return PNGEncoder.encodeRGB(width: width, height: height, pixels: raw)
    }

    /// FNV-1a over the parts, for image seeds.
    static func seed(_ parts: String...) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for part in parts {
            for b in part.utf8 {
                h ^= UInt64(b)
                h = h &* 0x0000_0100_0000_01B3
            }
            h ^= 0xFF
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }
}
