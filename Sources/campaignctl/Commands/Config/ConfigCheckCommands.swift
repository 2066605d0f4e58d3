import ArgumentParser
import CampaignCore
import Foundation
import Pipeline

extension ConfigCommand {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the effective configuration and list every problem.",
            discussion: """
            Checks serverConf.xml and config-INSTANCE.xml together: unknown <pipelined> \
            attributes (with the nearest known name), values of the wrong type (Boolean, Long, \
            URL, HH:MM:SS time, authType), port range, and the memory warning/alert pair. \
            Prints every problem with file:line:column and exits with status 78 when there is \
            at least one (65 when a file is not well-formed XML).

            EXAMPLES:
              campaignctl config validate
              campaignctl config validate --json --instance prod
            """
        )

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let layout = try instanceOptions.layout()
            let problems = try InstanceConfig.load(layout).problems()
            try output.emit(ConfigValidateReport(instance: layout.name, valid: problems.isEmpty, problems: problems))
            if !problems.isEmpty {
                throw CampaignError.configuration(
                    "\(problems.count) problem\(problems.count == 1 ? "" : "s") in the configuration of instance \(layout.name)",
                    hint: "fix them with campaignctl config set/unset, or edit \(layout.configFile.path)")
            }
        }
    }

    struct Reload: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask the running pipelined to re-read the configuration.",
            discussion: """
            Validates the configuration first (problems: exit 78, nothing is sent), then sends \
            SIGHUP to the pipelined process that holds var/INSTANCE/pipelined.lock. When no \
            pipelined runs for the instance, exits with status 69: the configuration is read \
            at start anyway.

            EXAMPLES:
              campaignctl config reload
              campaignctl config reload --instance prod --json
            """
        )

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let layout = try instanceOptions.layout()
            let problems = try InstanceConfig.load(layout).problems()
            guard problems.isEmpty else {
                for problem in problems { Terminal.note(problem.description) }
                throw CampaignError.configuration(
                    "not reloading: \(problems.count) problem\(problems.count == 1 ? "" : "s") in the configuration of instance \(layout.name)",
                    hint: "see campaignctl config validate")
            }
            let pid = try ConfigReload.request(layout)
            if !output.json { Terminal.note("asked pipelined (pid \(pid)) of instance \(layout.name) to reload its configuration") }
            try output.emit(ConfigReloadReport(instance: layout.name, pid: Int(pid), signal: "SIGHUP"))
        }
    }
}
