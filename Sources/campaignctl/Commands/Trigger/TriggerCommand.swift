import ArgumentParser

struct TriggerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trigger",
        abstract: "Create, publish and manage trigger events.",
        subcommands: []
    )
}
