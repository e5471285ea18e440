// The Market createTask request (docs/kie-market-api.md §2) as the server checks it: a pure
// function from the parsed body to a request or the recorded refusal.

/// A createTask request that passed validation.
struct MarketRequest: Sendable {
    var model: String
    /// The `input` object as sent (extra keys included: kie stores them).
    var input: SimJSON
    var callBackUrl: String?
    /// The stored request as recordInfo shows it in `param` (and `paramJson`): keys sorted, `input`
    /// itself a JSON string with its keys sorted (docs/kie-market-api.md §3a).
    var param: String

    var prompt: String? { input["prompt"]?.stringValue }

    /// The recorded answer to a missing `model`, `input` or required input field: HTTP 200,
    /// `{"code":500,"msg":"This field is required","data":null}`.
    static let fieldRequired = GenerateRejection(code: 500, msg: "This field is required")

    static func validate(_ body: SimJSON) -> Result<MarketRequest, GenerateRejection> {
        guard body.objectValue != nil else { return .failure(fieldRequired) }
        guard let model = body["model"]?.stringValue, !model.isEmpty else { return .failure(fieldRequired) }
        guard let input = body["input"], input.objectValue != nil else { return .failure(fieldRequired) }
        if let known = MarketModel.table[model] {
            for field in known.required where !present(input[field]) { return .failure(fieldRequired) }
        }
        var callBackUrl: String?
        if let v = body["callBackUrl"], !v.isNull {
            guard let s = v.stringValue, FourOGenerateRequest.isHTTPURL(s) else {
                return .failure(GenerateRejection(code: 422, msg: "callBackUrl is not a valid http(s) URL"))
            }
            callBackUrl = s
        }
        var members: [(String, SimJSON)] = []
        if let callBackUrl { members.append(("callBackUrl", .string(callBackUrl))) }
        members.append(("input", .string(sortedKeys(input).serialized)))
        members.append(("model", .string(model)))
        return .success(MarketRequest(
            model: model, input: input, callBackUrl: callBackUrl, param: SimJSON.object(members).serialized))
    }

    /// A required field counts as given when it is not null, not an empty string, not an empty list.
    private static func present(_ value: SimJSON?) -> Bool {
        switch value {
        case nil, .null?: return false
        case .string(let s)?: return !s.isEmpty
        case .array(let a)?: return !a.isEmpty
        default: return true
        }
    }

    /// The value with every object's keys in sorted order, as kie stores `input`.
    static func sortedKeys(_ value: SimJSON) -> SimJSON {
        switch value {
        case .object(let members):
            var merged: [String: SimJSON] = [:]
            for (k, v) in members { merged[k] = v }
            return .object(merged.keys.sorted().map { ($0, sortedKeys(merged[$0] ?? .null)) })
        case .array(let items):
            return .array(items.map(sortedKeys))
        default:
            return value
        }
    }
}
