// libFuzzer target: TaskReference.parse, what kie_download reads of the task JSON a caller passes
// (its taskId, and its family when given). An accepted reference has a non-empty id, and written
// back as {"taskId","family"} it parses to the same reference.
import KieImage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTaskJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let named: TaskReference
    do { named = try TaskReference.parse(text) } catch {
        _ = error.json
        return 0
    }
    if named.taskId.isEmpty { fatalError("a task JSON without a task id was accepted") }
    let back: TaskReference
    let written = JSON.serialize(["taskId": .string(named.taskId), "family": .string(named.family?.rawValue)])
    do { back = try TaskReference.parse(written) } catch { fatalError("a task reference written back is rejected: \(error)") }
    if back != named { fatalError("a task reference written back names another task") }
    return 0
}
