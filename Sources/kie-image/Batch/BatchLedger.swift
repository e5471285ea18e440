import KieImage

/// The batch's view of the core journal (docs/journal.md): each line's work items carry the
/// tag `batch:<line>:<hash of its text>`, and the line's state is its latest work item's.
/// Everything else (intents, unknown outcomes, the rate limit of a restarted run) is the core's.
struct BatchLedger: Sendable {
    let client: KieClient

    static func tag(_ line: BatchLine) -> String { "batch:\(line.number):\(line.hash)" }

    /// The latest journal entry of each line; throws when a line's text changed since.
    func latest(for lines: [BatchLine], file: String, journalPath: String) throws -> [Int: JournalEntry] {
        var byLine: [Int: BatchLine] = [:]
        for line in lines { byLine[line.number] = line }
        var latest: [Int: JournalEntry] = [:]
        for entry in try client.journalEntries() {
            guard let tag = entry.tag, tag.hasPrefix("batch:") else { continue }
            let parts = tag.split(separator: ":")
            guard parts.count == 3, let n = Int(parts[1]) else { continue }
            guard let line = byLine[n], String(parts[2]) == line.hash else {
                throw CLIFailure.usage(
                    "line \(n) of \(file) changed (or is gone) since \(journalPath) was written; restore the file or use another --journal")
            }
            latest[n] = entry
        }
        return latest
    }
}
