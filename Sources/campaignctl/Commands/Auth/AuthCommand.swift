import ArgumentParser

struct AuthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Manage Adobe IMS credentials and bind one to the instance.",
        subcommands: []
    )
}
