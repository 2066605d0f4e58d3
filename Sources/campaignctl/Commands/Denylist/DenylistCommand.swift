import ArgumentParser
import CampaignCore
import Foundation
import Store

struct DenylistCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "denylist",
        abstract: "Addresses that are never sent to.",
        subcommands: [Add.self, Remove.self, List.self]
    )
}

struct DenylistReport: Report {
    var entries: [DenylistEntry]

    func renderText() -> String {
        Terminal.table(["ADDRESS", "CHANNEL", "ADDED", "REASON"],
                       entries.map { [$0.address, $0.channel.rawValue, Terminal.timestamp($0.addedAt), $0.reason ?? ""] })
    }
}

struct DenylistChangeReport: Report {
    var entry: DenylistEntry
    /// add: false when the address was already there. remove: always true.
    var changed: Bool

    func renderText() -> String {
        Terminal.fields([("address", entry.address), ("channel", entry.channel.rawValue),
                         ("reason", entry.reason ?? ""), ("added", Terminal.timestamp(entry.addedAt))])
    }
}

extension DenylistCommand {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put an email address or a phone number on the denylist.",
            discussion: """
            Addresses are normalised: emails are lowercased, phone numbers keep their digits after \
            a '+' (spaces, dashes, dots and parentheses are dropped). Adding an address that is \
            already there keeps its date and replaces its reason when one is given.

            EXAMPLES:
              campaignctl denylist add Ada@Example.com --reason "asked by phone"
              campaignctl denylist add "+33 6 12-34-56-78"
            """
        )

        @Argument(help: ArgumentHelp("An email address or a phone number.", valueName: "address"))
        var address: String

        @Option(help: ArgumentHelp("Why the address is denied.", valueName: "text"))
        var reason: String?

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            let (entry, added) = try store.addToDenylist(address, reason: reason)
            if !output.json { Terminal.note(added ? "added \(entry.address) to the denylist" : "\(entry.address) was already on the denylist") }
            try output.emit(DenylistChangeReport(entry: entry, changed: added))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take an address off the denylist.",
            discussion: """
            The address is normalised as by 'denylist add', so any spelling of it works.

            EXAMPLES:
              campaignctl denylist remove ada@example.com
              campaignctl denylist remove +33612345678 --json
            """
        )

        @Argument(help: ArgumentHelp("An email address or a phone number.", valueName: "address"))
        var address: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            let entry = try store.removeFromDenylist(address)
            if !output.json { Terminal.note("removed \(entry.address) from the denylist") }
            try output.emit(DenylistChangeReport(entry: entry, changed: true))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the denylist.",
            discussion: """
            --json prints {"entries": [{"address", "channel", "reason", "addedAt"}]}.

            EXAMPLES:
              campaignctl denylist list
              campaignctl denylist list --json
            """
        )

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            try output.emit(DenylistReport(entries: try store.denylist()))
        }
    }
}
