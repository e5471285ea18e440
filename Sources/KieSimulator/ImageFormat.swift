// The result formats a Market model's `output_format` asks for (docs/kie-market-api.md §5d:
// nano-banana-2 `png`/`jpg`, default `jpg`, and a recorded run returned a `.jpeg` URL;
// nano-banana-pro, seedream/5-lite, qwen2 `png`/`jpeg`). 4o results are always PNG.

/// A result image's encoding: its URL extension and the file host's Content-Type follow it.
enum ImageFormat: String, Sendable, Equatable {
    case png, jpeg, webp

    /// `output_format` as a client sends it (`png`, `jpg`, `jpeg`, `webp`, any case); nil for
    /// anything else.
    init?(outputFormat: String) {
        switch outputFormat.lowercased() {
        case "png": self = .png
        case "jpg", "jpeg": self = .jpeg
        case "webp": self = .webp
        default: return nil
        }
    }

    /// The result URL's extension (`.jpeg`, as recorded, for JPEG).
    var fileExtension: String { rawValue }

    var mimeType: String { "image/\(rawValue)" }
}

/// Writes bits most significant first, as JPEG's entropy-coded data wants, stuffing a 0x00
/// after every 0xFF byte.
struct MSBBitWriter {
    private(set) var bytes: [UInt8] = []
    private var acc: UInt32 = 0
    private var count = 0

    /// Appends the low `n` bits of `value` (n <= 16).
    mutating func write(_ value: Int, _ n: Int) {
        guard n > 0 else { return }
        acc = (acc << UInt32(n)) | (UInt32(truncatingIfNeeded: value) & ((1 << UInt32(n)) - 1))
        count += n
        while count >= 8 {
            let byte = UInt8(truncatingIfNeeded: acc >> UInt32(count - 8))
            bytes.append(byte)
            if byte == 0xFF { bytes.append(0) }
            count -= 8
        }
        acc &= (1 << UInt32(count)) - 1
    }

    /// The bytes, the last one padded with 1 bits.
    mutating func finish() -> [UInt8] {
        if count > 0 { write((1 << (8 - count)) - 1, 8 - count) }
        return bytes
    }
}

/// Writes bits least significant first, as WebP's lossless bitstream wants.
struct LSBBitWriter {
    private(set) var bytes: [UInt8] = []
    /// Bits not yet written out, lowest first, and how many.
    private var pending: (bits: UInt64, count: Int) = (0, 0)

    /// Appends the low `n` bits of `value` (0 <= n <= 32); whole 32-bit words leave at once.
    mutating func write(_ value: Int, _ n: Int) {
        let mask: UInt64 = (1 << UInt64(n)) - 1
        pending = (pending.bits | (UInt64(truncatingIfNeeded: value) & mask) << UInt64(pending.count), pending.count + n)
        if pending.count >= 32 { flush(bytes: 4) }
    }

    /// The bytes, the last one padded with 0 bits.
    mutating func finish() -> [UInt8] {
        flush(bytes: (pending.count + 7) / 8)
        return bytes
    }

    private mutating func flush(bytes n: Int) {
        for i in 0..<n { bytes.append(UInt8(truncatingIfNeeded: pending.bits >> UInt64(8 * i))) }
        pending = (n >= 8 ? 0 : pending.bits >> UInt64(8 * n), max(0, pending.count - 8 * n))
    }
}
