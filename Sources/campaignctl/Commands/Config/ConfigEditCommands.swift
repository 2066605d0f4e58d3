import ArgumentParser
import CampaignCore
import Foundation
import Pipeline

extension ConfigCommand {
    struct SetKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Set a <pipelined> attribute in config-INSTANCE.xml.",
            discussion: """
            Checks the value against the attribute's type first (Boolean: true or false; \
            Long: a whole number of 0 or more; URL: https, or http to a loopback host; \
            Time: HH:MM:SS; authType: imsJwtToken or imsOAuth). A bad value fails with exit \
            status 65 and the file is not touched. Otherwise only the bytes of that attribute \
            change (a new attribute goes after the last one; a missing <pipelined> element is \
            added), the file is replaced atomically and the previous version is kept as \
            config-INSTANCE.xml.bak. A running pipelined applies it after 'config reload'.
            Put '--' before a value that starts with '-'.

            EXAMPLES:
              campaignctl config set pipelined.monitorServerPort 7782
              campaignctl config set pipelined.authType imsOAuth
              campaignctl config set pipelined.processRestartTime 04:30:00 --instance prod
            """
        )

        @Argument(help: ArgumentHelp("The setting, as pipelined.ATTRIBUTE.", valueName: "key"))
        var key: String

        @Argument(help: ArgumentHelp("The new value.", valueName: "value"))
        var value: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let change = try InstanceConfig.set(try instanceOptions.layout(), key: key, value: value)
            if !output.json {
                Terminal.note(change.changed
                    ? "set \(change.key) = \(change.setting.value ?? "") in \(change.file) (previous version: \(change.backup ?? "-"))"
                    : "\(change.key) is already \(change.setting.value ?? ""); \(change.file) unchanged")
            }
            try output.emit(change)
        }
    }

    struct Unset: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a <pipelined> attribute from config-INSTANCE.xml.",
            discussion: """
            Drops the attribute (and the whitespace before it) from config-INSTANCE.xml so that \
            serverConf.xml or the built-in default applies again; every other byte is kept and \
            the previous version is kept as config-INSTANCE.xml.bak. An attribute that is not \
            set there is not an error: nothing changes.

            EXAMPLES:
              campaignctl config unset pipelined.monitorServerPort
              campaignctl config unset pipelined.forcedPipelineEndpoint --json
            """
        )

        @Argument(help: ArgumentHelp("The setting, as pipelined.ATTRIBUTE.", valueName: "key"))
        var key: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let change = try InstanceConfig.unset(try instanceOptions.layout(), key: key)
            if !output.json {
                let now = change.setting.value.map { "now \($0) from \(change.setting.source.rawValue)" } ?? "now unset"
                Terminal.note(change.changed
                    ? "removed \(change.key) from \(change.file) (\(now); previous version: \(change.backup ?? "-"))"
                    : "\(change.key) was not set in \(change.file); nothing changed (\(now))")
            }
            try output.emit(change)
        }
    }
}
