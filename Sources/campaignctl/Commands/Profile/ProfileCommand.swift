import ArgumentParser
import CampaignCore
import Foundation
import Pipeline
import Store

struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Import and inspect profiles.",
        subcommands: [Import.self, List.self, Show.self, Delete.self]
    )
}

extension ProfileFileFormat: ExpressibleByArgument {}
extension ProfileAlias: ExpressibleByArgument {}

/// One profile as a table row or key/value lines.
enum ProfileText {
    static let header = ["ID", "EMAIL", "PHONE", "FIRST NAME", "LAST NAME", "CUSTOMER ID", "MC ID"]

    static func row(_ p: Profile) -> [String] {
        [String(p.id), p.email ?? "", p.phone ?? "", p.firstName ?? "", p.lastName ?? "", p.customerId ?? "", p.mcId ?? ""]
    }

    static func fields(_ p: Profile) -> String {
        var pairs: [(String, String)] = [("id", String(p.id))]
        for field in ProfileField.allCases { pairs.append((field.rawValue, p.value(of: field) ?? "")) }
        for name in p.attributes.keys.sorted() { pairs.append(("attributes.\(name)", p.attributes[name]!.displayText)) }
        pairs.append(("createdAt", Terminal.timestamp(p.createdAt)))
        pairs.append(("updatedAt", Terminal.timestamp(p.updatedAt)))
        return Terminal.fields(pairs)
    }
}

struct ProfileImportReport: Report {
    var summary: ProfileImportSummary

    func encode(to encoder: Encoder) throws { try summary.encode(to: encoder) }

    func renderText() -> String {
        var pairs = [("file", summary.file), ("format", summary.format.rawValue), ("key", summary.key.rawValue),
                     ("records", String(summary.records)), ("inserted", String(summary.inserted)),
                     ("updated", String(summary.updated)), ("rejected", String(summary.rejected))]
        if let rejectFile = summary.rejectFile { pairs.append(("reject file", rejectFile)) }
        return Terminal.fields(pairs)
    }
}

struct ProfileListReport: Report {
    var profiles: [Profile]
    var total: Int

    func renderText() -> String {
        var text = Terminal.table(ProfileText.header, profiles.map(ProfileText.row))
        if total > profiles.count { text += "\n(\(profiles.count) of \(total) profiles; raise --limit to see more)" }
        return text
    }
}

struct ProfileReport: Report {
    var profile: Profile

    func renderText() -> String { ProfileText.fields(profile) }
}

extension ProfileCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import profiles from a CSV or JSON-lines file, updating those already there.",
            discussion: """
            CSV files start with a header row (RFC 4180: quoted fields may hold commas, quotes and \
            line breaks; CRLF or LF; a UTF-8 byte order mark is skipped). JSON-lines files hold one \
            object per line. The known columns, matched without regard to case, are email, phone, \
            firstName, lastName, locale, mcId, visitorId and customerId; every other column is kept \
            as an attribute of the profile.

            Each record is upserted by the --key column (default email): a record whose key matches \
            a profile updates the columns the file carries (an empty cell clears one; attributes are \
            merged), otherwise it creates a profile. A key that already matches several profiles is \
            an error for that record.

            Every bad record (invalid email or phone, wrong number of fields, broken UTF-8, missing \
            key, malformed JSON) is reported on stderr as FILE:LINE, LINE being the line where the \
            record starts. By default nothing is written when any record is bad (exit 65). With \
            --skip-invalid the valid records are imported and the bad ones written to a reject file \
            (default NAME.rejects.EXT next to the input): for CSV the original header and lines with \
            two more columns, _line and _reason; for JSON lines one {"line","reason","text"} object \
            per rejected line.

            The file is streamed in bounded memory: imports of millions of records are fine. FILE \
            may be - for standard input (then pass --format).

            EXAMPLES:
              campaignctl profile import customers.csv
              campaignctl profile import crm-export.jsonl --key customerId
              campaignctl profile import customers.csv --skip-invalid --reject-file bad.csv --json
              zcat big.csv.gz | campaignctl profile import - --format csv
            """
        )

        @Argument(help: ArgumentHelp("The CSV or JSON-lines file, or - for standard input.", valueName: "file"),
                  completion: .file(extensions: ["csv", "jsonl", "ndjson"]))
        var file: String

        @Option(help: ArgumentHelp("csv or jsonl (default: from the file's extension).", valueName: "format"))
        var format: ProfileFileFormat?

        @Option(help: ArgumentHelp("The column that identifies a profile: email, customerId, mcId, visitorId or phone.", valueName: "column"))
        var key: ProfileAlias = .email

        @Flag(help: "Import the valid records and write the bad ones to a reject file.")
        var skipInvalid = false

        @Option(help: ArgumentHelp("Where --skip-invalid writes the bad records (default: NAME.rejects.EXT next to FILE).", valueName: "file"),
                completion: .file())
        var rejectFile: String?

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if rejectFile != nil && !skipInvalid {
                throw ValidationError("--reject-file needs --skip-invalid")
            }
        }

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            let skipInvalid = skipInvalid
            var shown = 0
            let summary = try ProfileImporter.run(
                ProfileImportRequest(path: file, format: format, key: key, skipInvalid: skipInvalid, rejectFile: rejectFile),
                store: store,
                onProblem: { problem in
                    // Without --skip-invalid every problem is listed; with
                    // it, the reject file holds them all.
                    shown += 1
                    if !skipInvalid || shown <= 20 {
                        Terminal.note("\(file == "-" ? "<stdin>" : file):\(problem.line): " + (problem.field.map { "\($0): " } ?? "") + problem.message)
                    } else if shown == 21 {
                        Terminal.note("… more in the reject file")
                    }
                })
            try output.emit(ProfileImportReport(summary: summary))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List profiles, oldest first.",
            discussion: """
            --json prints {"profiles": [...], "total": N}, total being every profile in the store.

            EXAMPLES:
              campaignctl profile list
              campaignctl profile list --limit 1000 --json
            """
        )

        @Option(help: ArgumentHelp("Show at most this many profiles.", valueName: "n"))
        var limit = 100

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if limit < 0 { throw ValidationError("--limit must be 0 or more") }
        }

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            let page = try store.listProfiles(limit: limit)
            try output.emit(ProfileListReport(profiles: page.profiles, total: page.total))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one profile, by id, email or alias.",
            discussion: """
            Without --by, an all-digit value is tried as an id first, a value with '@' is an email, \
            and anything else is looked up as customerId, mcId, visitorId, then phone. A value that \
            matches several profiles is an error listing their ids.

            EXAMPLES:
              campaignctl profile show 42
              campaignctl profile show ada@example.com --json
              campaignctl profile show C-1001 --by customerId
            """
        )

        @Argument(help: ArgumentHelp("An id, an email, or an alias value.", valueName: "key-or-id"))
        var identifier: String

        @Option(help: ArgumentHelp("Look the value up in this column only: email, customerId, mcId, visitorId or phone.", valueName: "column"))
        var by: ProfileAlias?

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            try output.emit(ProfileReport(profile: try store.profile(identifiedBy: identifier, alias: by)))
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete one profile, by id or by email.",
            discussion: """
            An email that matches several profiles is refused; delete them by id.

            EXAMPLES:
              campaignctl profile delete 42
              campaignctl profile delete --email ada@example.com --json
            """
        )

        @Argument(help: ArgumentHelp("The profile's id.", valueName: "id"))
        var id: Int64?

        @Option(help: ArgumentHelp("Delete the profile with this email instead.", valueName: "address"))
        var email: String?

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if (id == nil) == (email == nil) { throw ValidationError("give either a profile id or --email") }
        }

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            let deleted = try email.map { try store.deleteProfile(identifiedBy: $0, alias: .email) }
                ?? store.deleteProfile(id: id!)
            if !output.json { Terminal.note("deleted profile \(deleted.id)") }
            try output.emit(ProfileReport(profile: deleted))
        }
    }
}
