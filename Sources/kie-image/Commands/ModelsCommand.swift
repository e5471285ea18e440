import ArgumentParser
import KieImage

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the Market model presets the library validates, with their fields and prices.",
        discussion: """
            A preset's request is checked before anything is sent (field types, enums, required \\
            fields, limits, resolution x aspect-ratio rules); any other model id is sent with its \\
            input as given. Prices are kie's credits per image (docs/models.md).

            EXAMPLES:
              kie-image models
              kie-image models --json
            """
    )

    @Flag(help: "Print the whole catalog as JSON (the same as kie_models in C).")
    var json = false

    func run() throws {
        guard !json else {
            Console.out(JSON.serialize(ModelCatalog.json))
            return
        }
        for preset in ModelPresets.all {
            let prices = preset.prices.map { "\($0.value) \(JSON.serialize(.double($0.credits)))" }.joined(separator: ", ")
            Console.out("\(preset.model)  (\(preset.name), \(preset.kind.rawValue))")
            for field in preset.fields {
                var line = "    \(field.name)\(field.required ? " (required)" : "")"
                switch field.kind {
                case .choice(let values): line += ": " + values.joined(separator: " ")
                case .text(_, let maxLength): line += maxLength.map { ": text, at most \($0) characters" } ?? ": text"
                case .urls(let maxItems, _): line += ": up to \(maxItems) image URLs"
                }
                if let d = field.defaultValue { line += " [default \(d)]" }
                Console.out(line)
            }
            Console.out("    credits per image by \(preset.priceField): \(prices)")
        }
    }
}
