import Testing
@testable import KieImage

/// Transport set-up (Transport/HTTPTransport.swift).
@Suite struct TransportTests {
    /// No tracer is bootstrapped in tests, so neither client may pay for a no-op span per request.
    /// Fails if the no-op tracer's type name ever changes and the check stops matching it.
    @Test func noOpTracerIsSkipped() async throws {
        let client = try KieClient(config: ClientConfig(apiKey: "kie-canary-transport"))
        #expect(!client.transport.opensSpans)
        await client.shutdown()
    }

    /// An answer larger than a call reads (16 MiB for the API) is a protocol error: a read gives up
    /// at once (the same answer would come again), a generate reports an unknown outcome (the
    /// server answered, so its task may exist). It was a retried network error before.
    @Test func anOversizedAnswerIsAProtocolErrorNotANetworkOne() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        var call = HTTPCall(method: .GET, url: h.client.config.baseUrl + "/api/v1/chat/credit", timeoutMs: 5_000)
        call.maxBodyBytes = 8
        var caught: TransportFailure?
        do {
            _ = try await h.client.transport.send(call)
        } catch let t as TransportFailure {
            caught = t
        }
        let failure = try #require(caught)
        #expect(failure.oversized && failure.sent)
        #expect(failure.message.contains("larger than 8 bytes"))

        #expect(failure.kind == .oversized)
        let read = FailedAttempt(.transport(failure.kind), policy: .read, message: failure.message)
        #expect(read.error.status == .protocol && !read.error.retryable)
        #expect(h.client.config.retry.decide(read.verdict, attempt: 1, policy: .read) == .giveUp)
        let generate = FailedAttempt(.transport(failure.kind), policy: .createsTask, message: failure.message)
        #expect(h.client.config.retry.decide(generate.verdict, attempt: 1, policy: .createsTask) == .unknownOutcome)

        call.maxBodyBytes = 1 << 20
        #expect(try await h.client.transport.send(call).status == 200)
    }

    /// The HTTP clients (and the event loop threads behind them) start with the first request,
    /// not with the client; a call after shutdown fails as never sent.
    @Test func httpClientsStartWithTheFirstRequest() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let client = try KieClient(config: h.client.config)
        #expect(!client.transport.isStarted)
        _ = try await client.credits()
        #expect(client.transport.isStarted)
        await client.shutdown()
        #expect(!client.transport.isStarted)
        let call = HTTPCall(method: .GET, url: h.client.config.baseUrl + "/api/v1/chat/credit", timeoutMs: 5_000)
        var caught: TransportFailure?
        do {
            _ = try await client.transport.send(call)
        } catch let t as TransportFailure {
            caught = t
        }
        #expect(caught.map { !$0.sent && $0.message == "the client is shut down" } == true)

        // A client that never called shuts down at once; one that did needs shutdown().
        let unused = try KieClient(config: h.client.config)
        #expect(unused.shutdownIfUnused())
        await #expect(throws: TransportFailure.self) { _ = try await unused.transport.send(call) }
        let used = try KieClient(config: h.client.config)
        _ = try await used.credits()
        #expect(!used.shutdownIfUnused())
        await used.shutdown()
    }
}

/// Calls with a body against a server that answers before the body and then closes.
@Suite struct EarlyAnswerTests {
    /// Every call ends with the answer or a transport failure, and the process lives: with a
    /// request's task and its connection on two event loops, AsyncHTTPClient 1.37 aborted here
    /// ("A connection that we don't know was released?") within a few thousand calls (CI hit it
    /// in the fault matrix's download-url row). A failure is "sent" (the server had the request).
    @Test func earlyAnswersFollowedByACloseNeverAbort() async throws {
        let server = try await EarlyAnswerServer.start()
        var cc = ClientConfig(apiKey: "kie-canary-early-answer")
        cc.baseUrl = server.url
        let client = try KieClient(config: cc)
        let url = server.url + "/api/v1/gpt4o-image/download-url"
        let outcomes = await withTaskGroup(of: (answered: Int, failed: Int, unsent: Int).self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var tally = (answered: 0, failed: 0, unsent: 0)
                    for _ in 0..<EarlyAnswerTests.callsPerTask {
                        var call = HTTPCall(method: .POST, url: url, timeoutMs: 5_000)
                        call.headers = [("Content-Type", "application/json")]
                        call.body = Array(repeating: UInt8(ascii: "a"), count: 200)
                        do {
                            let answer = try await client.transport.send(call)
                            if answer.status == 200 && answer.body == Array("{}".utf8) { tally.answered += 1 }
                        } catch let failure as TransportFailure {
                            if failure.sent { tally.failed += 1 } else { tally.unsent += 1 }
                        } catch {}
                    }
                    return tally
                }
            }
            var sum = (answered: 0, failed: 0, unsent: 0)
            for await t in group { sum = (sum.answered + t.answered, sum.failed + t.failed, sum.unsent + t.unsent) }
            return sum
        }
        await client.shutdown()
        await server.stop()
        #expect(outcomes.answered + outcomes.failed + outcomes.unsent == 8 * Self.callsPerTask)
        #expect(outcomes.answered > 0)
    }

    static let callsPerTask = 500
}
