import CNIOExtrasZlib
import Testing

@testable import KieSimulator

/// Checks a PNG: signature, IHDR size and colour type, every chunk's CRC, IEND last, and that
/// zlib inflates the IDAT data to exactly one filter byte plus RGB per row with a matching Adler-32.
func checkPNG(_ png: [UInt8], width: Int, height: Int) throws {
    #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    var i = 8
    var idat: [UInt8] = []
    var types: [String] = []
    func be32(_ at: Int) -> Int { Int(png[at]) << 24 | Int(png[at + 1]) << 16 | Int(png[at + 2]) << 8 | Int(png[at + 3]) }
    while i + 12 <= png.count {
        let length = be32(i)
        try #require(i + 12 + length <= png.count, "chunk runs past the end")
        let type = String(decoding: png[(i + 4)..<(i + 8)], as: UTF8.self)
        let data = Array(png[(i + 8)..<(i + 8 + length)])
        #expect(UInt32(be32(i + 8 + length)) == Zlib.crc32(Array(png[(i + 4)..<(i + 8 + length)])), "CRC of \(type)")
        if type == "IHDR" {
            #expect(be32(i + 8) == width)
            #expect(be32(i + 12) == height)
            #expect(data[8] == 8 && data[9] == 2)
        }
        if type == "IDAT" { idat += data }
        types.append(type)
        i += 12 + length
    }
    #expect(i == png.count)
    #expect(types.first == "IHDR")
    #expect(types.last == "IEND")
    #expect((Int(idat[0]) << 8 | Int(idat[1])) % 31 == 0)
    let raw = try #require(inflate(idat, expected: height * (width * 3 + 1)))
    #expect(raw.count == height * (width * 3 + 1))
    let adler = UInt32(idat[idat.count - 4]) << 24 | UInt32(idat[idat.count - 3]) << 16 | UInt32(idat[idat.count - 2]) << 8
        | UInt32(idat[idat.count - 1])
    #expect(Zlib.adler32(raw) == adler)
}

/// Pixel size from a PNG's IHDR.
func pngSize(_ png: [UInt8]) -> (width: Int, height: Int)? {
    guard png.count >= 24 else { return nil }
    func be32(_ at: Int) -> Int { Int(png[at]) << 24 | Int(png[at + 1]) << 16 | Int(png[at + 2]) << 8 | Int(png[at + 3]) }
    return (be32(16), be32(20))
}

/// zlib's inflate over a whole zlib stream; nil unless it ends cleanly with `expected` bytes.
func inflate(_ data: [UInt8], expected: Int) -> [UInt8]? {
    let stream = UnsafeMutablePointer<cnioextras_z_stream>.allocate(capacity: 1)
    stream.initialize(to: cnioextras_z_stream())
    defer {
        stream.deinitialize(count: 1)
        stream.deallocate()
    }
    guard CNIOExtrasZlib_inflateInit2(stream, 15) == CNIOEXTRAS_Z_OK else { return nil }
    defer { cnioextras_z_inflateEnd(stream) }
    var out = [UInt8](repeating: 0, count: expected + 1)
    let rc = data.withUnsafeBufferPointer { input in
        out.withUnsafeMutableBufferPointer { output -> Int32 in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.pointee.avail_in = UInt32(input.count)
            stream.pointee.next_out = output.baseAddress
            stream.pointee.avail_out = UInt32(output.count)
            return cnioextras_z_inflate(stream, CNIOEXTRAS_Z_FINISH)
        }
    }
    guard rc == CNIOEXTRAS_Z_STREAM_END, Int(stream.pointee.total_out) == expected else { return nil }
    return Array(out.prefix(expected))
}
