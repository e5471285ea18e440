// Checks shared by the fuzz targets (json, recordinfo, marketrecord): compiled into each target.
import KieImage

/// `jsonText` (raw copied from the answer's text when compact) reads as the same value as the
/// serialized task JSON, and is one compact line.
func checkJSONText(_ task: KieTask, serialized: String) {
    let text = task.jsonText
    guard let value = try? JSON.parse(text) else { fatalError("jsonText is not JSON: \(text)") }
    if JSON.serialize(value) != serialized { fatalError("jsonText reads as another task JSON") }
    if outsideStrings(Array(text.utf8), isWhitespace) > 0 { fatalError("jsonText is not compact") }
}

/// The task JSON `text` of `task`, handed to kie_download, names that task: its id and family.
func checkNamesItsTask(_ task: KieTask, _ text: String) {
    let named: TaskReference
    do { named = try TaskReference.parse(text) } catch { fatalError("the task JSON of a parsed task is rejected: \(error)") }
    if named != TaskReference(taskId: task.taskId, family: task.family) {
        fatalError("the task JSON of \(task.taskId)/\(task.family) names \(named.taskId)/\(String(describing: named.family))")
    }
}

/// JSON's four whitespace bytes.
func isWhitespace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

/// How many bytes outside JSON strings match (input known to be valid JSON).
func outsideStrings(_ bytes: [UInt8], _ match: (UInt8) -> Bool) -> Int {
    var n = 0, inString = false, escaped = false
    for c in bytes {
        if inString {
            if escaped { escaped = false } else if c == 0x5C { escaped = true } else if c == 0x22 { inString = false }
        } else if c == 0x22 {
            inString = true
        } else if match(c) {
            n += 1
        }
    }
    return n
}

