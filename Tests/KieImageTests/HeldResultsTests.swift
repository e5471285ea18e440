import Testing
@testable import KieImage

/// What a client holds of the tasks it read, for downloads by task id (kie_download).
@Suite struct HeldResultsTests {
    func task(_ id: String, flag: Int, urls: [String] = ["https://x/a.png"]) throws -> KieTask {
        let list = urls.map { #""\#($0)""# }.joined(separator: ",")
        return try RecordInfoParser.parse(JSON.parse(#"{"taskId":"\#(id)","successFlag":\#(flag),"response":{"resultUrls":[\#(list)]}}"#))
    }

    @Test func onlySucceededTasksWithResultsAreHeld() throws {
        let held = HeldResults()
        held.hold(try task("ok", flag: 1, urls: ["https://x/1.png", "https://x/2.png"]))
        held.hold(try task("running", flag: 0))
        held.hold(try task("failed", flag: 3))
        held.hold(try task("empty", flag: 1, urls: []))
        #expect(held.results(of: "ok")?.urls == ["https://x/1.png", "https://x/2.png"] && held.results(of: "ok")?.family == .fourO)
        #expect(held.results(of: "running") == nil && held.results(of: "failed") == nil && held.results(of: "empty") == nil)
    }

    @Test func theOldestAreForgottenPastTheLimit() throws {
        let held = HeldResults()
        for i in 0..<HeldResults.limit { held.hold(try task("t\(i)", flag: 1)) }
        #expect(held.results(of: "t0") != nil && held.results(of: "t\(HeldResults.limit - 1)") != nil)
        held.hold(try task("next", flag: 1))
        #expect(held.results(of: "t0") == nil && held.results(of: "t\(HeldResults.limit / 2 - 1)") == nil)
        #expect(held.results(of: "t\(HeldResults.limit / 2)") != nil && held.results(of: "next") != nil)
    }
}
