import Testing
@testable import KieImage

private let t2i15 = "gpt-image/1.5-text-to-image"
private let i2i15 = "gpt-image/1.5-image-to-image"
private let t2i2 = "gpt-image-2-text-to-image"
private let i2i2 = "gpt-image-2-image-to-image"
private let t2i25 = "gpt-image-2-5-flare-text-to-image"
private let i2i25 = "gpt-image-2-5-sunburst-image-to-image"
private let img = #"["https://e.com/a.png"]"#

/// Every rule of the Market presets (docs/models.md, docs/validation.md), each accepted and refused.
@Suite struct MarketValidatorTests {

    func request(_ model: String, _ input: String, extra: String = "") -> String {
        #"{"model":"\#(model)","input":\#(input)\#(extra)}"#
    }

    /// nil when accepted, else the field the validation error names.
    func field(_ json: String) -> String? {
        do { _ = try RequestValidator.validate(json: json); return nil } catch {
            return error.status == .validation ? error.field : "status \(error.status)"
        }
    }

    /// The `input` of the body built (objects compare regardless of key order: the JSON
    /// decoder does not keep it).
    func input(_ json: String) throws -> JSONValue {
        try RequestValidator.validate(json: json).body["input"] ?? .null
    }

    @Test func theEightPresetsAreTheGPTImageModels() {
        #expect(Set(ModelPresets.all.map(\.model)) == [
            "gpt-image/1.5-text-to-image", "gpt-image/1.5-image-to-image", "gpt-image-2-text-to-image",
            "gpt-image-2-image-to-image", "gpt-image-2-5-flare-text-to-image", "gpt-image-2-5-flare-image-to-image",
            "gpt-image-2-5-sunburst-text-to-image", "gpt-image-2-5-sunburst-image-to-image",
        ])
        #expect(ModelPresets.all.count == 8)
        for p in ModelPresets.all { #expect((p.kind == .imageToImage) == (p.field("input_urls") != nil), "\(p.model)") }
    }

    @Test func recordedRequestBuildsVerbatim() throws {
        // docs/kie-market-api.md §2, real request 2026-09-11
        let real = #"{"model":"gpt-image-2-5-flare-image-to-image","input":{"prompt":"Restyle this product image as a premium studio advertisement with soft rim lighting and a matte charcoal backdrop.","input_urls":["https://static.aiquickdraw.com/tools/example/1764851484363_ScV1s2aq.webp"],"aspect_ratio":"16:9","resolution":"1K"}}"#
        let v = try RequestValidator.validate(json: real)
        #expect(v.body == (try JSON.parse(real)))
        #expect(v.family == .market && v.path == "/api/v1/jobs/createTask" && v.model == "gpt-image-2-5-flare-image-to-image")
        #expect(v.warnings.isEmpty)
    }

    @Test func bodyIsModelInputCallBackUrlAndNeverTheTag() throws {
        let v = try RequestValidator.validate(json: #"{"tag":"row-3","callBackUrl":"https://e.com/cb","input":{"prompt":"p"},"model":"gpt-image-2-text-to-image"}"#)
        #expect(JSON.serialize(v.body) == #"{"model":"gpt-image-2-text-to-image","input":{"prompt":"p"},"callBackUrl":"https://e.com/cb"}"#)
        #expect(v.tag == "row-3")
        let long = String(repeating: "x", count: 257)
        #expect(field(#"{"tag":"\#(long)","model":"m","input":{}}"#) == "tag")
    }

    // MARK: GPT Image 1.5

    @Test(arguments: [
        (t2i15, #"{"prompt":"x"}"#, #"{"prompt":"x","aspect_ratio":"1:1","quality":"medium"}"#),
        (i2i15, #"{"prompt":"x","input_urls":["https://e.com/a.png"]}"#, #"{"prompt":"x","input_urls":["https://e.com/a.png"],"aspect_ratio":"3:2","quality":"medium"}"#),
        (t2i15, #"{"quality":"high","aspect_ratio":"2:3","prompt":"x"}"#, #"{"quality":"high","aspect_ratio":"2:3","prompt":"x"}"#),
        (t2i15, #"{"prompt":"x","aspect_ratio":null}"#, #"{"prompt":"x","aspect_ratio":"1:1","quality":"medium"}"#),
    ])
    func gptImage15FillsItsRequiredDefaults(model: String, given: String, sent: String) throws {
        #expect(try input(request(model, given)) == JSON.parse(sent))
    }

    @Test(arguments: [
        (t2i15, #"{"prompt":"x","aspect_ratio":"1:1"}"#, nil as String?),
        (t2i15, #"{"prompt":"x","aspect_ratio":"3:2"}"#, nil),
        (t2i15, #"{"prompt":"x","aspect_ratio":"16:9"}"#, "input.aspect_ratio"),
        (t2i15, #"{"prompt":"x","aspect_ratio":"auto"}"#, "input.aspect_ratio"),
        (t2i15, #"{"prompt":"x","quality":"low"}"#, "input.quality"),
        (t2i15, #"{"prompt":"x","quality":1}"#, "input.quality"),
        (t2i15, #"{"aspect_ratio":"1:1"}"#, "input.prompt"),
        (t2i15, #"{"prompt":""}"#, "input.prompt"),
        (t2i15, #"{"prompt":5}"#, "input.prompt"),
        (i2i15, #"{"prompt":"x"}"#, "input.input_urls"),
        (i2i15, #"{"prompt":"x","input_urls":[]}"#, "input.input_urls"),
        (i2i15, #"{"prompt":"x","input_urls":"https://e.com/a.png"}"#, "input.input_urls"),
        (i2i15, #"{"prompt":"x","input_urls":[1]}"#, "input.input_urls"),
        (i2i15, #"{"prompt":"x","input_urls":["e.com/a.png"]}"#, "input.input_urls"),
        (i2i15, #"{"prompt":"x","input_urls":["https://e.com/a.gif"]}"#, "input.input_urls"),
        (i2i15, #"{"prompt":"x","input_urls":["https://e.com/a.WEBP","https://e.com/b.jpeg","https://e.com/c"]}"#, nil),
    ])
    func gptImage15Rules(model: String, given: String, refused: String?) {
        #expect(field(request(model, given)) == refused)
    }

    @Test func gptImage15HasNoPromptMaximum() {
        #expect(field(request(t2i15, #"{"prompt":"\#(String(repeating: "a", count: 40_000))"}"#)) == nil)
    }

    // MARK: limits shared by the image-to-image presets

    @Test(arguments: [i2i15, i2i2, i2i25])
    func sixteenInputUrlsAtMost(model: String) {
        let urls = { (n: Int) in "[" + (1...n).map { "\"https://e.com/\($0).png\"" }.joined(separator: ",") + "]" }
        #expect(field(request(model, #"{"prompt":"x","input_urls":\#(urls(16))}"#)) == nil)
        #expect(field(request(model, #"{"prompt":"x","input_urls":\#(urls(17))}"#)) == "input.input_urls")
        #expect(field(request(model, #"{"prompt":"x"}"#)) == "input.input_urls")
    }

    @Test(arguments: [t2i2, i2i2, t2i25, i2i25])
    func promptHoldsAtMost20000Characters(model: String) {
        let urls = model.contains("image-to-image") ? #","input_urls":\#(img)"# : ""
        let at = { (n: Int) in #"{"prompt":"\#(String(repeating: "🌅", count: n))"\#(urls)}"# }
        #expect(field(request(model, at(20_000))) == nil)
        #expect(field(request(model, at(20_001))) == "input.prompt")
        #expect(field(request(model, #"{"prompt":""\#(urls)}"#)) == "input.prompt")
        #expect(field(request(model, #"{"aspect_ratio":"1:1"\#(urls)}"#)) == "input.prompt")
    }

    // MARK: GPT Image 2

    @Test(arguments: ModelPresets.ratios2)
    func gptImage2AcceptsEveryRatioWithoutResolution(ratio: String) {
        #expect(field(request(t2i2, #"{"prompt":"x","aspect_ratio":"\#(ratio)"}"#)) == nil)
        #expect(field(request(i2i2, #"{"prompt":"x","aspect_ratio":"\#(ratio)","input_urls":\#(img)}"#)) == nil)
    }

    @Test(arguments: [
        // 1:1 cannot be 4K
        (t2i2, "1:1", "4K", "input.aspect_ratio"), (t2i2, "1:1", "2K", nil), (t2i2, "1:1", "1K", nil),
        (i2i2, "1:1", "4K", "input.aspect_ratio"), (i2i2, "1:1", "2K", nil),
        // auto or no ratio: 1K only
        (t2i2, "auto", "1K", nil), (t2i2, "auto", "2K", "input.aspect_ratio"), (t2i2, "auto", "4K", "input.aspect_ratio"),
        (t2i2, nil, "1K", nil), (t2i2, nil, "2K", "input.resolution"), (i2i2, nil, "4K", "input.resolution"),
        (i2i2, "auto", "2K", "input.aspect_ratio"),
        // text-to-image: 5:4 4:5 3:1 1:3 9:21 at 1K only
        (t2i2, "5:4", "2K", "input.aspect_ratio"), (t2i2, "4:5", "4K", "input.aspect_ratio"), (t2i2, "3:1", "2K", "input.aspect_ratio"),
        (t2i2, "1:3", "4K", "input.aspect_ratio"), (t2i2, "9:21", "2K", "input.aspect_ratio"), (t2i2, "9:21", "1K", nil),
        // image-to-image: 5:4 4:5 at 1K only; 3:1 1:3 9:21 free
        (i2i2, "5:4", "2K", "input.aspect_ratio"), (i2i2, "4:5", "4K", "input.aspect_ratio"), (i2i2, "4:5", "1K", nil),
        (i2i2, "3:1", "4K", nil), (i2i2, "9:21", "2K", nil),
        // the rest at every resolution
        (t2i2, "16:9", "4K", nil), (t2i2, "21:9", "2K", nil), (i2i2, "2:1", "4K", nil),
        // enums
        (t2i2, "16:9", "8K", "input.resolution"), (t2i2, "7:3", "1K", "input.aspect_ratio"), (t2i2, "16:9", "1k", "input.resolution"),
    ] as [(String, String?, String, String?)])
    func gptImage2RatioAndResolution(model: String, ratio: String?, resolution: String, refused: String?) {
        let r = ratio.map { #","aspect_ratio":"\#($0)""# } ?? ""
        let urls = model == i2i2 ? #","input_urls":\#(img)"# : ""
        #expect(field(request(model, #"{"prompt":"x","resolution":"\#(resolution)"\#(r)\#(urls)}"#)) == refused)
    }

    @Test func gptImage2FillsNothing() throws {
        #expect(try input(request(t2i2, #"{"prompt":"x"}"#)) == ["prompt": "x"])
    }

    // MARK: GPT Image 2.5

    @Test(arguments: ModelPresets.ratios25)
    func gptImage25AcceptsItsThirteenRatiosAt1K(ratio: String) {
        #expect(field(request(t2i25, #"{"prompt":"x","aspect_ratio":"\#(ratio)","resolution":"1K"}"#)) == nil)
    }

    @Test(arguments: [
        ("27:16", "2K", "input.aspect_ratio"), ("16:27", "4K", "input.aspect_ratio"), ("9:8", "2K", "input.aspect_ratio"),
        ("8:9", "4K", "input.aspect_ratio"), ("16:9", "4K", nil), ("1:1", "4K", nil), ("auto", "2K", nil),
        ("4:5", "1K", "input.aspect_ratio"), ("5:4", "1K", "input.aspect_ratio"), ("2:1", "1K", "input.aspect_ratio"),
        ("16:9", "3K", "input.resolution"),
    ] as [(String, String, String?)])
    func gptImage25RatioAndResolution(ratio: String, resolution: String, refused: String?) {
        for model in [t2i25, "gpt-image-2-5-sunburst-text-to-image"] {
            #expect(field(request(model, #"{"prompt":"x","aspect_ratio":"\#(ratio)","resolution":"\#(resolution)"}"#)) == refused)
        }
    }

    @Test(arguments: [("transparent", nil as String?), ("opaque", nil), ("auto", nil), ("none", "input.background"), ("", "input.background")])
    func gptImage25Background(value: String, refused: String?) {
        #expect(field(request(i2i25, #"{"prompt":"x","background":"\#(value)","input_urls":\#(img)}"#)) == refused)
    }

    @Test func gptImage25OmittedRatioAtHigherResolutionIsKiesToJudge() {
        // auto is 2.5's default and no rule limits it: a given resolution passes.
        #expect(field(request(t2i25, #"{"prompt":"x","resolution":"4K"}"#)) == nil)
    }

    // MARK: what kie accepts passes (docs/kie-market-api.md §7 rule 13)

    @Test func undocumentedInputKeysPassWithAWarning() throws {
        let v = try RequestValidator.validate(json: request(t2i2, #"{"prompt":"x","nsfw_checker":false,"input_urls":\#(img)}"#))
        #expect(v.body["input"] == (try JSON.parse(#"{"prompt":"x","nsfw_checker":false,"input_urls":["https://e.com/a.png"]}"#)))
        #expect(v.warnings.count == 2)
        #expect(v.warnings.contains { $0.contains("input.nsfw_checker") } && v.warnings.contains { $0.contains("input.input_urls") })
    }

    @Test func otherModelsSendTheirInputVerbatim() throws {
        let given = #"{"prompt":"x","image_input":["https://e.com/a.png"],"resolution":"8K","seed":-1,"nested":{"a":[1,2.5,null]}}"#
        let v = try RequestValidator.validate(json: request("nano-banana-2", given))
        #expect(v.body["input"] == (try JSON.parse(given)) && v.warnings.isEmpty && v.model == "nano-banana-2")
        #expect(field(request("seedream/4.5-text-to-image", "{}")) == nil)
    }

    // MARK: the envelope

    static let longModel = String(repeating: "a", count: 128)

    @Test(arguments: [
        (#"{"model":"m","input":{}}"#, nil as String?),
        (#"{"model":"bytedance/seedance-2-fast","input":{}}"#, nil),
        (#"{"model":"\#(MarketValidatorTests.longModel)","input":{}}"#, nil),
        (#"{"model":"\#(MarketValidatorTests.longModel)a","input":{}}"#, "model"),
        (#"{"model":"","input":{}}"#, "model"),
        (#"{"model":"gpt image 2","input":{}}"#, "model"),
        (#"{"model":"-x","input":{}}"#, "model"),
        (#"{"model":"gpt-imagé","input":{}}"#, "model"),
        (#"{"model":5,"input":{}}"#, "model"),
        (#"{"model":null,"input":{}}"#, "model"),
        (#"{"model":"m"}"#, "input"),
        (#"{"model":"m","input":null}"#, "input"),
        (#"{"model":"m","input":"{}"}"#, "input"),
        (#"{"model":"m","input":[]}"#, "input"),
        (#"{"model":"m","input":{},"callBackUrl":"https://e.com/cb"}"#, nil),
        (#"{"model":"m","input":{},"callBackUrl":"ftp://e.com/cb"}"#, "callBackUrl"),
        (#"{"model":"m","input":{},"callBackUrl":"/cb"}"#, "callBackUrl"),
        (#"{"model":"m","input":{},"callBackUrl":1}"#, "callBackUrl"),
        (#"{"model":"m","input":{},"callbackUrl":"https://e.com/cb"}"#, "callbackUrl"),
        (#"{"model":"m","input":{},"size":"1:1"}"#, "size"),
    ])
    func envelopeRules(json: String, refused: String?) {
        #expect(field(json) == refused)
    }

    @Test func typedMarketEntryPoint() throws {
        let v = try RequestValidator.validateMarket(model: t2i15, input: ["prompt": "p"], callBackUrl: "https://e.com/cb", tag: "t")
        #expect(JSON.serialize(v.body) == #"{"model":"gpt-image/1.5-text-to-image","input":{"prompt":"p","aspect_ratio":"1:1","quality":"medium"},"callBackUrl":"https://e.com/cb"}"#)
        #expect(v.tag == "t" && v.family == .market)
        do { _ = try RequestValidator.validateMarket(model: t2i15, input: [:]); Issue.record("accepted") } catch {
            #expect(error.field == "input.prompt")
        }
    }

    // MARK: the listing

    @Test func catalogDescribesEveryPresetWithFieldsRulesAndPrices() throws {
        let models = try #require(ModelCatalog.json["models"]?.arrayValue)
        #expect(models.count == 8)
        for m in models {
            #expect(m["family"] == "market" && m["path"] == "/api/v1/jobs/createTask")
            #expect(m["kind"] == "t2i" || m["kind"] == "i2i")
            #expect(m["fields"]?.arrayValue?.first?["name"] == "prompt")
        }
        let flare = try #require(models.first { $0["model"] == "gpt-image-2-5-flare-text-to-image" })
        #expect(flare["prices"]?["by"] == "resolution")
        #expect(flare["prices"]?["credits"] == ["1K": .double(6), "2K": .double(10), "4K": .double(16)])
        #expect(flare["rules"] == [["aspect_ratio": ["27:16", "16:27", "9:8", "8:9"], "resolution": ["1K"]]])
        let i2i15 = try #require(models.first { $0["model"] == "gpt-image/1.5-image-to-image" })
        #expect(i2i15["fillsDefaults"] == true && i2i15["prices"]?["credits"]?["high"] == .double(22))
        let ratio = try #require(i2i15["fields"]?.arrayValue?.first { $0["name"] == "aspect_ratio" })
        #expect(ratio["required"] == true && ratio["default"] == "3:2" && ratio["enum"] == ["1:1", "2:3", "3:2"])
        let urls = try #require(i2i15["fields"]?.arrayValue?.first { $0["name"] == "input_urls" })
        #expect(urls["maxItems"] == 16 && urls["minItems"] == 1 && urls["type"] == "array")
        #expect(try JSON.parse(JSON.serialize(ModelCatalog.json))["models"]?.arrayValue?.count == 8)
    }
}
