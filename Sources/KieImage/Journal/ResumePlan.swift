/// The caller's choices for a resume (docs/journal.md, "Resume"). The library never sends work
/// again on its own: each choice is the caller's, made knowing what it may cost.
public struct ResumeOptions: Sendable, Equatable {
    /// Also finish `succeeded` items whose files were not saved yet (the caller's wait downloads).
    public var download: Bool
    /// Send again the work whose task failed.
    public var retryFailed: Bool
    /// Send again the work with an unknown outcome, after abandoning it: its task may exist, so
    /// this may pay twice. Without it, unknown outcomes are reported for the caller to resolve.
    public var resubmitUnknown: Bool

    public init(download: Bool = false, retryFailed: Bool = false, resubmitUnknown: Bool = false) {
        self.download = download
        self.retryFailed = retryFailed
        self.resubmitUnknown = resubmitUnknown
    }
}

/// What a resume does with one work item.
public enum ResumeAction: String, Sendable, Equatable, CaseIterable {
    /// Its task exists: wait for it (and, with `download`, save its files).
    case wait
    /// Nothing was created (never sent, refused, abandoned), or the caller chose to send it
    /// again: the caller submits its request anew.
    case submit
    /// Nothing left to do: downloaded, or succeeded when no download was asked for.
    case done
    /// Its task failed; reported (`retryFailed` submits it again).
    case failed
    /// A task may exist and be charged; reported for the caller to resolve (kie's logs), or
    /// submitted again with `resubmitUnknown`.
    case unknown
    /// Being sent by this process right now (`intent`): nothing to do until it settles.
    case sending

    /// The decision for one work item's latest state. Pure: the table in ResumePlanTests lists
    /// every state under every choice.
    public static func decide(_ entry: JournalEntry, _ options: ResumeOptions) -> ResumeAction {
        switch entry.state {
        case .intent: .sending
        case .submitted: entry.taskId == nil ? .submit : .wait
        case .succeeded: entry.taskId == nil ? .submit : options.download ? .wait : .done
        case .downloaded: .done
        case .failed: options.retryFailed ? .submit : .failed
        case .unknown: options.resubmitUnknown ? .submit : .unknown
        case .rejected, .abandoned: .submit
        }
    }
}

/// One work item and what a resume does with it.
public struct ResumeStep: Sendable, Equatable {
    public var entry: JournalEntry
    public var action: ResumeAction
}

/// What a resume does with the journal (docs/journal.md): every work item's action, in journal
/// order. The client's `resumePlan` makes it; callers act on it and report.
public struct ResumePlan: Sendable {
    public var steps: [ResumeStep]

    public init(entries: [JournalEntry], options: ResumeOptions) {
        steps = entries.map { ResumeStep(entry: $0, action: ResumeAction.decide($0, options)) }
    }

    /// The items whose tasks to wait for (and download).
    public var resume: [JournalEntry] { entries(.wait) }
    /// The unknown outcomes to report; the caller alone can settle them.
    public var unknown: [JournalEntry] { entries(.unknown) }

    public func entries(_ action: ResumeAction) -> [JournalEntry] {
        steps.filter { $0.action == action }.map(\.entry)
    }
}
