import ArgumentParser
import CampaignCore
import Foundation
import Pipeline

struct InstanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instance",
        abstract: "Create and list instances.",
        subcommands: [Init.self, List.self]
    )
}

struct InstanceListReport: Report {
    var instances: [InstanceSummary]

    func renderText() -> String {
        Terminal.table(["NAME", "CONFIG", "STORE"], instances.map { [$0.name, $0.configFile, $0.storeFile] })
    }
}

extension InstanceCommand {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an instance: its XML config, its store and its instance key.",
            discussion: """
            Creates HOME/conf/serverConf.xml (if missing) with the default of every <pipelined> \
            attribute, HOME/conf/config-NAME.xml for the instance's overrides, and HOME/var/NAME/ \
            with the SQLite store and a random 256-bit instance key (mode 0600).

            EXAMPLES:
              campaignctl instance init prod
              campaignctl instance init staging --home /srv/campaignctl
            """
        )

        @Argument(help: "The instance name: letters, digits, '_' or '-'.")
        var name: String

        @OptionGroup var homeOptions: HomeOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let summary = try Instances.initialize(InstanceLayout(home: homeOptions.homeURL, name: name))
            if !output.json { Terminal.note("created instance '\(summary.name)'") }
            try output.emit(InstanceListReport(instances: [summary]))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the instances under the home folder.",
            discussion: """
            EXAMPLES:
              campaignctl instance list
              campaignctl instance list --json
            """
        )

        @OptionGroup var homeOptions: HomeOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try output.emit(InstanceListReport(instances: Instances.list(home: homeOptions.homeURL)))
        }
    }
}
