import Testing
@testable import KieImage

@Suite struct RequestValidatorTests {
    func validate(_ json: String) throws(KieError) -> ValidatedRequest { try RequestValidator.validate(json: json) }

    func field(of json: String) -> String? {
        do { _ = try validate(json); return nil } catch { return error.status == .validation ? error.field : "status \(error.status)" }
    }

    @Test func minimalRequestBuildsExactBody() throws {
        let v = try validate(#"{"prompt":"A beautiful sunset over the mountains","size":"1:1"}"#)
        #expect(JSON.serialize(v.request.body) == #"{"prompt":"A beautiful sunset over the mountains","size":"1:1"}"#)
        #expect(v.warnings.isEmpty)
    }

    @Test func allElevenFieldsRoundTripInSpecOrder() throws {
        let v = try validate(#"""
        {"fallbackModel":"GPT_IMAGE_1","enableFallback":true,"uploadCn":false,"isEnhance":true,
         "callBackUrl":"https://example.com/cb","maskUrl":"https://example.com/m.png","nVariants":4,
         "size":"3:2","filesUrl":["https://example.com/a.png"],"prompt":"p","fileUrl":"https://example.com/b.jpg"}
        """#)
        #expect(JSON.serialize(v.request.body) == #"{"prompt":"p","filesUrl":["https://example.com/a.png","https://example.com/b.jpg"],"size":"3:2","nVariants":4,"maskUrl":"https://example.com/m.png","callBackUrl":"https://example.com/cb","isEnhance":true,"uploadCn":false,"enableFallback":true,"fallbackModel":"GPT_IMAGE_1"}"#)
        #expect(v.warnings.contains { $0.contains("fileUrl is deprecated") })
        #expect(v.warnings.contains { $0.contains("maskUrl is ignored") })
    }

    @Test(arguments: [
        (#"{"prompt":"x"}"#, "size"),
        (#"{"prompt":"x","size":"4:3"}"#, "size"),
        (#"{"prompt":"x","size":1}"#, "size"),
        (#"{"size":"1:1"}"#, "prompt"),
        (#"{"size":"1:1","prompt":"   "}"#, "prompt"),
        (#"{"prompt":"x","size":"1:1","nVariants":3}"#, "nVariants"),
        (#"{"prompt":"x","size":"1:1","nVariants":"2"}"#, "nVariants"),
        (#"{"prompt":"x","size":"1:1","nVariants":2.5}"#, "nVariants"),
        (#"{"size":"1:1","filesUrl":["a","b"]}"#, "filesUrl"),
        (#"{"size":"1:1","filesUrl":"https://e.com/a.png"}"#, "filesUrl"),
        (#"{"size":"1:1","filesUrl":["ftp://e.com/a.png"]}"#, "filesUrl"),
        (#"{"size":"1:1","filesUrl":["https://e.com/a.gif"]}"#, "filesUrl"),
        (#"{"size":"1:1","filesUrl":["https://e.com/1.png","https://e.com/2.png","https://e.com/3.png","https://e.com/4.png","https://e.com/5.png","https://e.com/6.png"]}"#, "filesUrl"),
        (#"{"prompt":"x","size":"1:1","maskUrl":"mask.png"}"#, "maskUrl"),
        (#"{"prompt":"x","size":"1:1","callBackUrl":"localhost/cb"}"#, "callBackUrl"),
        (#"{"prompt":"x","size":"1:1","isEnhance":"yes"}"#, "isEnhance"),
        (#"{"prompt":"x","size":"1:1","fallbackModel":"FLUX_MAX"}"#, "fallbackModel"),
        (#"{"prompt":"x","size":"1:1","enableFallback":true,"fallbackModel":"DALL_E"}"#, "fallbackModel"),
        (#"{"prompt":"x","size":"1:1","n":2}"#, "n"),
        (#"{"prompt":"x","size":"1:1","fileUrl":"https://e.com/x.bmp"}"#, "fileUrl"),
    ])
    func invalidRequestsNameTheField(json: String, expected: String) {
        #expect(field(of: json) == expected)
    }

    @Test func filesWithoutPromptAndExtensionlessURLsAreAccepted() throws {
        let v = try validate(#"{"size":"2:3","filesUrl":["https://e.com/image","https://e.com/a.JPG?x=1"]}"#)
        #expect(v.request.filesUrl.count == 2)
    }

    @Test func fiveFilesIsTheLimit() throws {
        let urls = (1...5).map { "\"https://e.com/\($0).webp\"" }.joined(separator: ",")
        #expect(try validate(#"{"size":"1:1","filesUrl":[\#(urls)]}"#).request.filesUrl.count == 5)
    }

    @Test func malformedJSONIsAnInvalidArgument() {
        for bad in ["", "{", "[]", "null", "\"x\"", String(repeating: "[", count: 200)] {
            #expect(throws: KieError.self) { try validate(bad) }
            do { _ = try validate(bad) } catch { #expect(error.status == .invalidArgument) }
        }
    }
}
