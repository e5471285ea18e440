// `kie-bench p2model`: the P2 workload in virtual time, without HTTP, to tell what the poll
// schedule itself costs from what the machine adds. Runs the core's PollSchedule as
// KieClient.wait drives it (its progress-rate and window changes were first tried here).
//
// Model of one task: duration D from the same log-normal as P2; createTime is floored to whole
// seconds (as kie's and the simulator's are), progress is "0.00".."0.99" truncated to two decimals
// (steady) or "0.00" until done (jump); our first call is at initialMs after submission.

import Foundation
import KieImage

protocol Schedule {
    mutating func observe(elapsedMs: Int64, progress: Double)
    mutating func nextDelay(elapsedMs: Int64, jitter: (ClosedRange<Int64>) -> Int64) -> Int64
}

extension PollSchedule: Schedule {}

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func modelRun(_ make: () -> any Schedule, durations: [Int64], offsets: [Int64], jump: Bool, initialMs: Int64, rng: inout SplitMix)
    -> (delays: [Double], calls: [Double])
{
    var delays: [Double] = [], calls: [Double] = []
    for (d, frac) in zip(durations, offsets) {
        var s = make()
        var t = initialMs  // true elapsed since creation
        var n = 0
        while true {
            n += 1
            if t >= d { delays.append(Double(t - d)); calls.append(Double(n)); break }
            let progress = jump ? 0 : (min(0.99, Double(t) / Double(d)) * 100).rounded(.down) / 100
            let est = t + frac  // elapsed measured from the floored createTime
            s.observe(elapsedMs: est, progress: progress)
            t += s.nextDelay(elapsedMs: est, jitter: { Int64.random(in: $0, using: &rng) })
            if n > 10_000 { break }
        }
    }
    return (delays, calls)
}

func p2model() {
    let count = optInt("tasks", 100_000)
    let median = 20_000.0, sigma = log(49_000.0 / 20_000.0) / 1.6448536
    var rng = SplitMix(state: 20_250_609)
    var durations: [Int64] = [], offsets: [Int64] = []
    for _ in 0..<count {
        let u1 = max(Double.random(in: 0..<1, using: &rng), 1e-12), u2 = Double.random(in: 0..<1, using: &rng)
        durations.append(Int64(median * exp(sigma * sqrt(-2 * log(u1)) * cos(2 * .pi * u2))))
        offsets.append(Int64.random(in: 0..<1000, using: &rng))
    }
    let settings = PollSettings()
    var out: [String: Any] = [:]
    for regime in ["steady", "jump"] {
        var r: [String: Any] = [:]
        for (name, make) in [("core", { PollSchedule(settings: settings) as any Schedule })] {
            let (d, c) = modelRun(make, durations: durations, offsets: offsets, jump: regime == "jump",
                                  initialMs: settings.initialMs, rng: &rng)
            let s = d.sorted()
            r[name] = ["p50Ms": percentile(s, 50), "p99Ms": percentile(s, 99), "callsPerTask": c.reduce(0, +) / Double(c.count)]
        }
        var fixed: [[String: Any]] = []
        for interval in [500, 1000, 2000, 5000] as [Int64] {
            let d = durations.map { Double(($0 + interval - 1) / interval * interval - $0) }.sorted()
            let c = durations.map { Double(($0 + interval - 1) / interval) }
            fixed.append(["intervalS": Double(interval) / 1000, "p50Ms": percentile(d, 50), "p99Ms": percentile(d, 99),
                          "callsPerTask": c.reduce(0, +) / Double(c.count)])
        }
        r["fixed"] = fixed
        out[regime] = r
    }
    emit(out)
}
