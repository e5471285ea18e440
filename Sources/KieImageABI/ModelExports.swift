import CKieImage
import KieImage

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
