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

        let read = APICaller.failed(failure, idempotency: .idempotent)
        #expect(read.error.status == .protocol && !read.error.retryable)
        #expect(h.client.config.retry.decide(read.failure, attempt: 1, idempotency: .idempotent) == .giveUp)
        let generate = APICaller.failed(failure, idempotency: .createsTask)
        #expect(h.client.config.retry.decide(generate.failure, attempt: 1, idempotency: .createsTask) == .unknownOutcome)

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
