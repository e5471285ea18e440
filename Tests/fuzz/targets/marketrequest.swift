// libFuzzer target: the Market validator and its presets. Byte 0 picks a model (one of the
// presets, a generic id, or none: the rest is then a whole request); the rest is the `input`
// JSON. An accepted request must be a Market request without its tag in the body, carry every
// required field of its preset, and validate again from its own body to the same body (as a value)
// and warnings.
import KieImage

let models = ModelPresets.all.map(\.model) + ["nano-banana-2"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMarketRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    let rest = String(decoding: bytes.dropFirst(), as: UTF8.self)
    let pick = Int(first) % (models.count + 1)
    let text: String
    if pick < models.count {
        guard let input = try? JSON.parse(rest) else { return 0 }
        text = JSON.serialize(["model": .string(models[pick]), "input": input, "tag": "fuzz"])
    } else {
        text = rest
    }
    let validated: ValidatedRequest
    do { validated = try RequestValidator.validate(json: text) } catch {
        _ = error.json
        return 0
    }
    guard validated.family == .market else { return 0 }
    if validated.body["tag"] != nil || validated.path != "/api/v1/jobs/createTask" { fatalError("bad Market body or path") }
    if let preset = validated.model.flatMap(ModelPresets.preset(for:)) {
        for field in preset.fields where field.required {
            guard let v = validated.body["input"]?[field.name], !v.isNull else { fatalError("\(field.name) missing in an accepted body") }
        }
    }
    let body = JSON.serialize(validated.body)
    let again: ValidatedRequest
    do { again = try RequestValidator.validate(json: body) } catch {
        fatalError("serialized body of an accepted Market request is rejected: \(error)")
    }
    // The JSON decoder does not keep key order, so bodies compare as values, each read back once.
    if (try? JSON.parse(body)) != (try? JSON.parse(JSON.serialize(again.body))) || again.model != validated.model
        || Set(again.warnings) != Set(validated.warnings)
    {
        fatalError("Market request changed in a validate/serialize round trip")
    }
    return 0
}
