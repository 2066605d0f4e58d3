import ArgumentParser

struct AccountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account",
        abstract: "External accounts for delivery (SMPP for SMS).",
        subcommands: []
    )
}
