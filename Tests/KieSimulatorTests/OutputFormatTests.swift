import FoundationEssentials
import Testing

@testable import KieSimulator

/// Checks a baseline JPEG: SOI, a JFIF APP0, the segments in order, SOF0's size and three
/// components, entropy data in which every 0xFF is stuffed, and EOI last.
func checkJPEG(_ b: [UInt8], width: Int, height: Int) throws {
    #expect(Array(b.prefix(3)) == [0xFF, 0xD8, 0xFF])
    #expect(Array(b.suffix(2)) == [0xFF, 0xD9])
    var i = 2
    var markers: [UInt8] = []
    while i + 4 <= b.count {
        try #require(b[i] == 0xFF, "marker expected at byte \(i)")
        let marker = b[i + 1]
        let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
        try #require(i + 2 + length <= b.count, "segment runs past the end")
        markers.append(marker)
        if marker == 0xE0 { #expect(Array(b[(i + 4)..<(i + 9)]) == Array("JFIF\0".utf8)) }
        if marker == 0xC0 {
            #expect(Int(b[i + 5]) << 8 | Int(b[i + 6]) == height)
            #expect(Int(b[i + 7]) << 8 | Int(b[i + 8]) == width)
            #expect(b[i + 9] == 3)
        }
        if marker == 0xDA {
            let data = Array(b[(i + 2 + length)..<(b.count - 2)])
            #expect(!data.isEmpty)
            let unstuffed = zip(data, data.dropFirst() + [0]).filter { $0.0 == 0xFF && $0.1 != 0x00 }
            #expect(unstuffed.isEmpty, "a marker inside the entropy-coded data")
            break
        }
        i += 2 + length
    }
    #expect(markers == [0xE0, 0xDB, 0xC0, 0xC4, 0xC4, 0xDA])
}

/// Checks a lossless WebP: RIFF size, `WEBP`, one `VP8L` chunk of the stated size (padded to
/// even), its signature byte, and the width and height in its header.
func checkWebP(_ b: [UInt8], width: Int, height: Int) throws {
    try #require(b.count > 25)
    func le32(_ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 | Int(b[at + 3]) << 24 }
    #expect(Array(b[0..<4]) == Array("RIFF".utf8))
    #expect(le32(4) == b.count - 8)
    #expect(Array(b[8..<16]) == Array("WEBPVP8L".utf8))
    let size = le32(16)
    #expect(20 + size + size % 2 == b.count)
    #expect(b[20] == 0x2F)
    let bits = le32(21)
    #expect(bits & 0x3FFF + 1 == width)
    #expect((bits >> 14) & 0x3FFF + 1 == height)
    #expect(bits >> 29 == 0, "version 0")
}

@Suite("Market output_format")
struct OutputFormatTests {
    @Test(arguments: [
        // nano-banana-2 defaults to jpg; a recorded run returned a `.jpeg` URL.
        (#"{"model":"nano-banana-2","input":{"prompt":"p"}}"#, "jpeg"),
        (#"{"model":"nano-banana-2","input":{"prompt":"p","output_format":"png"}}"#, "png"),
        (#"{"model":"nano-banana-pro","input":{"prompt":"p"}}"#, "png"),
        (#"{"model":"nano-banana-pro","input":{"prompt":"p","output_format":"jpg"}}"#, "jpeg"),
        (#"{"model":"seedream/5-lite-text-to-image","input":{"prompt":"p","aspect_ratio":"1:1","quality":"basic","output_format":"jpeg"}}"#, "jpeg"),
        (#"{"model":"qwen2/text-to-image","input":{"prompt":"p","image_size":"1:1","output_format":"JPEG"}}"#, "jpeg"),
        (#"{"model":"some-new/model","input":{"prompt":"p","output_format":"webp"}}"#, "webp"),
        (#"{"model":"some-new/model","input":{"prompt":"p","output_format":"tiff"}}"#, "png"),
        // GPT Image has no output_format on kie: the field changes nothing.
        (#"{"model":"gpt-image-2-text-to-image","input":{"prompt":"p","aspect_ratio":"1:1","output_format":"jpeg"}}"#, "png"),
    ])
    func resultFollowsOutputFormat(body: String, format: String) async throws {
        try await withSimulator { sim in
            let taskId = try await sim.createMarketTask(body)
            sim.advanceClock(ms: 3_000)
            let url = try await MarketResultTests.resultURL(sim, taskId)
            #expect(url.hasSuffix(".\(format)"))
            #expect(sim.tasks().first?.resultUrls == [url])
            let file = try await get(url, key: nil)
            #expect(file.status == 200)
            #expect(file.header("Content-Type") == "image/\(format)")
            // Every model above draws 1:1 at 1K or, seedream's basic quality, 2K.
            let side = body.contains("seedream") ? 2048 : 1024
            switch format {
            case "jpeg": try checkJPEG(file.bytes, width: side, height: side)
            case "webp": try checkWebP(file.bytes, width: side, height: side)
            default: try checkPNG(file.bytes, width: side, height: side)
            }
        }
    }

    @Test(arguments: [(1, 1), (13, 7), (8, 8), (17, 33)])
    func encodersWriteValidFilesAtAnySize(width: Int, height: Int) throws {
        let size = "\(width)x\(height)"
        try checkJPEG(try #require(ResultImage.encoded(size: size, seed: 3, format: .jpeg)), width: width, height: height)
        let webp = try #require(ResultImage.encoded(size: size, seed: 3, format: .webp))
        try checkWebP(webp, width: width, height: height)
        // 24 bits a pixel after the header and prefix codes: the pixels are all there.
        #expect(webp.count >= 20 + 5 + width * height * 3)
        #expect(ResultImage.encoded(size: size, seed: 4, format: .jpeg) != ResultImage.encoded(size: size, seed: 3, format: .jpeg))
    }

    @Test func outputFormatNames() {
        #expect(ImageFormat(outputFormat: "jpg") == .jpeg)
        #expect(ImageFormat(outputFormat: "JPEG") == .jpeg)
        #expect(ImageFormat(outputFormat: "webp") == .webp)
        #expect(ImageFormat(outputFormat: "png") == .png)
        #expect(ImageFormat(outputFormat: "gif") == nil)
    }
}
