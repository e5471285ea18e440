import FoundationEssentials
import KieSimulator
import Testing
@testable import KieImage

#if canImport(Glibc)
import Glibc
#endif

/// Local files where a request takes image URLs (docs/inputs-proxies-budget.md, "Local files as inputs"): checked
/// before any upload, uploaded once per content, reused from the journal by a second client.
@Suite(.serialized) struct LocalInputTests {
    static let pixel = Array(Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==") ?? Data())

    /// A fresh directory with a PNG of unique content per name.
    struct Files {
        let dir = "/tmp/kieimage-inputs-\(UInt32.random(in: 0...UInt32.max))"
        init() { mkdir(dir, 0o755) }
        func png(_ name: String) -> String { write(name, LocalInputTests.pixel + Array(name.utf8) + Array(dir.utf8)) }
        @discardableResult func write(_ name: String, _ bytes: [UInt8]) -> String {
            let path = dir + "/" + name
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
            return path
        }
        var journal: String { dir + "/journal.jsonl" }
    }

    static func uploads(_ h: SimHarness) -> Int {
        (h.sim.requestCounts()["upload-base64"] ?? 0) + (h.sim.requestCounts()["upload-stream"] ?? 0)
    }

    static func sentURLs(_ client: KieClient) throws -> [String] {
        guard let last = try client.journalEntries().last else { return [] }
        let body = last.request
        let values = [body["filesUrl"], body["maskUrl"], body["input"]?["input_urls"]].compactMap { $0 }
        return values.flatMap { $0.arrayValue?.compactMap(\.stringValue) ?? [$0.stringValue].compactMap { $0 } }
    }

    @Test func fourOEditFromAPathAndAFileURLUploadsEachOnceAndReusesIt() async throws {
        let f = Files()
        let (photo, mask) = (f.png("photo.png"), f.png("mask.png"))
        let json = #"{"prompt":"make it blue","size":"1:1","filesUrl":["\#(photo)"],"maskUrl":"file://\#(mask)"}"#
        try await withSim(client: { $0.journalPath = f.journal }) { h in
            let first = try await h.client.generate(json: json)
            #expect(Self.uploads(h) == 2)
            let urls = try Self.sentURLs(h.client)
            #expect(urls.count == 2 && urls.allSatisfy { $0.hasPrefix(h.sim.fileBaseURL + "/") })
            _ = try await h.client.wait(first.taskId, options: h.waitOptions)
            _ = try await h.client.generate(json: json)
            #expect(Self.uploads(h) == 2)
            let second = try KieClient(config: h.client.config)
            _ = try await second.generate(json: json)
            #expect(Self.uploads(h) == 2)
            #expect(try Self.sentURLs(second) == urls)
            await second.shutdown()
            #expect(h.generateCount() == 3)
        }
    }

    @Test func marketImageToImageFromAFileURLAndAPathUploadsEachOnce() async throws {
        let f = Files()
        let (a, b) = (f.png("a.png"), f.png("b.png"))
        let json = #"{"model":"gpt-image-2-image-to-image","input":{"prompt":"merge","input_urls":["file://\#(a)","\#(b)"]}}"#
        try await withSim(configure: { $0.marketWaitingMs = 0; $0.marketGenerationMs = 100 }, client: { $0.journalPath = f.journal }) { h in
            let task = try await h.client.run(RequestValidator.validate(json: json), options: h.waitOptions, onEvent: { _ in })
            if case .completed(let t, _) = task { #expect(t.isSuccess) } else { Issue.record("not completed") }
            #expect(Self.uploads(h) == 2)
            #expect(try Self.sentURLs(h.client).allSatisfy { $0.hasPrefix(h.sim.fileBaseURL + "/") })
            _ = try await h.client.generate(json: json)
            let second = try KieClient(config: h.client.config)
            _ = try await second.generate(json: json)
            await second.shutdown()
            #expect(Self.uploads(h) == 2)
            #expect(h.sim.requestCounts()["jobs-createTask"] == 3)
        }
    }

    @Test func withoutAJournalTheSameContentIsUploadedOncePerClient() async throws {
        let f = Files()
        let a = f.png("same.png")
        let copy = f.write("copy.png", Array(LocalFileBytes.read(a)))
        try await withSim { h in
            _ = try await h.client.generate(json: #"{"size":"1:1","filesUrl":["\#(a)","file://\#(copy)"]}"#)
            _ = try await h.client.generate(json: #"{"size":"1:1","filesUrl":["\#(copy)"]}"#)
            #expect(Self.uploads(h) == 1)
        }
    }

    @Test func concurrentGeneratesOfOneNewFileShareOneUpload() async throws {
        let f = Files()
        let a = f.png("shared.png")
        try await withSim { h in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 { group.addTask { _ = try await h.client.generate(json: #"{"size":"1:1","filesUrl":["\#(a)"]}"#) } }
                try await group.waitForAll()
            }
            #expect(Self.uploads(h) == 1 && h.generateCount() == 8)
        }
    }

    @Test func journalUploadLinesAreNotWorkItemsAndExpireAfter23Hours() async throws {
        let f = Files()
        let a = f.png("old.png")
        let journal = f.journal
        try await withSim(client: { $0.journalPath = journal }) { h in
            _ = try await h.client.generate(json: #"{"size":"1:1","filesUrl":["\#(a)"]}"#)
            #expect(Self.uploads(h) == 1)
            let reopened = try TaskJournal(path: journal)
            #expect(reopened.warnings.isEmpty && reopened.entries().count == 1)
            // The same upload, recorded 24 hours ago: too old to reuse.
            let key = try #require(Self.journalUploadKeys(journal).first)
            try reopened.recordUpload(UploadRecord(key: key, url: "https://expired.example/x.png", time: Clock.nowMs() - 24 * 3_600_000))
            let second = try KieClient(config: h.client.config)
            _ = try await second.generate(json: #"{"size":"1:1","filesUrl":["\#(a)"]}"#)
            await second.shutdown()
            #expect(Self.uploads(h) == 2)
        }
    }

    static func journalUploadKeys(_ path: String) -> [String] {
        let text = String(decoding: LocalFileBytes.read(path), as: UTF8.self)
        return text.split(separator: "\n").compactMap { line in
            (try? JSON.parse(String(line))).flatMap { UploadRecord(line: $0)?.key }
        }
    }

    @Test func badLocalFilesFailBeforeAnyUpload() async throws {
        let f = Files()
        let good = f.png("good.png")
        let empty = f.write("empty.png", [])
        let text = f.write("notes.png", Array("not an image".utf8))
        let big = f.dir + "/big.png"
        let fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = ftruncate(fd, 26_214_401)
        close(fd)
        try await withSim { h in
            func generate(_ files: [String], size: String = "1:1") async -> KieError? {
                let list = files.map { "\"\($0)\"" }.joined(separator: ",")
                do { _ = try await h.client.generate(json: #"{"size":"\#(size)","filesUrl":[\#(list)]}"#) } catch { return KieError.wrap(error) }
                return nil
            }
            let missing = await generate([good, f.dir + "/missing.png"])
            #expect(missing?.status == .io && missing?.message.contains("missing.png") == true && missing?.field == "filesUrl")
            let dir = await generate([f.dir])
            #expect(dir?.status == .io && dir?.message.contains("is a directory") == true)
            let zero = await generate([empty])
            #expect(zero?.status == .validation && zero?.field == "filesUrl" && zero?.message.contains("empty") == true)
            let over = await generate([big])
            #expect(over?.status == .validation && over?.field == "filesUrl" && over?.message.contains("26214401") == true)
            let notImage = await generate([text])
            #expect(notImage?.status == .validation && notImage?.field == "filesUrl")
            let badSize = await generate([good], size: "5:5")
            #expect(badSize?.status == .validation && badSize?.field == "size")
            let market = await expectError(.validation) {
                _ = try await h.client.generate(json: #"{"model":"gpt-image/1.5-image-to-image","input":{"prompt":"x","input_urls":["\#(f.dir)/photo.gif"]}}"#)
            }
            #expect(market?.field == "input.input_urls")
            #expect(Self.uploads(h) == 0 && h.generateCount() == 0)
        }
    }

    @Test(arguments: [
        ("/tmp/a.png", "/tmp/a.png"), ("file:///tmp/a%20b.png", "/tmp/a b.png"), ("file:/tmp/a.png", "/tmp/a.png"),
        ("file://localhost/tmp/a.png", "/tmp/a.png"),
    ])
    func localFileSpellings(value: String, path: String) {
        #expect(LocalInputs.path(of: value) == path)
    }

    @Test(arguments: ["file://host/tmp/a.png", "file:tmp/a.png", "//cdn.example.com/a.png", "https://example.com/a.png", "a.png"])
    func notLocalFiles(value: String) {
        #expect(LocalInputs.path(of: value) == nil)
    }
}

/// Test-side file read (the library's LocalFile is internal API with a limit).
enum LocalFileBytes {
    static func read(_ path: String) -> [UInt8] { (try? LocalFile.read(path, limit: 1 << 20)) ?? [] }
}
