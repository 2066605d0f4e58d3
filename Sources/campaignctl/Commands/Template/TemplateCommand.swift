import ArgumentParser

struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Edit, check, proof and publish transactional templates.",
        subcommands: []
    )
}
