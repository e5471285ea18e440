extension KieClient {
    /// The client's credit budget and spend (docs/inputs-proxies-budget.md, "Budget"), for summaries.
    public struct BudgetStatus: Sendable, Equatable {
        /// Config `maxCredits`; nil: no limit.
        public var maxCredits: Double?
        /// Credits of the generates answered (kie's `creditsConsumed` once known, else the price).
        public var spent: Double
        /// Prices of generates sent or being sent, not yet answered.
        public var reserved: Double
        /// Config `budgetSince`.
        public var since: String?

        public var json: JSONValue {
            ["maxCredits": maxCredits.map(JSONValue.double) ?? .null, "spent": .double(spent), "reserved": .double(reserved),
             "since": .string(since)]
        }
    }

    public func budgetStatus() -> BudgetStatus {
        let t = budget.totals(entries: budgetEntries)
        return BudgetStatus(maxCredits: config.maxCredits, spent: t.spent, reserved: t.reserved, since: config.budgetSince)
    }

    /// The price the budget counts a request at (nil: unknown, refused when a budget is set).
    public func price(of validated: ValidatedRequest) -> Double? { budget.price(of: validated, entries: budgetEntries) }

    func budgetEntries() -> [JournalEntry] { journal?.entries() ?? [] }

    /// Reserves a generate's price before anything is sent (throws BUDGET).
    func reserveBudget(_ validated: ValidatedRequest) throws(KieError) -> (id: String, price: Double?) {
        let price = budget.price(of: validated, entries: budgetEntries)
        return (try budget.reserve(price, model: validated.model, entries: budgetEntries), price)
    }

    /// A task ended: what kie charged for it replaces its price.
    func noteCharged(_ task: KieTask) {
        guard let credits = task.creditsConsumed else { return }
        budget.charged(taskId: task.taskId, credits: credits, model: task.model, entries: budgetEntries)
    }
}
