import Testing

@testable import KieSimulator

@Suite("files, download links and PNGs")
struct FileTests {
    @Test(arguments: [("1:1", 1024, 1024), ("3:2", 1536, 1024), ("2:3", 1024, 1536)])
    func resultPNGHasTheSizeOfItsAspect(size: String, width: Int, height: Int) async throws {
        try await withSimulator { sim in
            let taskId = try await sim.submit(#"{"prompt":"p","size":"\#(size)","nVariants":2}"#)
            sim.advanceClock(ms: 2000)
            let urls = try #require(try await sim.recordInfo(taskId)["data"]?["response"]?["resultUrls"]?.arrayValue)
            #expect(urls.count == 2)
            var images: [[UInt8]] = []
            for url in urls {
                let answer = try await get(try #require(url.stringValue), key: nil)
                #expect(answer.status == 200)
                #expect(answer.header("Content-Type") == "image/png")
                let png = answer.bytes
                try checkPNG(png, width: width, height: height)
                images.append(png)
            }
            #expect(images[0] != images[1])
        }
    }

    @Test func encoderOutputIsAValidPNGStream() throws {
        let png = ResultImage.png(size: "1:1", seed: 99)
        try checkPNG(png, width: 1024, height: 1024)
        #expect(png.count < 200_000)
        #expect(ResultImage.png(size: "1:1", seed: 100) != png)
    }

    @Test func fileHostRecordsAuthorizationAndExpiresAfter14Days() async throws {
        try await withSimulator { sim in
            let taskId = try await sim.submit()
            sim.advanceClock(ms: 2000)
            let url = try #require(try await sim.recordInfo(taskId)["data"]?["response"]?["resultUrls"]?.arrayValue?.first?.stringValue)
            #expect(try await get(url, key: nil).status == 200)
            #expect(try await get(url, key: "leaked").status == 200)
            let stats = sim.stats()
            #expect(stats.fileRequests == 2)
            #expect(stats.fileRequestsWithAuthorization == 1)
            #expect(sim.fileRequests().map(\.hadAuthorization) == [false, true])
            sim.advanceClock(ms: 14 * 86_400_000)
            #expect(try await get(url, key: nil).status == 404)
        }
    }

    @Test func downloadURLIsAPresignedLinkValidTwentyMinutes() async throws {
        try await withSimulator { sim in
            let taskId = try await sim.submit()
            sim.advanceClock(ms: 2000)
            let url = try #require(try await sim.recordInfo(taskId)["data"]?["response"]?["resultUrls"]?.arrayValue?.first?.stringValue)
            let answer = try await post(sim.baseURL + "/api/v1/gpt4o-image/download-url", #"{"taskId":"\#(taskId)","url":"\#(url)"}"#)
            #expect(keys(answer.json) == ["code", "msg", "data"])
            let link = try #require(answer.json?["data"]?.stringValue)
            #expect(link.contains("X-Amz-Expires=1200"))
            #expect(link.hasPrefix(sim.fileBaseURL))
            let fetched = try await get(link, key: nil)
            #expect(fetched.status == 200)
            try checkPNG(fetched.bytes, width: 1024, height: 1024)
            #expect(try await get(link.replacingOccurrences("X-Amz-Expires=1200", "X-Amz-Expires=9999"), key: nil).status == 403)
            sim.advanceClock(ms: 20 * 60_000 + 2000)
            #expect(try await get(link, key: nil).status == 403)
        }
    }

    @Test func downloadURLRefusalsUseTheDocumentedTexts() async throws {
        try await withSimulator(testConfig { $0.generationMs = 60_000 }) { sim in
            let endpoint = sim.baseURL + "/api/v1/gpt4o-image/download-url"
            let taskId = try await sim.submit()
            func msg(_ body: String) async throws -> String? {
                let answer = try await post(endpoint, body)
                #expect(answer.json?["code"]?.intValue == 422)
                return answer.json?["msg"]?.stringValue
            }
            #expect(try await msg(#"{"taskId":"ffffffffffffffffffffffffffffffff","url":"http://x/a.png"}"#) == "record is null")
            #expect(try await msg(#"{"taskId":"\#(taskId)","url":"http://x/a.png"}"#) == "record status is not success")
            sim.advanceClock(ms: 61_000)
            #expect(try await msg(#"{"taskId":"\#(taskId)","url":"http://x/a.png"}"#) == "record result data not exist")
            sim.advanceClock(ms: 15 * 86_400_000)
            #expect(try await msg(#"{"taskId":"\#(taskId)","url":"http://x/a.png"}"#) == "Temporarily supports records within 14 days")
            #expect(try await msg(#"{"url":"http://x/a.png"}"#) == "taskId cannot be empty")
        }
    }

    @Test func commonDownloadURLRefusesForeignURLs() async throws {
        try await withSimulator { sim in
            let endpoint = sim.baseURL + "/api/v1/common/download-url"
            let foreign = try await post(endpoint, #"{"url":"https://example.com/a.png"}"#)
            #expect(foreign.text == #"{"code":422,"msg":"url is wrong","data":null}"#)
            let taskId = try await sim.submit()
            sim.advanceClock(ms: 2000)
            let url = try #require(try await sim.recordInfo(taskId)["data"]?["response"]?["resultUrls"]?.arrayValue?.first?.stringValue)
            let ok = try await post(endpoint, #"{"url":"\#(url)"}"#)
            #expect(ok.json?["code"]?.intValue == 200)
            #expect(ok.json?["data"]?.stringValue?.contains("X-Amz-Expires=1200") == true)
        }
    }
}

/// Checks signature, IHDR, every chunk CRC and the zlib stream's Adler-32 after inflating with a
/// minimal fixed-Huffman inflater (enough for what the encoder writes).
func checkPNG(_ png: [UInt8], width: Int, height: Int) throws {
    #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    var i = 8
    var idat: [UInt8] = []
    var sawIHDR = false
    func be32(_ at: Int) -> Int { Int(png[at]) << 24 | Int(png[at + 1]) << 16 | Int(png[at + 2]) << 8 | Int(png[at + 3]) }
    while i + 12 <= png.count {
        let length = be32(i)
        let type = String(decoding: png[(i + 4)..<(i + 8)], as: UTF8.self)
        let data = Array(png[(i + 8)..<(i + 8 + length)])
        var crc = CRC32()
        crc.update(Array(png[(i + 4)..<(i + 8)]))
        crc.update(data)
        #expect(UInt32(be32(i + 8 + length)) == crc.value, "CRC of \(type)")
        if type == "IHDR" {
            sawIHDR = true
            #expect(be32(i + 8) == width)
            #expect(be32(i + 12) == height)
            #expect(data[8] == 8 && data[9] == 2)
        }
        if type == "IDAT" { idat += data }
        i += 12 + length
    }
    #expect(sawIHDR)
    #expect((Int(idat[0]) << 8 | Int(idat[1])) % 31 == 0)
    let raw = try #require(TinyInflate.inflate(Array(idat[2..<(idat.count - 4)])))
    #expect(raw.count == height * (width * 3 + 1))
    let adler = UInt32(idat[idat.count - 4]) << 24 | UInt32(idat[idat.count - 3]) << 16 | UInt32(idat[idat.count - 2]) << 8
        | UInt32(idat[idat.count - 1])
    #expect(PNGEncoder.adler32(raw) == adler)
}

/// An independent inflater for stored and fixed-Huffman blocks, to check the encoder.
enum TinyInflate {
    static func inflate(_ data: [UInt8]) -> [UInt8]? {
        var pos = 0
        var bit = 0
        func bits(_ n: Int) -> Int? {
            var v = 0
            for k in 0..<n {
                guard pos < data.count else { return nil }
                v |= Int((data[pos] >> UInt8(bit)) & 1) << k
                bit += 1
                if bit == 8 { bit = 0; pos += 1 }
            }
            return v
        }
        func huffman(_ n: Int) -> Int? {
            var v = 0
            for _ in 0..<n {
                guard let b = bits(1) else { return nil }
                v = (v << 1) | b
            }
            return v
        }
        func symbol() -> Int? {
            guard var code = huffman(7) else { return nil }
            if code <= 0b0010111 { return 256 + code }
            guard let b8 = bits(1) else { return nil }
            code = (code << 1) | b8
            if (0x30...0xBF).contains(code) { return code - 0x30 }
            if (0xC0...0xC7).contains(code) { return 280 + code - 0xC0 }
            guard let b9 = bits(1) else { return nil }
            code = (code << 1) | b9
            if (0x190...0x1FF).contains(code) { return 144 + code - 0x190 }
            return nil
        }
        let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
        let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
        let distBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                        4097, 6145, 8193, 12289, 16385, 24577]
        let distExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
        var out: [UInt8] = []
        while true {
            guard let final = bits(1), let type = bits(2) else { return nil }
            if type == 0 {
                if bit != 0 { bit = 0; pos += 1 }
                guard pos + 4 <= data.count else { return nil }
                let len = Int(data[pos]) | Int(data[pos + 1]) << 8
                pos += 4
                guard pos + len <= data.count else { return nil }
                out += data[pos..<(pos + len)]
                pos += len
            } else if type == 1 {
                while true {
                    guard let sym = symbol() else { return nil }
                    if sym < 256 { out.append(UInt8(sym)); continue }
                    if sym == 256 { break }
                    let li = sym - 257
                    guard li < lengthBase.count, let le = bits(lengthExtra[li]), let dc = huffman(5), dc < distBase.count,
                        let de = bits(distExtra[dc])
                    else { return nil }
                    let length = lengthBase[li] + le
                    let distance = distBase[dc] + de
                    guard distance <= out.count else { return nil }
                    for _ in 0..<length { out.append(out[out.count - distance]) }
                }
            } else {
                return nil
            }
            if final == 1 { return out }
        }
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
