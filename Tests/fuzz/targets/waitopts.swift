// libFuzzer target: WaitOptions.parse (wait JSON over the client's poll defaults).
// Byte 0 = 0 means a nil text; accepted options keep the poll settings in their bounds.
import KieImage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWaitOptions(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    let text: String? = first == 0 ? nil : String(decoding: bytes.dropFirst(), as: UTF8.self)
    let defaults = PollSettings()
    let o: WaitOptions
    do { o = try WaitOptions.parse(json: text, defaults: defaults) } catch {
        _ = error.json
        return 0
    }
    if o.poll.deadlineMs < 1 || o.poll.initialMs < 0 || o.poll.maxMs < 1 { fatalError("accepted out-of-range poll settings") }
    if let dir = o.downloadDir, dir.isEmpty { fatalError("accepted an empty download dir") }
    return 0
}
