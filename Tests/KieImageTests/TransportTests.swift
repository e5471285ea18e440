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
}
