import ArgumentParser
import CampaignCore
import Foundation
import Store

struct TestProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "testprofile",
        abstract: "Manage test profiles used for previews and proofs.",
        discussion: """
        A test profile is a fake recipient: an address and the event data a preview or a proof \
        renders with. The event data is a JSON object keyed by trigger field names; an optional \
        "profile" object gives profile fields (firstName, lastName, locale, attributes).
        """,
        subcommands: [Add.self, List.self, Show.self, Remove.self]
    )
}

struct TestProfileReport: Report {
    var profile: TestProfile

    func encode(to encoder: Encoder) throws { try profile.encode(to: encoder) }

    func renderText() -> String {
        Terminal.fields([("name", profile.name), ("email", profile.email ?? "-"), ("phone", profile.phone ?? "-"),
                         ("trigger", profile.triggerId ?? "-")])
            + "\n--- event data\n" + ((try? JSONValue.prettyText(.object(profile.eventData))) ?? "")
    }
}

struct TestProfileListReport: Report {
    var testProfiles: [TestProfile]

    func renderText() -> String {
        Terminal.table(["NAME", "EMAIL", "PHONE", "TRIGGER", "FIELDS"], testProfiles.map {
            [$0.name, $0.email ?? "", $0.phone ?? "", $0.triggerId ?? "", $0.eventData.keys.sorted().joined(separator: ",")]
        })
    }
}

extension TestProfileCommand {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a test profile with its event data.",
            discussion: """
            With --trigger, the event data is checked against that trigger's fields: a field the \
            trigger does not define is refused, naming it. Previews and proofs check it again \
            against the trigger they render. --event-data - reads standard input.

            EXAMPLES:
              campaignctl testprofile add alice --email alice@example.com \\
                  --event-data alice.json --trigger cartAbandonment
              echo '{"productName":"Red shoes","profile":{"firstName":"Bob"}}' | \\
                  campaignctl testprofile add bob --email bob@example.com --phone +33612345678 --event-data -
            """
        )

        @Argument(help: "The test profile name: letters, digits, '_', '-' or '.'.")
        var name: String
        @Option(help: ArgumentHelp("Where email proofs go.", valueName: "address"))
        var email: String?
        @Option(help: ArgumentHelp("Where SMS proofs go (digits, optional leading '+').", valueName: "number"))
        var phone: String?
        @Option(name: .customLong("event-data"), help: ArgumentHelp("A JSON object file of event fields, or '-'.", valueName: "file"),
                completion: .file(extensions: ["json"]))
        var eventData: String
        @Option(help: ArgumentHelp("The trigger event the data is for (checked against its fields).", valueName: "id"))
        var trigger: String?

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            if let email, email.contains(where: { $0.isWhitespace || $0.isNewline }) || email.split(separator: "@").count != 2 {
                throw CampaignError(.usage, "invalid --email '\(email)': expected name@example.com")
            }
            if let phone {
                let digits = phone.hasPrefix("+") ? phone.dropFirst() : Substring(phone)
                guard (3...15).contains(digits.count), digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else {
                    throw CampaignError(.usage, "invalid --phone '\(phone)': expected digits with an optional leading '+', e.g. +33612345678")
                }
            }
            let data = try CatalogFiles.readJSONObject(eventData, what: "event data")
            let (_, store) = try instanceOptions.openStore()
            let profile = try store.addTestProfile(TestProfile(name: name, email: email, phone: phone, eventData: data,
                                                               triggerId: trigger, createdAt: Date()))
            try output.emit(TestProfileReport(profile: profile))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the test profiles.",
            discussion: """
            EXAMPLES:
              campaignctl testprofile list
              campaignctl testprofile list --json
            """
        )

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            try output.emit(TestProfileListReport(testProfiles: try store.testProfiles()))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a test profile and its event data.",
            discussion: """
            EXAMPLES:
              campaignctl testprofile show alice
              campaignctl testprofile show alice --json
            """
        )

        @Argument(help: "The test profile name.")
        var name: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            try output.emit(TestProfileReport(profile: try store.testProfile(name: name)))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a test profile.",
            discussion: """
            Proofs already sent keep their record of it.

            EXAMPLES:
              campaignctl testprofile remove alice
            """
        )

        @Argument(help: "The test profile name.")
        var name: String

        @OptionGroup var instanceOptions: InstanceOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            try store.removeTestProfile(name: name)
            Terminal.note("removed test profile '\(name)'")
        }
    }
}
