import ArgumentParser

struct TestProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "testprofile",
        abstract: "Manage test profiles used for previews and proofs.",
        subcommands: []
    )
}
