import ArgumentParser
import CampaignCore
import Foundation
import Pipeline

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Read, change and check the instance XML config (config-INSTANCE.xml).",
        discussion: """
        The <pipelined> settings of an instance come from HOME/conf/config-INSTANCE.xml, \
        else HOME/conf/serverConf.xml (defaults shared by every instance), else the \
        built-in default. Keys are written pipelined.ATTRIBUTE.

        'config set' and 'config unset' edit config-INSTANCE.xml in place: only the bytes of \
        that attribute change (comments, order and indentation stay), the file is replaced \
        atomically and the previous version is kept as config-INSTANCE.xml.bak. A value is \
        checked before anything is written.

        A config file that is empty, not well-formed XML, or that has a DOCTYPE or entity \
        declarations is refused with file:line:column and exit status 65.

        EXAMPLES:
          campaignctl config show --effective
          campaignctl config set pipelined.monitorServerPort 7782
          campaignctl config validate && campaignctl config reload
        """,
        subcommands: [Show.self, Get.self, SetKey.self, Unset.self, Validate.self, Reload.self, Seal.self]
    )
}

extension ConfigCommand {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the <pipelined> settings of the instance.",
            discussion: """
            Without --effective, lists the attributes written in config-INSTANCE.xml (the \
            instance's overrides, unknown ones included). With --effective, lists every \
            <pipelined> attribute with the value pipelined uses and its SOURCE: instance \
            (config-INSTANCE.xml), serverConf (serverConf.xml), default (built in) or unset. \
            Sealed secrets are never printed.

            EXAMPLES:
              campaignctl config show
              campaignctl config show --effective
              campaignctl config show --effective --json --instance prod
            """
        )

        @Flag(name: .long, help: "Every attribute with its effective value and where it comes from.")
        var effective = false

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let layout = try instanceOptions.layout()
            let config = try InstanceConfig.load(layout)
            let settings = effective ? config.effectiveSettings : config.instanceSettings
            if !effective, settings.isEmpty, !output.json {
                Terminal.note("config-\(layout.name).xml overrides nothing; see: campaignctl config show --effective")
            }
            try output.emit(ConfigShowReport(instance: layout.name, effective: effective,
                                             instanceFile: layout.configFile.path,
                                             serverConfFile: config.serverConfDocument?.path,
                                             settings: settings))
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the effective value of one setting.",
            discussion: """
            Prints the bare value (nothing when unset) so that scripts can use it; --json adds \
            its source, kind and default. An unknown attribute fails with the nearest known name.

            EXAMPLES:
              campaignctl config get pipelined.monitorServerPort
              campaignctl config get pipelined.authType --json
            """
        )

        @Argument(help: ArgumentHelp("The setting, as pipelined.ATTRIBUTE.", valueName: "key"))
        var key: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let setting = try InstanceConfig.get(try instanceOptions.layout(), key: key)
            if setting.source == .unset, !output.json { Terminal.note("\(setting.key) is not set") }
            try output.emit(setting)
        }
    }
}
