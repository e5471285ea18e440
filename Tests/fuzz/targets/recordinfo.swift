// libFuzzer target: the envelope decoder and the record-info parser. Byte 0 picks the HTTP status
// the transport saw, byte 1 whether an expected taskId is known; the rest is the answer body.
// A parsed task must keep progress in 0...1, its task JSON must name it (kie_download's input reads
// its taskId and family), and its jsonText (raw copied from the answer's bytes) must read as the
// serialized task JSON, compact.
import KieImage

let statuses = [200, 200, 200, 200, 429, 500, 503, 404, 401, 502, 301, 0]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecordInfo(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard bytes.count >= 2 else { return 0 }
    let answer = HTTPAnswer(status: statuses[Int(bytes[0]) % statuses.count], body: Array(bytes[2...]))
    let envelope: Envelope
    do { envelope = try ErrorMapping.decode(answer, redact: { $0 }) } catch {
        _ = error.json
        _ = error.description
        return 0
    }
    let expected: String? = bytes[1] & 1 == 1 ? "5fd1b68dbca66cddf73654e72e2094ea" : nil
    let task: KieTask
    do { task = try RecordInfoParser.parse(envelope, family: .fourO, expectedTaskId: expected) } catch {
        _ = error.json
        return 0
    }
    guard task.progress >= 0 && task.progress <= 1 else { fatalError("progress \(task.progress) outside 0...1") }
    if task.isTerminal && !task.isSuccess { _ = task.failure }
    let text = JSON.serialize(task.json)
    // The answer's own text of the record may stand for `raw`: the same value, still compact.
    checkJSONText(task, serialized: text)
    checkNamesItsTask(task, text)
    return 0
}
