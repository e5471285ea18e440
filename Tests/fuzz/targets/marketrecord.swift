// libFuzzer target: the Market recordInfo parser. The input is a recordInfo answer (its `data`
// is parsed) or a bare `data` object. A parsed task must keep progress in 0...1, be a Market
// task, and its task JSON must name it (kie_download's input reads its taskId and family) with and
// without `raw`; read as an answer, its jsonText (raw copied from the answer's bytes) must read as
// the serialized task JSON, compact.
import KieImage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMarketRecord(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let value = try? JSON.parse(Array(UnsafeBufferPointer(start: data, count: size))) else { return 0 }
    let record = value["data"] ?? value
    let task: KieTask
    do { task = try MarketRecordParser.parse(record) } catch {
        _ = error.json
        return 0
    }
    guard task.progress >= 0 && task.progress <= 1 else { fatalError("progress \(task.progress) outside 0...1") }
    // Read as the client reads an answer, the record's own text stands for `raw` only when it is
    // the same text.
    if let env = try? ErrorMapping.decode(HTTPAnswer(status: 200, body: Array(UnsafeBufferPointer(start: data, count: size))), redact: { $0 }),
       let read = try? RecordInfoParser.parse(env, family: .market)
    {
        checkJSONText(read, serialized: JSON.serialize(read.json))
    }
    guard task.family == .market else { fatalError("a Market record parsed as \(task.family)") }
    if task.isTerminal && !task.isSuccess { _ = task.failure }
    let json = task.json
    checkNamesItsTask(task, JSON.serialize(json))
    guard var bare = json.objectValue else { fatalError("task JSON is not an object") }
    bare["raw"] = nil
    checkNamesItsTask(task, JSON.serialize(.object(bare)))
    return 0
}
