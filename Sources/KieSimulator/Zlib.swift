import CNIOExtrasZlib

// zlib (the copy swift-nio-extras builds for AsyncHTTPClient's HTTP compression, already linked
// into the simulator) for the PNG encoder: deflate, CRC-32 and Adler-32.
enum Zlib {
    /// `data` as one zlib stream (RFC 1950) at `level` (1 fastest ... 9 smallest); nil only when
    /// zlib itself fails (out of memory).
    static func compress(_ data: [UInt8], level: Int32 = 6) -> [UInt8]? {
        let stream = UnsafeMutablePointer<cnioextras_z_stream>.allocate(capacity: 1)
        stream.initialize(to: cnioextras_z_stream())
        defer {
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        // zlib keeps a pointer back to the stream, so it lives at one fixed address.
        guard CNIOExtrasZlib_deflateInit2(stream, level, CNIOEXTRAS_Z_DEFLATED, 15, 8, CNIOEXTRAS_Z_DEFAULT_STRATEGY)
            == CNIOEXTRAS_Z_OK
        else { return nil }
        defer { cnioextras_z_deflateEnd(stream) }
        guard data.count < Int(UInt32.max / 2) else { return nil }
        let bound = Int(cnioextras_z_deflateBound(stream, UInt(data.count)))
        var out = [UInt8](repeating: 0, count: bound)
        let rc = data.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output -> Int32 in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.pointee.avail_in = UInt32(input.count)
                stream.pointee.next_out = output.baseAddress
                stream.pointee.avail_out = UInt32(output.count)
                return cnioextras_z_deflate(stream, CNIOEXTRAS_Z_FINISH)
            }
        }
        // deflateBound is enough for a single Z_FINISH call.
        guard rc == CNIOEXTRAS_Z_STREAM_END else { return nil }
        out.removeSubrange(min(Int(stream.pointee.total_out), out.count)...)
        return out
    }

    /// CRC-32 (PNG chunks) of `bytes`, continuing from `crc` (0 to start).
    static func crc32(_ bytes: [UInt8], crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBufferPointer { b in
            UInt32(truncatingIfNeeded: cnioextras_z_crc32_z(UInt(crc), b.baseAddress, b.count))
        }
    }

    /// Adler-32 of `bytes` (the zlib stream's checksum).
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { b in
            UInt32(truncatingIfNeeded: cnioextras_z_adler32_z(1, b.baseAddress, b.count))
        }
    }
}
