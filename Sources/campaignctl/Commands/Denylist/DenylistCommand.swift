import ArgumentParser

struct DenylistCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "denylist",
        abstract: "Addresses that are never sent to.",
        subcommands: []
    )
}
