import Testing
@testable import KieImage

@Suite struct RequestValidatorTests {
    func validate(_ json: String) throws(KieError) -> ValidatedRequest { try RequestValidator.validate(json: json) }

    func field(of json: String) -> String? {
        do { _ = try validate(json); return nil } catch { return error.status == .validation ? error.field : "status \(error.status)" }
    }

    @Test func minimalRequestBuildsExactBody() throws {
        let v = try validate(#"{"prompt":"A beautiful sunset over the mountains","size":"1:1"}"#)
        #expect(JSON.serialize(v.body) == #"{"prompt":"A beautiful sunset over the mountains","size":"1:1"}"#)
        #expect(v.warnings.isEmpty)
    }

    @Test func allElevenFieldsRoundTripInSpecOrder() throws {
        let v = try validate(#"""
        {"fallbackModel":"GPT_IMAGE_1","enableFallback":true,"uploadCn":false,"isEnhance":true,
         "callBackUrl":"https://example.com/cb","maskUrl":"https://example.com/m.png","nVariants":4,
         "size":"3:2","filesUrl":["https://example.com/a.png"],"prompt":"p","fileUrl":"https://example.com/b.jpg"}
        """#)
        #expect(JSON.serialize(v.body) == #"{"prompt":"p","filesUrl":["https://example.com/a.png","https://example.com/b.jpg"],"size":"3:2","nVariants":4,"maskUrl":"https://example.com/m.png","callBackUrl":"https://example.com/cb","isEnhance":true,"uploadCn":false,"enableFallback":true,"fallbackModel":"GPT_IMAGE_1"}"#)
        #expect(v.warnings.contains { $0.contains("fileUrl is deprecated") })
        #expect(v.warnings.contains { $0.contains("maskUrl is ignored") })
    }

    @Test(arguments: [
        (#"{"prompt":"x"}"#, "size"),
        (#"{"prompt":"x","size":"4:3"}"#, "size"),
        (#"{"prompt":"x","size":1}"#, "size"),
        (#"{"size":"1:1"}"#, "prompt"),
        (#"{"size":"1:1","prompt":"   "}"#, "prompt"),
        (#"{"size":"1:1","prompt":"\t\n\u00a0\u3000"}"#, "prompt"),  // whitespace beyond ASCII is blank too
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
        (#"{"prompt":"x","size":"1:1","enableFallback":true,"fallbackModel":"DALL_E"}"#, "fallbackModel"),
        (#"{"prompt":"x","size":"1:1","n":2}"#, "n"),
        (#"{"prompt":"x","size":"1:1","fileUrl":"https://e.com/x.bmp"}"#, "fileUrl"),
        (#"{"prompt":"x","size":"1:1","tag":7}"#, "tag"),
        (#"{"prompt":"x","size":"1:1","tag":""}"#, "tag"),
        (#"{"prompt":"x","size":"1:1","prompt_":"y"}"#, "prompt_"),
        // Known fields are matched by length, then bytes: same length, other case; longer than a small string.
        (#"{"prompt":"x","size":"1:1","Prompt":"y"}"#, "Prompt"),
        (#"{"prompt":"x","size":"1:1","fallbackModelName":"y"}"#, "fallbackModelName"),
        (#"{"prompt":"x","size":"1:1","nVariants":0}"#, "nVariants"),
        (#"{"prompt":"x","size":"1:1","nVariants":-2}"#, "nVariants"),
    ])
    func invalidRequestsNameTheField(json: String, expected: String) {
        #expect(field(of: json) == expected)
    }

    @Test func filesWithoutPromptAndExtensionlessURLsAreAccepted() throws {
        let v = try validate(#"{"size":"2:3","filesUrl":["https://e.com/image","https://e.com/a.JPG?x=1"]}"#)
        #expect(v.body["filesUrl"]?.arrayValue?.count == 2)
    }

    @Test func fiveFilesIsTheLimit() throws {
        let urls = (1...5).map { "\"https://e.com/\($0).webp\"" }.joined(separator: ",")
        #expect(try validate(#"{"size":"1:1","filesUrl":[\#(urls)]}"#).body["filesUrl"]?.arrayValue?.count == 5)
    }

    @Test func malformedJSONIsAnInvalidArgument() {
        for bad in ["", "{", "[]", "null", "\"x\"", String(repeating: "[", count: 200)] {
            #expect(throws: KieError.self) { try validate(bad) }
            do { _ = try validate(bad) } catch { #expect(error.status == .invalidArgument) }
        }
    }

    /// kie's own example request (docs/kie-api.md §1a, the `examples` block), verbatim.
    static let kieExample = #"""
    {"filesUrl":["https://example.com/image1.png","https://example.com/image2.png"],"prompt":"A beautiful sunset over the mountains","size":"1:1","callBackUrl":"https://your-callback-url.com/callback","isEnhance":false,"uploadCn":false,"nVariants":1,"enableFallback":false,"fallbackModel":"FLUX_MAX"}
    """#

    @Test func kiesOwnExampleBuildsWithEveryFieldAndValueItHad() throws {
        let v = try validate(Self.kieExample)
        #expect(v.family == .fourO && v.path == "/api/v1/gpt4o-image/generate" && v.model == nil && v.tag == nil)
        #expect(v.body == (try JSON.parse(Self.kieExample)))
        #expect(v.body["enableFallback"] == .bool(false) && v.body["fallbackModel"] == "FLUX_MAX")
        #expect(v.warnings.count == 1 && v.warnings[0].contains("fallbackModel takes effect only with enableFallback"))
    }

    @Test func fallbackModelWithoutEnableFallbackIsSentAsGiven() throws {
        let v = try validate(#"{"prompt":"x","size":"1:1","fallbackModel":"GPT_IMAGE_1"}"#)
        #expect(JSON.serialize(v.body) == #"{"prompt":"x","size":"1:1","fallbackModel":"GPT_IMAGE_1"}"#)
        #expect(v.warnings.contains { $0.contains("fallbackModel") })
        #expect(try validate(#"{"prompt":"x","size":"1:1","enableFallback":true,"fallbackModel":"FLUX_MAX"}"#).warnings.isEmpty)
    }

    @Test(arguments: [
        (String(repeating: "a", count: 32_000), true),
        (String(repeating: "a", count: 32_001), false),
        (String(repeating: "🦊", count: 32_000), true),  // one scalar each (two UTF-16 units)
        (String(repeating: "🦊", count: 32_001), false),
        (String(repeating: "e\u{301}", count: 16_000), true),  // 32 000 scalars in 16 000 characters
        (String(repeating: "e\u{301}", count: 16_000) + "x", false),
    ])
    func promptHoldsAtMost32000UnicodeScalars(prompt: String, accepted: Bool) {
        let json = JSON.serialize(.object(["prompt": .string(prompt), "size": "1:1"]))
        #expect(field(of: json) == (accepted ? nil : "prompt"))
    }

    @Test(arguments: [" x", "\u{A0}é", "~", "\t\u{7F}", "e\u{301}"])
    func aPromptWithAnythingButWhitespaceIsGiven(prompt: String) {
        let json = JSON.serialize(.object(["prompt": .string(prompt), "size": "1:1"]))
        #expect(field(of: json) == nil)
    }

    @Test func tagIsCarriedButNeverSent() throws {
        let tag = String(repeating: "é", count: 128)  // 256 bytes
        let v = try validate(#"{"prompt":"x","size":"3:2","tag":"\#(tag)"}"#)
        #expect(v.tag == tag && v.body["tag"] == nil)
        #expect(JSON.serialize(v.body) == #"{"prompt":"x","size":"3:2"}"#)
        #expect(field(of: #"{"prompt":"x","size":"3:2","tag":"\#(tag)a"}"#) == "tag")
        #expect(try validate(#"{"prompt":"x","size":"3:2","tag":null}"#).tag == nil)
    }

    @Test func typedEntryPointAppliesTheSameRules() throws {
        let v = try RequestValidator.validate(GenerateRequest(prompt: "p", size: .portrait), tag: "line-1")
        #expect(v.family == .fourO && v.tag == "line-1" && JSON.serialize(v.body) == #"{"prompt":"p","size":"2:3"}"#)
        #expect(throws: KieError.self) { try RequestValidator.validate(GenerateRequest(size: .square)) }
        let long = GenerateRequest(prompt: String(repeating: "a", count: 32_001), size: .square)
        do { _ = try RequestValidator.validate(long); Issue.record("accepted") } catch { #expect(error.field == "prompt") }
    }

    @Test(arguments: [
        (#"{"model":"gpt-image-2-text-to-image","input":{"prompt":"x"}}"#, TaskFamily.market),
        (#"{"model":"some/other-model","input":{}}"#, .market),
        (#"{"prompt":"x","size":"1:1"}"#, .fourO),
    ])
    func familyIsDecidedByModelAndInput(json: String, family: TaskFamily) throws {
        let v = try validate(json)
        #expect(v.family == family && v.path == family.generatePath)
    }

    @Test func inputWithoutModelIsAMarketRequestMissingItsModel() {
        #expect(field(of: #"{"input":{"prompt":"x"},"size":"1:1"}"#) == "model")
    }
}
