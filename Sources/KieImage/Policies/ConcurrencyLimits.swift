/// How much of a client's work runs at once, one limit per reason. A request passes them in this
/// order: its generate or poll slot, the rate limiter (generates only; a window of requests per
/// time, not a count in flight: RateLimiter.swift), a place on the wire, a pooled connection.
///
/// One number sets them: `requestsOnTheWire`. The others equal it for the reason each gives, so
/// a request that got past one limit is never held by the next (only the wire queues), and the
/// wire's queue is the one place a request waits in order (docs/c-api.md §5, "Scale").
enum ConcurrencyLimits {
    /// API requests sent at once by one client (HTTPTransport's InFlightLimit). The rest wait in
    /// arrival order before sending, so 10 000 waits polling at once hold one continuation each
    /// rather than 10 000 requests in AsyncHTTPClient's pool, and a request's timeout starts when
    /// it is sent: queueing never turns a generate into an unknown outcome (BENCHMARKS.md, P3).
    static let requestsOnTheWire = 64

    /// Connections per host in AsyncHTTPClient's pool: one for each request on the wire, so a
    /// request let onto the wire never waits inside the pool, where its deadline would already run.
    static let connectionsPerHost = requestsOnTheWire

    /// Generates and polls, each, running in a child task at once (KieClient+ChildTask.swift).
    /// Memory: a task keeps the memory its deepest call needed until it ends, so only as many go
    /// deep (validation, journal, APICaller, AsyncHTTPClient) as could be on the wire; the others
    /// wait shallow for a slot. Generates and polls have a limit each, so generates waiting for the
    /// rate limiter never hold up a wait's polls.
    static let generatesInProgress = requestsOnTheWire
    static let pollsInProgress = requestsOnTheWire
}
