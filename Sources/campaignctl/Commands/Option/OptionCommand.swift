import ArgumentParser
import CampaignCore
import Foundation
import Store

struct OptionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "option",
        abstract: "Read and override instance options such as NmsPipeline_Config.",
        discussion: """
        NmsPipeline_Config tells the pipeline daemon which topics to read, under which \
        consumer name, and which Analytics triggers to keep (their TriggerType UIDs, or '*'). \
        Publishing or unpublishing a trigger event rewrites its "triggers" topic from the \
        published trigger events, keeping the consumer, the other topics and any jsConnector.
        """,
        subcommands: [Get.self, Set.self]
    )
}

struct OptionReport: Report {
    var name: String
    /// The parsed value for JSON options, else the text.
    var value: JSONValue
    var updatedAt: Date

    init(_ option: StoredOption) {
        name = option.name
        value = (try? JSONValue.parse(option.value)) ?? .string(option.value)
        updatedAt = option.updatedAt
    }

    func renderText() -> String {
        if case .string(let s) = value { return s }
        return (try? JSONValue.prettyText(value)) ?? ""
    }
}

extension OptionCommand {
    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print an option's value.",
            discussion: """
            Prints the value itself (the JSON text for NmsPipeline_Config); --json wraps it with \
            its name and last change.

            EXAMPLES:
              campaignctl option get NmsPipeline_Config
              campaignctl option get NmsPipeline_Config --json
            """
        )

        @Argument(help: "The option name, e.g. NmsPipeline_Config.")
        var name: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            try output.emit(OptionReport(try store.option(name: name)))
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Override an option's value from a file or standard input.",
            discussion: """
            NmsPipeline_Config must be valid JSON of the documented shape; an invalid value is \
            refused with its line and column (or the member at fault) and nothing changes. \
            Adobe's sample texts carry '//' comments and a trailing comma: remove them. The next \
            trigger publish or unpublish rewrites the "triggers" list of the "triggers" topic.

            EXAMPLES:
              campaignctl option set NmsPipeline_Config --file pipeline.json
              echo '{"topics":[{"name":"triggers","consumer":"prod","triggers":[{"name":"*"}]}]}' | \\
                  campaignctl option set NmsPipeline_Config --file -
            """
        )

        @Argument(help: "The option name, e.g. NmsPipeline_Config.")
        var name: String
        @Option(help: ArgumentHelp("The file holding the value, or '-' for standard input.", valueName: "file"), completion: .file())
        var file: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let text = try CatalogFiles.readText(file, what: "option file")
            let (_, store) = try instanceOptions.openStore()
            let option: StoredOption
            do {
                option = try store.setOption(name: name, value: text)
            } catch var error as CampaignError where error.status == .dataError {
                error.message = "\(CatalogFiles.displayName(file)): \(error.message)"
                throw error
            }
            if !output.json { Terminal.note("option \(name) set") }
            try output.emit(OptionReport(option))
        }
    }
}
