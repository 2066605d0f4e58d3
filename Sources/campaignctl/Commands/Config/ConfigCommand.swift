import ArgumentParser

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Read, change and check the instance XML config (config-INSTANCE.xml).",
        subcommands: []
    )
}
