import ArgumentParser
import CampaignCore
import Foundation
import Store

/// Where the instances live: shared by every command.
struct HomeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The campaignctl home folder (default: $CAMPAIGNCTL_HOME, else ~/.local/share/campaignctl).", valueName: "dir"),
            completion: .directory)
    var home: String?

    var homeURL: URL { InstanceLocator.home(explicit: home) }
}

/// The instance a command works on.
struct InstanceOptions: ParsableArguments {
    @OptionGroup var homeOptions: HomeOptions

    @Option(name: .long, help: ArgumentHelp("The instance (default: $CAMPAIGNCTL_INSTANCE, else the only one).", valueName: "name"))
    var instance: String?

    func layout() throws -> InstanceLayout {
        try InstanceLocator.resolve(home: homeOptions.homeURL, explicit: instance)
    }

    func openStore() throws -> (InstanceLayout, InstanceStore) {
        let layout = try layout()
        return (layout, try InstanceStore.open(layout: layout))
    }
}

/// `--json` for every command that prints data.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON document on standard output instead of a table.")
    var json = false

    func emit<R: Report>(_ report: R) throws {
        if json {
            Terminal.writeOut(try Terminal.jsonString(report) + "\n")
        } else {
            let text = report.renderText()
            if !text.isEmpty { Terminal.writeOut(text.hasSuffix("\n") ? text : text + "\n") }
        }
    }
}
