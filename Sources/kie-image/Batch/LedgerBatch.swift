import KieImage

/// `kie-image batch FILE --ledger URL` on several hosts at once (docs/ledger.md, "Batches on
/// several hosts"): each line is a generate with the idempotency key `batch:<file>:<line>`, so
/// the account's ledger lets exactly one host send it; a host moves on from a line another host
/// is sending, finishes the lines it sent, takes over the submitted lines of hosts that died,
/// sends again lines whose sender died before sending, and returns when every line of the file
/// is settled account-wide. The ledger decides everything; this only walks the file.
struct LedgerBatch: Sendable {
    let client: KieClient
    let ledger: Ledger
    let lines: [BatchLine]
    let runner: BatchRunner

    /// `batch:<digest of the file's lines>:`: the same file is the same batch on every host.
    static func keyPrefix(_ lines: [BatchLine]) -> String {
        "batch:" + BatchInput.fnv1a(lines.map { "\($0.number):\($0.hash)" }.joined(separator: ";")) + ":"
    }

    var prefix: String { Self.keyPrefix(lines) }

    /// The latest row of each line of this batch, by line number.
    func rows() async throws -> [Int: LedgerRow] {
        var out: [Int: LedgerRow] = [:]
        for row in try await ledger.list() {
            guard let key = row.idempotencyKey, key.hasPrefix(prefix), let n = Int(key.dropFirst(prefix.count)) else { continue }
            out[n] = row
        }
        return out
    }

    /// Rounds until every line is settled account-wide (or the run is stopped): send the lines
    /// nobody holds, wait for the ones taken over. Returns this host's outcomes.
    func run(stoppingOn signals: Signals) async throws -> [Int: BatchOutcome] {
        var mine: [Int: BatchOutcome] = [:]
        while !Task.isCancelled {
            let rows = try await rows()
            var work = lines.filter { line in rows[line.number].map { $0.state == .abandoned } ?? true }
                .map { BatchWork(line: $0, entry: nil) }
            let taken = try await client.takeOverWork(keyPrefix: prefix) ?? []
            for entry in taken {
                if let line = lines.first(where: { BatchLedger.tag($0) == entry.tag }) { work.append(BatchWork(line: line, entry: entry)) }
            }
            if work.isEmpty {
                if lines.allSatisfy({ rows[$0.number].map(Self.isSettled) ?? false }) { break }
                try await Task.sleep(for: .milliseconds(Self.roundMs))
                continue
            }
            let ran = await runner.run(work, stoppingOn: signals)
            mine.merge(ran.filter { $0.value.kind != .elsewhere }) { _, new in new }
            if ran.values.contains(where: { $0.kind == .interrupted }) { break }
        }
        return mine
    }

    static let roundMs: Int64 = 1_000

    /// A row no host will act on any more by itself.
    static func isSettled(_ row: LedgerRow) -> Bool {
        [.downloaded, .failed, .rejected, .unknown].contains(row.state)
    }

    /// Every line's outcome: this host's, else what the account's row says.
    func outcomes(_ mine: [Int: BatchOutcome]) async throws -> [BatchOutcome] {
        let rows = try await rows()
        return lines.map { line in
            if let o = mine[line.number] { return o }
            guard let row = rows[line.number] else { return BatchOutcome(line: line.number, kind: .interrupted, label: "INTERRUPTED") }
            let detail = row.detail.flatMap { try? JSON.parse($0) } ?? .null
            switch row.state {
            case .downloaded, .succeeded:
                let files = detail["files"]?.arrayValue?.compactMap(\.stringValue) ?? []
                return BatchOutcome(line: line.number, kind: .done, label: "DONE (another host)", taskId: row.taskId, files: files)
            case .failed:
                return BatchOutcome(line: line.number, kind: .failed, label: "TASK_FAILED", status: .taskFailed, taskId: row.taskId,
                                    message: detail["message"]?.stringValue ?? "task failed")
            case .unknown:
                return BatchOutcome(line: line.number, kind: .failed, label: "UNKNOWN_OUTCOME", status: .unknownOutcome,
                                    message: "its generate got no usable answer (ledger row \(row.id)): check https://kie.ai/logs, then kie-image ledger or kie_journal_resolve")
            case .rejected:
                let status = detail["status"]?.int64Value.flatMap { KieStatus(rawValue: Int32(truncatingIfNeeded: $0)) } ?? .validation
                return BatchOutcome(line: line.number, kind: .failed, label: status.name, status: status, message: detail["message"]?.stringValue)
            case .intent, .sending, .submitted, .abandoned:
                return BatchOutcome(line: line.number, kind: .interrupted, label: "INTERRUPTED", taskId: row.taskId)
            }
        }
    }

    /// The account-wide progress line: this batch's rows per state.
    func progress() async -> String {
        guard let rows = try? await rows() else { return "" }
        var counts: [String: Int] = [:]
        for row in rows.values { counts[row.state.rawValue, default: 0] += 1 }
        let known = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        return "\(lines.count) lines, account-wide: \(known.isEmpty ? "none started" : known)"
    }
}
