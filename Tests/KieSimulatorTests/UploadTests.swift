import FoundationEssentials
import Testing

@testable import KieSimulator

@Suite("upload host")
struct UploadTests {
    static let pngBytes = ResultImage.png(size: "1:1", seed: 5) ?? []

    @Test func base64UploadAnswersTheRealShapeAndServesTheFile() async throws {
        try await withSimulator { sim in
            let body = #"{"base64Data":"\#(Data(Self.pngBytes).base64EncodedString())","uploadPath":"images/test-uploads","fileName":"test-base64.png"}"#
            let answer = try await post(sim.uploadBaseURL + "/api/file-base64-upload", body)
            #expect(answer.status == 200)
            let json = try #require(answer.json)
            #expect(keys(json) == ["success", "code", "msg", "data"])
            #expect(json["msg"]?.stringValue == "File uploaded successfully")
            let data = try #require(json["data"])
            #expect(keys(data) == ["success", "fileName", "filePath", "downloadUrl", "fileSize", "mimeType", "uploadedAt"])
            #expect(data["fileName"]?.stringValue == "test-base64.png")
            #expect(data["filePath"]?.stringValue == "kieai/136592/images/test-uploads/test-base64.png")
            #expect(data["downloadUrl"]?.stringValue == sim.fileBaseURL + "/kieai/136592/images/test-uploads/test-base64.png")
            #expect(data["fileSize"]?.intValue == Self.pngBytes.count)
            #expect(data["mimeType"]?.stringValue == "image/png")
            let uploadedAt = try #require(data["uploadedAt"]?.stringValue)
            #expect(uploadedAt.count == 24 && uploadedAt.hasSuffix("Z"))
            let fetched = try await get(try #require(data["downloadUrl"]?.stringValue), key: nil)
            #expect(fetched.bytes == Self.pngBytes)
        }
    }

    @Test func dataURLBase64AndSameNameOverwrite() async throws {
        try await withSimulator { sim in
            let url = sim.uploadBaseURL + "/api/file-base64-upload"
            let first = try await post(url, #"{"base64Data":"data:text/plain;base64,\#(Data("one".utf8).base64EncodedString())","uploadPath":"p","fileName":"a.txt"}"#)
            #expect(first.json?["data"]?["mimeType"]?.stringValue == "text/plain")
            _ = try await post(url, #"{"base64Data":"data:text/plain;base64,\#(Data("two".utf8).base64EncodedString())","uploadPath":"p","fileName":"a.txt"}"#)
            let link = try #require(first.json?["data"]?["downloadUrl"]?.stringValue)
            #expect(try await get(link, key: nil).text == "two")
        }
    }

    @Test func streamUploadTakesMultipart() async throws {
        try await withSimulator { sim in
            let boundary = "----kiesimboundary"
            var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"uploadPath\"\r\n\r\nimages/in\r\n".utf8)
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cat.png\"\r\nContent-Type: image/png\r\n\r\n".utf8)
            body += Self.pngBytes
            body += Array("\r\n--\(boundary)--\r\n".utf8)
            let answer = try await http(.POST, sim.uploadBaseURL + "/api/file-stream-upload", body: body,
                                        headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")])
            #expect(answer.json?["code"]?.intValue == 200)
            #expect(answer.json?["data"]?["fileName"]?.stringValue == "cat.png")
            #expect(answer.json?["data"]?["filePath"]?.stringValue == "kieai/136592/images/in/cat.png")
            let link = try #require(answer.json?["data"]?["downloadUrl"]?.stringValue)
            #expect(try await get(link, key: nil).bytes == Self.pngBytes)
        }
    }

    @Test func urlUploadFetchesLoopbackOnly() async throws {
        try await withSimulator { sim in
            let taskId = try await sim.submit()
            sim.advanceClock(ms: 2000)
            let result = try #require(try await sim.recordInfo(taskId)["data"]?["response"]?["resultUrls"]?.arrayValue?.first?.stringValue)
            let url = sim.uploadBaseURL + "/api/file-url-upload"
            let ok = try await post(url, #"{"fileUrl":"\#(result)","uploadPath":"copies","fileName":"r.png"}"#)
            #expect(ok.json?["code"]?.intValue == 200)
            #expect(ok.json?["data"]?["mimeType"]?.stringValue == "image/png")
            let remote = try await post(url, #"{"fileUrl":"https://example.com/a.png","uploadPath":"copies"}"#)
            #expect(remote.json?["success"] == .bool(false))
            #expect(remote.json?["code"]?.intValue == 500)
        }
    }

    @Test func missingFieldsAndBadKeyGetTheDocumentedErrors() async throws {
        try await withSimulator { sim in
            let missingURL = try await post(sim.uploadBaseURL + "/api/file-url-upload", #"{"uploadPath":"x"}"#)
            #expect(missingURL.status == 200)
            #expect(missingURL.text == #"{"success":false,"code":400,"msg":"Missing required parameter: fileUrl (file download URL)"}"#)
            let missingPath = try await post(sim.uploadBaseURL + "/api/file-base64-upload", #"{"base64Data":"aGk="}"#)
            #expect(missingPath.json?["msg"]?.stringValue?.hasPrefix("Missing required parameter: uploadPath") == true)
            let noFile = try await http(.POST, sim.uploadBaseURL + "/api/file-stream-upload", body: Array("x".utf8),
                                        headers: [("Content-Type", "multipart/form-data; boundary=b")])
            #expect(noFile.json?["msg"]?.stringValue?.hasPrefix("Missing required parameter: file") == true)
            let badKey = try await post(sim.uploadBaseURL + "/api/file-base64-upload", #"{"base64Data":"aGk=","uploadPath":"x"}"#, key: "nope")
            #expect(badKey.text == #"{"success":false,"code":401,"msg":"Authentication failed: Invalid API Key"}"#)
            let wrongMethod = try await get(sim.uploadBaseURL + "/api/file-base64-upload")
            #expect(wrongMethod.status == 405)
            let garbage = try await post(sim.uploadBaseURL + "/api/file-base64-upload", "\u{1}\u{2}garbage")
            #expect(garbage.json?["success"] == .bool(false))
        }
    }

    @Test func uploadsExpireAfterTheRetention() async throws {
        try await withSimulator { sim in
            let answer = try await post(sim.uploadBaseURL + "/api/file-base64-upload", #"{"base64Data":"aGk=","uploadPath":"x"}"#)
            let link = try #require(answer.json?["data"]?["downloadUrl"]?.stringValue)
            #expect(try await get(link, key: nil).text == "hi")
            sim.advanceClock(ms: 86_400_000)
            #expect(try await get(link, key: nil).status == 404)
        }
    }

    @Test func expiredUploadAsInputFailsTheTaskWith451() async throws {
        try await withSimulator { sim in
            let answer = try await post(sim.uploadBaseURL + "/api/file-base64-upload", #"{"base64Data":"aGk=","uploadPath":"x","fileName":"in.png"}"#)
            let link = try #require(answer.json?["data"]?["downloadUrl"]?.stringValue)
            sim.advanceClock(ms: 86_400_000)
            let taskId = try await sim.submit(#"{"size":"1:1","filesUrl":["\#(link)"]}"#)
            sim.advanceClock(ms: 2000)
            let data = try await sim.recordInfo(taskId)["data"]
            #expect(data?["status"]?.stringValue == "GENERATE_FAILED")
            #expect(data?["errorCode"]?.intValue == 451)
        }
    }
}
