// libFuzzer target: TaskJSON.parse, the task JSON a caller hands back (e.g. to kie_download).
// An accepted task serializes and parses back to the same id, status and result URLs.
import KieImage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTaskJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let task: KieTask
    do { task = try TaskJSON.parse(text) } catch {
        _ = error.json
        return 0
    }
    if task.isTerminal && !task.isSuccess { _ = task.failure }
    let back: KieTask
    do { back = try TaskJSON.parse(JSON.serialize(task.json)) } catch { fatalError("task JSON round trip rejected: \(error)") }
    if back.taskId != task.taskId || back.status != task.status || back.resultUrls != task.resultUrls {
        fatalError("task JSON round trip changed the task")
    }
    return 0
}
