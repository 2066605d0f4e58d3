import ArgumentParser

struct OptionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "option",
        abstract: "Read and override instance options such as NmsPipeline_Config.",
        subcommands: []
    )
}
