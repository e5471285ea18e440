import Testing
@testable import KieImage

/// The safety-net schedule of a wait that expects a callback (docs/webhooks.md), as a table.
@Suite struct CallbackPollScheduleTests {
    struct FirstRow: Sendable, CustomTestStringConvertible {
        let known: [Int64], elapsed: Int64, left: Int64, first: Int64
        var testDescription: String { "known \(known) elapsed \(elapsed) left \(left) -> \(first)" }
    }

    static let firstRows: [FirstRow] = [
        // No durations seen: 30 s after the start.
        FirstRow(known: [], elapsed: 0, left: 900_000, first: 30_000),
        FirstRow(known: [], elapsed: 12_000, left: 900_000, first: 18_000),
        FirstRow(known: [], elapsed: 45_000, left: 900_000, first: 0),
        // Durations seen: their 90th percentile.
        FirstRow(known: [8_000], elapsed: 0, left: 900_000, first: 8_000),
        FirstRow(known: Array(stride(from: 1_000, through: 10_000, by: 1_000)), elapsed: 2_000, left: 900_000, first: 8_000),
        // A short deadline: the read lands a tenth of what is left before it.
        FirstRow(known: [], elapsed: 0, left: 3_000, first: 2_650),
        FirstRow(known: [], elapsed: 0, left: 20_000, first: 18_000),
        FirstRow(known: [], elapsed: 0, left: 200, first: 200),
    ]

    @Test(arguments: firstRows) func firstRead(row: FirstRow) {
        #expect(CallbackPollSchedule(knownDurations: row.known).firstDelay(elapsedMs: row.elapsed, leftMs: row.left) == row.first)
    }

    @Test func laterReadsAreSlowAndDoubleUpToAMinute() {
        var s = CallbackPollSchedule(knownDurations: [])
        let gaps = (0..<6).map { _ in s.nextDelay(leftMs: 900_000) }
        #expect(gaps == [10_000, 20_000, 40_000, 60_000, 60_000, 60_000])
    }

    @Test func laterReadsNeverSkipTheLastChanceBeforeTheDeadline() {
        var s = CallbackPollSchedule(knownDurations: [])
        #expect(s.nextDelay(leftMs: 8_000) == 7_200)
        #expect(s.nextDelay(leftMs: 100_000) == 20_000)
        #expect(s.nextDelay(leftMs: 30_000) == 27_000)
        #expect(s.nextDelay(leftMs: 300) == 300)
        #expect(s.nextDelay(leftMs: 0) == 0)
    }
}

@Suite struct CallbacksConfigTests {
    @Test func callbacksIsABooleanKeyOffByDefault() throws {
        #expect(try ClientConfig.parse(json: #"{"apiKey":"k"}"#, env: [:]).callbacks == false)
        #expect(try ClientConfig.parse(json: #"{"apiKey":"k","callbacks":true}"#, env: [:]).callbacks == true)
        do {
            _ = try ClientConfig.parse(json: #"{"apiKey":"k","callbacks":"yes"}"#, env: [:])
            Issue.record("callbacks \"yes\" was accepted")
        } catch {
            #expect(error.status == .invalidArgument && error.field == "callbacks")
        }
    }
}
