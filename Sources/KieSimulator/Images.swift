// Result images at the sizes 4o and the Market models return, distinct per task and variant:
// real PNGs (RGB, filter 0, one IDAT compressed by zlib, Zlib.swift), or JPEG / WebP
// (JPEGEncoder.swift, WebPEncoder.swift) for a Market `output_format`.

enum PNGEncoder {
    /// nil only when zlib fails (out of memory).
    static func encodeRGB(width: Int, height: Int, pixels raw: [UInt8]) -> [UInt8]? {
        guard let z = Zlib.compress(raw, level: 6) else { return nil }
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var ihdr: [UInt8] = []
        ihdr.appendBE32(UInt32(truncatingIfNeeded: width))
        ihdr.appendBE32(UInt32(truncatingIfNeeded: height))
        ihdr += [8, 2, 0, 0, 0]
        appendChunk(&out, type: "IHDR", data: ihdr)
        appendChunk(&out, type: "IDAT", data: z)
        appendChunk(&out, type: "IEND", data: [])
        return out
    }

    private static func appendChunk(_ out: inout [UInt8], type: String, data: [UInt8]) {
        out.appendBE32(UInt32(truncatingIfNeeded: data.count))
        let typed = Array(type.utf8) + data
        out += typed
        out.appendBE32(Zlib.crc32(typed))
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
    /// A 4o size (`1:1`, `3:2`, `2:3`) or explicit pixels (`1024x576`, Market results).
    static func dimensions(forSize size: String) -> (width: Int, height: Int) {
        let pixels = size.split(separator: "x").compactMap { Int($0) }
        if pixels.count == 2, (1...8192).contains(pixels[0]), (1...8192).contains(pixels[1]) { return (pixels[0], pixels[1]) }
        switch size {
        case "3:2": return (1536, 1024)
        case "2:3": return (1024, 1536)
        default: return (1024, 1024)
        }
    }

    /// The picture for `size` and `seed` in `format`; nil only when an encoder fails.
    static func encoded(size: String, seed: UInt64, format: ImageFormat) -> [UInt8]? {
        let (width, height, raw) = draw(size: size, seed: seed)
        let stride = width * 3 + 1
        let pixel = { (x: Int, y: Int) -> (UInt8, UInt8, UInt8) in
            let i = y * stride + 1 + x * 3
            return (raw[i], raw[i + 1], raw[i + 2])
        }
        switch format {
        case .png: return PNGEncoder.encodeRGB(width: width, height: height, pixels: raw)
        case .jpeg: return JPEGEncoder.encode(width: width, height: height, pixel: pixel)
        case .webp: return WebPEncoder.encode(width: width, height: height, pixel: pixel)
        }
    }

    static func png(size: String, seed: UInt64) -> [UInt8]? { encoded(size: size, seed: seed, format: .png) }

    /// The picture as PNG scanlines: RGB rows, each after its filter byte (0).
    static func draw(size: String, seed: UInt64) -> (width: Int, height: Int, raw: [UInt8]) {
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
        return (width, height, raw)
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
