// libFuzzer target: the request builder. Any text goes through RequestValidator.validate(json:);
// an accepted request's body is serialized, and that body must validate again to the same
// family and body.
import KieImage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let validated = try? RequestValidator.validate(json: text) else { return 0 }
    if validated.body["tag"] != nil { fatalError("tag reached the body") }
    let body = JSON.serialize(validated.body)
    let again: ValidatedRequest
    do { again = try RequestValidator.validate(json: body) } catch {
        fatalError("serialized body of an accepted request is rejected: \(error)")
    }
    if again.family != validated.family || again.body != validated.body {
        fatalError("request changed in a validate/serialize round trip")
    }
    if validated.family == .fourO {
        if JSON.serialize(again.body) != body { fatalError("serialization is not deterministic") }
    } else if (try? JSON.parse(body)) != (try? JSON.parse(JSON.serialize(again.body))) {
        // The JSON decoder does not keep key order: a Market input compares as a value.
        fatalError("a Market body changed in a validate/serialize round trip")
    }
    return 0
}
