/// How an attempt failed below HTTP: whether the request may have reached the server.
struct TransportFailure: Error, Sendable {
    /// The failures below HTTP the failure policy tells apart (Policies/FailurePolicy.swift).
    enum Kind: Sendable, Hashable, CaseIterable {
        /// The request provably never left: DNS, connection refused, TLS, the client shut down.
        case notSent
        /// Timed out before the request could leave: connecting, or waiting for a free slot.
        case notSentInTime
        /// The request was (or may have been) sent, and the connection failed before a complete answer.
        case noAnswer
        /// The request was (or may have been) sent, and no complete answer came in time.
        case noAnswerInTime
        /// The server answered, with more than the call reads (`HTTPCall.maxBodyBytes`).
        case oversized

        /// Whether the request may have reached the server.
        var sent: Bool { self != .notSent && self != .notSentInTime }
    }

    var sent: Bool
    var timedOut: Bool
    var message: String
    /// The server answered, with more than the call reads (`HTTPCall.maxBodyBytes`).
    var oversized = false

    var kind: Kind {
        if oversized { return .oversized }
        if sent { return timedOut ? .noAnswerInTime : .noAnswer }
        return timedOut ? .notSentInTime : .notSent
    }
}
