import Testing
@testable import KieImage

/// `TaskFamily.requestFields` / `requiredFields` say what each family's validator checks, so a
/// front end asking them agrees with the validator.
@Suite struct TaskFamilyFieldsTests {
    static let minimal: [TaskFamily: JSONObject] = [
        .fourO: ["prompt": "p", "size": "1:1"],
        .market: ["model": "some-model", "input": ["prompt": "p"]],
    ]

    func error(_ o: JSONObject) -> KieError? {
        do { _ = try RequestValidator.validate(o); return nil } catch { return error }
    }

    @Test(arguments: TaskFamily.allCases)
    func everyListedFieldIsKnownToTheValidator(_ family: TaskFamily) throws {
        for field in family.requestFields where field != "tag" {
            var o = try #require(Self.minimal[family])
            if o[field] == nil { o[field] = .bool(true) }   // a wrong type at worst, never an unknown field
            #expect(error(o)?.message.contains("unknown field") != true, "\(family) \(field)")
        }
    }

    @Test(arguments: TaskFamily.allCases)
    func aFieldOfTheOtherFamilyIsRefusedByName(_ family: TaskFamily) throws {
        let other: TaskFamily = family == .fourO ? .market : .fourO
        for field in other.requestFields where !family.requestFields.contains(field) && field != "model" && field != "input" {
            var o = try #require(Self.minimal[family])
            o[field] = .bool(true)
            let e = error(o)
            #expect(e?.field == field && e?.message.contains("unknown field") == true, "\(family) \(field)")
        }
    }

    @Test(arguments: TaskFamily.allCases)
    func eachRequiredFieldMissingIsRefusedByName(_ family: TaskFamily) throws {
        for field in family.requiredFields {
            var o = try #require(Self.minimal[family])
            o[field] = nil
            #expect(error(o)?.field == field, "\(family) \(field)")
        }
        #expect(family.requiredFields.allSatisfy(family.requestFields.contains))
    }
}
