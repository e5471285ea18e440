extension KieClient {
    /// One read of a task's record, normalized (docs/c-api.md, "Task JSON"). The family is the
    /// one given, else the one the client knows for the id (it created it, or the journal holds
    /// it); an id it does not know is asked of 4o first and of Market when 4o says not found. An
    /// unknown task is NOT_FOUND, whichever shape kie uses for it (docs/kie-api.md §11 rows 2-4).
    public func task(_ taskId: String, family: TaskFamily? = nil, deadline: ContinuousClock.Instant? = nil) async throws -> KieTask {
        try Self.checkTaskId(taskId)
        var task: KieTask
        if let known = family ?? knownFamily(of: taskId) {
            task = try await record(taskId, family: known, deadline: deadline)
        } else {
            do {
                task = try await record(taskId, family: .fourO, deadline: deadline)
            } catch let e as KieError where e.status == .notFound {
                task = try await record(taskId, family: .market, deadline: deadline)
            }
            noteFamily(taskId, task.family)
        }
        if task.tag == nil { task.tag = tag(ofTask: taskId) }
        held.hold(task)
        return task
    }

    /// One record read of the given family: 4o `record-info` or Market `recordInfo`.
    func record(_ taskId: String, family: TaskFamily, deadline: ContinuousClock.Instant?) async throws -> KieTask {
        let endpoint = APICaller.Endpoint(
            name: family == .fourO ? "record-info" : "recordInfo", method: .GET,
            url: config.baseUrl + family.recordInfoPath + "?taskId=" + taskId, policy: .readsRecord)
        let env = try await caller.call(endpoint, deadline: deadline, taskId: taskId, pace: { [pacer] in try await pacer.pace(taskId) })
        if env.data.isNull {
            // Some accounts answer 200 with data null for unknown ids (docs/kie-api.md §2d).
            throw KieError(.notFound, "no task \(taskId)", apiCode: 200, taskId: taskId)
        }
        return try RecordInfoParser.parse(env, family: family, expectedTaskId: taskId)
    }

    /// Polls until the task ends, the deadline passes, or the calling task is cancelled.
    /// `onEvent` receives progress events (on change only); the final outcome is the return value
    /// or the thrown error (TASK_FAILED for a failed task, TIMEOUT at the deadline). A task this
    /// client created may answer not-found for `notFoundGraceMs` after its creation (the record
    /// is not visible yet): those answers count as "still running". A callback delivered to this
    /// client (`deliver`) ends the wait at once with the confirmed task, without another read;
    /// with config `callbacks` polling is only a safety net (CallbackPollSchedule, docs/webhooks.md).
    /// With a ledger, the end is recorded in the task's row (docs/ledger.md).
    public func wait(
        _ taskId: String, options: WaitOptions, onEvent: @Sendable (WaitEvent) -> Void = { _ in }
    ) async throws -> KieTask {
        try await waitBoxed(taskId, options: options, onEvent: onEvent).task
    }

    /// `wait`, its task boxed: the frames of `run` and `waitAndDownload` then hold a reference,
    /// not a task (P3 in BENCHMARKS.md: every waiting task keeps its frames for its whole life).
    @inline(never)
    func waitBoxed(_ taskId: String, options: WaitOptions, onEvent: @Sendable (WaitEvent) -> Void) async throws -> Polled {
        guard ledger != nil else { return try await waitForEnd(taskId, options: options, onEvent: onEvent) }
        return try await waitRecordingInLedger(taskId, options: options, onEvent: onEvent)
    }

    /// With a ledger, the end is recorded in the task's row (out of line: a wait without one
    /// keeps none of this in its frames).
    @inline(never)
    private func waitRecordingInLedger(
        _ taskId: String, options: WaitOptions, onEvent: @Sendable (WaitEvent) -> Void
    ) async throws -> Polled {
        wakeups?.start()
        do {
            let done = try await waitForEnd(taskId, options: options, onEvent: onEvent)
            await recordEndInLedger(done.task.taskId, .succeeded, detail: Self.endDetail(done.task), credits: done.task.creditsConsumed)
            return done
        } catch let e as KieError where e.status == .taskFailed {
            await recordEndInLedger(taskId, .failed, detail: .string(e.message))
            throw e
        }
    }

    /// The loop. Its frame stays small because every waiting task keeps it between polls: the
    /// state is one `WaitLoop` object, and the work before and after each sleep or poll is in
    /// out-of-line calls that keep their temporaries in their own frames.
    @inline(never)
    private func waitForEnd(
        _ taskId: String, options: WaitOptions, onEvent: @Sendable (WaitEvent) -> Void
    ) async throws -> Polled {
        let loop = try startWait(taskId, options: options)
        if let done = loop.done { return try finished(done, calls: 0) }
        while true {
            switch loop.next() {
            case .sleep(let ms):
                if let news = try await sleepForNews(taskId, ms: ms) { return try finished(news, calls: loop.calls) }
            case .poll:
                let polled = try await pollOnce(taskId, deadline: loop.deadline, options: options)
                if let done = try advance(loop, polled, onEvent: onEvent) { return done }
            case .timedOut:
                throw Self.waitTimedOut(taskId, options: options, calls: loop.calls)
            }
        }
    }

    /// The wait's state at its start: the schedule (with callbacks, the safety net's), the
    /// deadline, and a task a callback already delivered.
    @inline(never)
    private func startWait(_ taskId: String, options: WaitOptions) throws -> WaitLoop {
        try Self.checkTaskId(taskId)
        let loop = WaitLoop(deadline: ContinuousClock.now.advanced(by: .milliseconds(options.poll.deadlineMs)),
                            schedule: PollSchedule(settings: options.poll, knownDurations: durations.snapshot()))
        if let delivered = mailbox.delivered(taskId) {
            loop.done = Polled(delivered)
            return loop
        }
        // `initialMs` after this client created the task; a task it did not create (resumed,
        // taken over, named by id) may have ended long ago: read at once.
        let age = msSinceCreated(taskId)
        loop.delay = age.map { loop.schedule.firstDelay(elapsedMs: $0) } ?? 0
        if config.callbacks {
            let net = CallbackPollSchedule(knownDurations: durations.snapshot())
            let sinceStart = age ?? 0
            loop.delay = net.firstDelay(elapsedMs: sinceStart, leftMs: options.poll.deadlineMs)
            loop.safetyNet = net
        }
        return loop
    }

    /// Sleeps `ms` between polls, or less when a callback delivers the task: returns it then.
    /// A wait expecting callbacks with a journal also re-reads the journal every
    /// `journalWatchMs`, so a receiver in another process sharing the file ends it too.
    /// With a ledger, it re-reads the task's row as often: an end recorded there with kie's record
    /// ends the wait; one recorded without it ends the sleep (the next poll reads it).
    /// The task comes boxed (`Polled`), so the frames of a sleeping wait hold a reference, not a
    /// task (P3 in BENCHMARKS.md: every waiting task keeps these frames).
    @inline(never)
    func sleepForNews(_ taskId: String, ms: Int64) async throws -> Polled? {
        let watching = config.callbacks && (journal != nil || ledger != nil)
        var left = ms
        while left > 0 {
            let step = watching ? min(left, Self.journalWatchMs) : left
            try await mailbox.sleep(taskId, ms: step)
            if case .ended(let news) = await news(of: taskId, watching: watching) { return news }
            left -= step
        }
        return nil
    }

    /// A delivered callback's task, else (`watching`) the end another process recorded in the
    /// journal or the ledger: with kie's record, the task; without, the sleep ends and the next
    /// poll reads it.
    @inline(never)
    private func news(of taskId: String, watching: Bool) async -> SleepNews {
        if let task = mailbox.delivered(taskId) { return .ended(Polled(task)) }
        guard watching else { return .none }
        if let journal, let task = Self.recordedEnd(taskId, in: journal) {
            mailbox.post(task)
            return .ended(Polled(task))
        }
        if let ledger, let end = try? await ledgerRecordedEnd(taskId, in: ledger), end.ended {
            guard let task = end.task else { return .ended(nil) }
            mailbox.post(task)
            return .ended(Polled(task))
        }
        return .none
    }

    enum SleepNews { case none, ended(Polled?) }

    static let journalWatchMs: Int64 = 200

    /// The end another process recorded in the journal from a delivered callback, with its record.
    static func recordedEnd(_ taskId: String, in journal: TaskJournal) -> KieTask? {
        journal.refresh()
        guard let e = journal.entry(taskId: taskId), e.state.isSettled, !e.record.isNull,
              let family = TaskFamily(rawValue: e.family) else { return nil }
        return try? RecordInfoParser.parse(e.record, family: family, expectedTaskId: taskId)
    }

    /// The wait loop's work after one poll (nil: not visible yet), out of line so the sleeping
    /// loop's frame holds no task: updates the schedule and the next delay (the safety net's
    /// with callbacks), emits a progress change, and returns the task when it ended (or throws
    /// its failure).
    @inline(never)
    private func advance(_ loop: WaitLoop, _ polled: Polled?, onEvent: @Sendable (WaitEvent) -> Void) throws -> Polled? {
        loop.calls += 1
        if let polled {
            let task = polled.task
            if let ct = task.createTime, abs(Clock.nowMs() - ct) < 86_400_000 { loop.createTime = ct }
            if task.isTerminal { return try finished(polled, calls: loop.calls) }
            if task.progress != loop.lastProgress {
                loop.lastProgress = task.progress
                onEvent(.progress(taskId: task.taskId, progress: task.progress, status: task.status.rawValue))
            }
            loop.schedule.observe(elapsedMs: loop.elapsedMs, progress: task.progress)
        } else {
            loop.schedule.observe(elapsedMs: loop.elapsedMs, progress: 0)
        }
        loop.delay = loop.schedule.nextDelay(elapsedMs: loop.elapsedMs)
        if var net = loop.safetyNet {
            loop.delay = net.nextDelay(leftMs: APICaller.msUntil(loop.deadline))
            loop.safetyNet = net
        }
        return nil
    }

    /// One poll, run in a child task (KieClient+ChildTask.swift) with all its work, error
    /// mapping included, so a sleeping wait keeps only this small frame. nil: not visible yet
    /// (a not-found within the grace period).
    @inline(never)
    func pollOnce(_ taskId: String, deadline: ContinuousClock.Instant, options: WaitOptions) async throws -> Polled? {
        try await inChildTask(after: pollSlots) { try await self.poll(taskId, deadline: deadline, options: options) }
    }

    private func poll(_ taskId: String, deadline: ContinuousClock.Instant, options: WaitOptions) async throws -> Polled? {
        do {
            return Polled(try await task(taskId, family: options.family, deadline: deadline))
        } catch let e as KieError where e.status == .timeout && APICaller.msUntil(deadline) <= 0 {
            throw KieError(.timeout, "task \(taskId) did not finish within \(options.poll.deadlineMs) ms", taskId: taskId, retryable: true)
        } catch let e as KieError where e.status == .notFound {
            guard let since = sinceCreated(taskId), since < .milliseconds(options.notFoundGraceMs) else { throw e }
            logger.debug("task not visible yet", metadata: ["taskId": "\(taskId)"])
            return nil
        }
    }

    // Out of line, so their temporaries are not fields of every sleeping wait's frame.
    @inline(never)
    static func waitTimedOut(_ taskId: String, options: WaitOptions, calls: Int) -> KieError {
        KieError(.timeout, "task \(taskId) did not finish within \(options.poll.deadlineMs) ms (\(calls) status calls)", taskId: taskId, retryable: true)
    }

    /// A terminal task: learn its duration, journal its end, and return it or throw its failure.
    /// Out of line and boxed: the wait loop's frame keeps none of its temporaries (P3).
    @inline(never)
    func finished(_ polled: Polled, calls: Int) throws -> Polled {
        let task = polled.task
        if task.isSuccess, let ct = task.createTime, let done = task.completeTime, done > ct {
            durations.record(done - ct)
        }
        logger.debug("task ended", metadata: ["taskId": "\(task.taskId)", "status": "\(task.status.rawValue)", "calls": "\(calls)"])
        do {
            noteCharged(task)
            // Once: a delivered callback (this or another process) may have recorded it already.
            try journal?.settleEnd(taskId: task.taskId, task.isSuccess ? .succeeded : .failed,
                                   detail: task.isSuccess ? .null : .string(task.errorMessage ?? task.status.rawValue),
                                   credits: task.creditsConsumed)
        } catch {
            // The task's outcome stands; a resumed run will only poll it once more.
            logger.warning("journal: could not record the end of the task", metadata: ["taskId": "\(task.taskId)", "reason": "\(error.message)"])
        }
        guard task.isSuccess else { throw task.failure }
        return polled
    }
}

/// A task read by a poll, boxed: the wait's frames then hold a reference, not the task.
final class Polled: Sendable {
    let task: KieTask
    init(_ task: KieTask) { self.task = task }
}
