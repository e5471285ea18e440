import Synchronization

/// The client's spend in credits and its limit, config `maxCredits` (docs/inputs-proxies-budget.md, "Budget").
/// Spend is the sum, over the generates this client (and, with a journal, every earlier process
/// that wrote it) sent since `budgetSince`, of what kie charged (`creditsConsumed`, once a wait saw
/// the task end) or else the price reserved for it. A generate reserves its price before anything
/// is sent; the reservation is refused when it would take spend plus open reservations strictly
/// above the limit, and released only when kie's answer proves nothing was created.
final class CreditBudget: Sendable {
    struct State {
        var loaded = false
        /// Charge of every counted work item (journal id, or this process's reservation id).
        var items: [String: Double] = [:]
        var itemOfTask: [String: String] = [:]
        /// Prices of generates reserved but not yet answered.
        var open: [String: Double] = [:]
        /// Credits kie last charged per Market model, for models without a price table.
        var lastCharged: [String: Double] = [:]
        var next: UInt64 = 0
    }

    let limit: Double?
    let sinceMs: Int64?
    private let state = Mutex(State())

    init(limit: Double?, sinceMs: Int64?) {
        self.limit = limit
        self.sinceMs = sinceMs
    }

    /// Counts the journal's work items once, before the first use (`entries` is read only then).
    private func loadOnce(_ s: inout State, _ entries: () -> [JournalEntry]) {
        guard !s.loaded else { return }
        s.loaded = true
        for e in entries() {
            let family = TaskFamily(rawValue: e.family) ?? .fourO
            let model = Pricing.model(family: family, body: e.request)
            if let model, let credits = e.credits { s.lastCharged[model] = credits }
            guard e.state != .rejected, e.state != .abandoned, (e.sentAt ?? e.time) >= (sinceMs ?? Int64.min) else { continue }
            let charge = e.credits ?? e.price ?? Pricing.price(family: family, body: e.request) ?? model.flatMap { s.lastCharged[$0] } ?? 0
            s.items["j:" + e.id] = charge
            if let t = e.taskId { s.itemOfTask[t] = "j:" + e.id }
        }
    }

    /// The price a generate will be counted at: its table price, else (Market models without a
    /// table) the credits kie last charged for the model; nil when neither is known.
    func price(of request: ValidatedRequest, entries: () -> [JournalEntry]) -> Double? {
        state.withLock { s in
            loadOnce(&s, entries)
            return Pricing.price(family: request.family, body: request.body) ?? request.model.flatMap { s.lastCharged[$0] }
        }
    }

    /// Reserves a generate's price; throws BUDGET when it would pass the limit (or, with a limit,
    /// when no price is known for the model). Returns the reservation's id.
    func reserve(_ price: Double?, model: String?, entries: () -> [JournalEntry]) throws(KieError) -> String {
        let outcome = state.withLock { s -> Result<String, KieError> in
            loadOnce(&s, entries)
            if let limit {
                guard let price else {
                    return .failure(KieError(.budget, "no price is known for model \(model ?? "?") (no price table, and the journal holds no charge for it): with maxCredits set it is refused; run it once without a budget, with the same journal, to learn its price", field: "model"))
                }
                let spent = s.items.values.reduce(0, +) + s.open.values.reduce(0, +)
                if spent + price > limit + 1e-9 {
                    return .failure(KieError(.budget, "this generate costs \(Self.text(price)) credits and the spend is \(Self.text(spent)) of maxCredits \(Self.text(limit))"))
                }
            }
            s.next += 1
            let id = "r\(s.next)"
            s.open[id] = price ?? 0
            return .success(id)
        }
        return try outcome.get()
    }

    /// The generate was answered: with a task (or possibly one: an unknown outcome) its price counts.
    func commit(_ reservation: String, taskId: String?) {
        state.withLock { s in
            guard let price = s.open.removeValue(forKey: reservation) else { return }
            s.items[reservation] = price
            if let taskId { s.itemOfTask[taskId] = reservation }
        }
    }

    /// kie refused the generate (nothing was created): its price no longer counts.
    func release(_ reservation: String) { state.withLock { _ = $0.open.removeValue(forKey: reservation) } }

    /// A task ended and kie said what it charged: that replaces the price.
    func charged(taskId: String, credits: Double, model: String?, entries: () -> [JournalEntry]) {
        state.withLock { s in
            loadOnce(&s, entries)
            if let model { s.lastCharged[model] = credits }
            if let item = s.itemOfTask[taskId] { s.items[item] = credits }
        }
    }

    /// Spend (answered generates) and reserved (in flight), in credits.
    func totals(entries: () -> [JournalEntry]) -> (spent: Double, reserved: Double) {
        state.withLock { s in
            loadOnce(&s, entries)
            return (s.items.values.reduce(0, +), s.open.values.reduce(0, +))
        }
    }

    static func text(_ credits: Double) -> String {
        credits == credits.rounded() && abs(credits) < 1e15 ? String(Int64(credits)) : String(credits)
    }
}
