// libFuzzer target: the config parser. Byte 0 picks which environment variables are set.
// An accepted config has a non-empty key, http(s) base URLs without a trailing slash, and bounds.
import KieImage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let flags = bytes.first else { return 0 }
    var env: [String: String] = [:]
    if flags & 1 != 0 { env["KIE_API_KEY"] = "kie-canary-fuzz" }
    if flags & 2 != 0 { env["KIE_BASE_URL"] = "http://127.0.0.1:1" }
    if flags & 4 != 0 { env["KIE_BASE_URL"] = "" }
    let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
    let config: ClientConfig
    do { config = try ClientConfig.parse(json: text, env: env) } catch {
        _ = error.json
        return 0
    }
    if config.apiKey.isEmpty { fatalError("accepted an empty apiKey") }
    for url in [config.baseUrl, config.uploadBaseUrl] where url.hasSuffix("/") || URLParts(url) == nil {
        // A base of only slashes after the host ("http://h//") trims to "http://h", still valid.
        fatalError("accepted base URL is not a clean absolute http(s) URL")
    }
    if config.requestTimeoutMs < 1 || config.connectTimeoutMs < 1 || config.retry.maxRetries < 0 || config.retry.maxRetries > 100 {
        fatalError("accepted out-of-range timeouts or retries")
    }
    if config.poll.multiplier < 1 || !config.poll.multiplier.isFinite { fatalError("accepted poll multiplier < 1") }
    return 0
}
