// C API section 3. Requests and models
import CKieImage
import KieImage

/// Validates a generate request and returns in *out_body_json the exact body that would be sent.
/// Either a 4o request (the API's field names: prompt, filesUrl, size, nVariants, maskUrl,
/// callBackUrl, isEnhance, uploadCn, enableFallback, fallbackModel, fileUrl) or a Market request
/// {"model","input","callBackUrl"} (kie_models lists the models whose input is checked); both
/// may carry "tag", which is never part of the body. Pure: no client, no network.
/// KIE_E_VALIDATION names the field in kie_last_error's "field". Free the result with
/// kie_string_free. Any thread.
@c(kie_request_build)
public func kieRequestBuild(_ requestJSON: UnsafePointer<CChar>?, _ outBodyJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> kie_status {
    withStatus {
        let out = try requireOut(outBodyJSON, "out_body_json")
        out.pointee = nil
        let validated = try RequestValidator.validate(json: CString.read(requestJSON, name: "request_json"))
        try put(JSON.serialize(validated.body), out)
    }
}

/// Lists the Market models whose input the library validates before sending (the GPT image
/// presets), as {"models":[{"model","name","family":"market","kind":"t2i"|"i2i","path",
/// "fields":[{"name","type","enum"?,"minLength"?,"maxLength"?,"items"?,"minItems"?,"maxItems"?,
/// "extensions"?,"required","default","note"}],"rules":[{"aspect_ratio":[...],"resolution":[...]}],
/// "fillsDefaults","prices":{"by","credits":{value: credits},"usdPerCredit"},"source"}]}.
/// A "rules" entry: those aspect ratios exist only at those resolutions. Any other model id is
/// accepted by kie_request_build with its input unchecked. Pure: no client, no network.
/// *out_json is owned by the caller: free it with kie_string_free. Statuses: KIE_OK;
/// KIE_E_INVALID_ARGUMENT when out_json is NULL. Any thread.
@c(kie_models)
public func kieModels(_ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> kie_status {
    withStatus {
        let out = try requireOut(outJSON, "out_json")
        out.pointee = nil
        try put(JSON.serialize(ModelCatalog.json), out)
    }
}
