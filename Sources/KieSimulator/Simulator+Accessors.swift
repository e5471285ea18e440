import Synchronization

/// In-process accessors: what tests and `kie-image serve-sim` read and change directly, the
/// same things the admin API (`/_sim/...`, Admin.swift) offers over HTTP.
extension Simulator {
    /// Moves the simulator clock forward (expiry, rate-limit windows, task completion).
    public func advanceClock(ms: Int64) {
        // Saturates far beyond any retention (a million years), so repeated moves cannot overflow.
        state.withLock { $0.clock.offsetMs = min($0.clock.offsetMs + min(max(0, ms), 1 << 50), 1 << 55) }
        finalizeAndNotify()
    }

    /// Stops (or restarts) the simulator clock; while frozen only `advanceClock` moves it.
    public func freezeClock(_ frozen: Bool = true) {
        state.withLock { s in
            if frozen {
                if s.clock.frozenRealMs == nil { s.clock.frozenRealMs = SimClock.realNowMs() }
            } else if let at = s.clock.frozenRealMs {
                // Carry on from the frozen instant: time never runs backwards.
                s.clock.offsetMs += at - SimClock.realNowMs()
                s.clock.frozenRealMs = nil
            }
        }
    }

    /// The simulator clock now, in ms since the epoch.
    public var nowMs: Int64 { state.withLock { $0.clock.nowMs() } }

    /// The configuration in force.
    public var config: SimulatorConfig { state.withLock { $0.config } }

    /// Replaces the configuration (listeners keep their ports). Balances are reset when `apiKeys`
    /// changes; fault counters start again.
    public func setConfig(_ config: SimulatorConfig) throws {
        let problems = config.problems()
        guard problems.isEmpty else { throw ConfigError(message: problems.joined(separator: "; ")) }
        state.withLock { s in
            let old = s.config
            s.config = config
            s.configVersion += 1
            s.faults = FaultEngine(rules: config.faults)
            s.callbackFaults = CallbackFaultEngine(rules: config.callbackFaults)
            if old.apiKeys != config.apiKeys { s.balances = config.apiKeys }
            if old.failureRates.seed != config.failureRates.seed { s.outcomeRng = SplitMix64(seed: config.failureRates.seed) }
            if old.generation?.seed != config.generation?.seed { s.durationRng = SplitMix64(seed: config.generation?.seed ?? 7) }
        }
    }

    /// Forgets tasks, uploads, callbacks, statistics and clock offset; balances back to the config.
    public func reset() {
        state.withLock { s in
            var fresh = StateData(config: s.config)
            fresh.apiBase = s.apiBase
            fresh.uploadBase = s.uploadBase
            fresh.fileBase = s.fileBase
            fresh.configVersion = s.configVersion + 1
            s = fresh
        }
    }

    /// Credits left for `apiKey`, nil for an unknown key.
    public func credits(apiKey: String) -> Double? { state.withLock { $0.balances[apiKey] } }

    /// Every task, oldest first.
    public func tasks() -> [TaskSnapshot] {
        state.withLock { s in
            let now = s.clock.nowMs()
            return s.taskOrder.compactMap { id in
                s.tasks[id].map { TaskSnapshot(task: $0, nowMs: now, state: s) }
                    ?? s.marketTasks[id].map { TaskSnapshot(market: $0, nowMs: now, state: s) }
            }
        }
    }

    /// Every callback delivery so far.
    public func callbacks() -> [CallbackRecord] { state.withLock { $0.callbacks } }

    /// Requests per endpoint name (`generate`, `record-info`, ..., `admin`, `unknown`).
    public func requestCounts() -> [String: Int] { state.withLock { $0.requestCounts } }

    /// Every request the file host received, with whether it carried an Authorization header.
    public func fileRequests() -> [FileRequestRecord] { state.withLock { $0.fileLog } }
}
