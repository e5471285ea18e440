extension KieClient {
    /// Runs `body` in a child task once one of `slots` is free, and returns its result.
    ///
    /// Why: a Swift task keeps the memory its deepest call ever needed (its allocator frees its
    /// slabs only when the task ends), and a generate or a poll goes deep (validation, journal,
    /// APICaller, AsyncHTTPClient). Ten thousand long waits would each keep that for their whole
    /// life. In a child task those frames are freed when the request is done, and the slots make
    /// the calls beyond them queue here, shallow, rather than deep in the transport's queue
    /// (BENCHMARKS.md, P3; the limits and why: Policies/ConcurrencyLimits.swift).
    /// Cancellation reaches the child; a cancelled caller waiting for a slot gets CancellationError.
    func inChildTask<T: Sendable>(after slots: InFlightLimit, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await slots.acquire()
        defer { slots.release() }
        async let result = body()
        return try await result
    }
}
