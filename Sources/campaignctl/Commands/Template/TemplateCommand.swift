import ArgumentParser
import CampaignCore
import Foundation
import Pipeline
import Store

struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Edit, check, proof and publish transactional templates.",
        discussion: """
        Each trigger event has one transactional template, created when the trigger is first \
        published. Its draft is edited freely; publishing checks it and freezes an immutable \
        version, which is what gets sent until the next publish. Lifecycle: draft → published \
        ⇄ paused → draft (unpublish, which also unpublishes the trigger event).

        Personalization is Mustache: {{event.NAME}} (the trigger's fields; loop over lists with \
        {{#event.products}}…{{/event.products}}), {{profile.firstName}} (email, phone, \
        firstName, lastName, locale, attributes.NAME), {{trigger.id}}, {{trigger.label}} and \
        {{unsubscribeUrl}}. Values are HTML-escaped in the HTML part only.
        """,
        subcommands: [Edit.self, Show.self, History.self, Check.self, Preview.self, Proof.self, Proofs.self,
                      Publish.self, Pause.self, Resume.self, Unpublish.self]
    )
}

struct TemplateReport: Report {
    var triggerId: String
    var channel: Channel
    var status: TemplateStatus
    var draft: TemplateContent
    var draftRevision: Int
    var publishedVersion: Int?
    var modifiedSincePublication: Bool
    var createdAt: Date
    var updatedAt: Date

    init(_ t: TransactionalTemplate) {
        triggerId = t.triggerId
        channel = t.channel
        status = t.status
        draft = t.draft
        draftRevision = t.draftRevision
        publishedVersion = t.publishedVersion
        modifiedSincePublication = t.modifiedSincePublication
        createdAt = t.createdAt
        updatedAt = t.updatedAt
    }

    func renderText() -> String {
        var status = self.status.rawValue
        if let publishedVersion { status += " (version \(publishedVersion)\(modifiedSincePublication ? ", draft modified since" : ""))" }
        return Terminal.fields([("trigger", triggerId), ("channel", channel.rawValue), ("status", status),
                                ("draft revision", String(draftRevision))])
            + "\n\n--- draft\n" + ContentText.render(draft, channel: channel)
    }
}

enum ContentText {
    static func render(_ c: TemplateContent, channel: Channel) -> String {
        var lines: [String] = []
        switch channel {
        case .email:
            lines.append(Terminal.fields([("subject", c.subject ?? "-"), ("from", c.from ?? "-"), ("reply-to", c.replyTo ?? "-")]))
            lines.append("--- html\n" + (c.html ?? ""))
            lines.append("--- text\n" + (c.text ?? ""))
        case .sms:
            lines.append(Terminal.fields([("from", c.from ?? "-")]))
            lines.append("--- sms\n" + (c.smsText ?? ""))
        }
        return lines.joined(separator: "\n")
    }
}

struct TemplateVersionReport: Report {
    var triggerId: String
    var version: Int
    var draftRevision: Int
    var publishedAt: Date
    var content: TemplateContent
    var channel: Channel

    func renderText() -> String {
        Terminal.fields([("trigger", triggerId), ("version", String(version)), ("published at", Terminal.timestamp(publishedAt))])
            + "\n\n" + ContentText.render(content, channel: channel)
    }
}

struct TemplateHistoryReport: Report {
    struct Entry: Encodable {
        var version: Int
        var draftRevision: Int
        var publishedAt: Date
        var current: Bool
        var subject: String?
    }
    var triggerId: String
    var status: TemplateStatus
    var versions: [Entry]

    func renderText() -> String {
        Terminal.table(["VERSION", "PUBLISHED AT", "REVISION", "SUBJECT"], versions.map {
            ["\($0.version)\($0.current ? " *" : "")", Terminal.timestamp($0.publishedAt), String($0.draftRevision), $0.subject ?? ""]
        })
    }
}

struct TemplateCheckReport: Report {
    var triggerId: String
    var ok: Bool
    var issues: [TemplateIssue]
    var smsCharacters: Int?
    var sms: SMSAnalysis?

    func renderText() -> String {
        var lines = issues.map { "\($0.severity.rawValue): \($0)" }
        if let smsCharacters, let sms {
            lines.append("SMS length: \(smsCharacters) characters, \(sms.encoding == .gsm7 ? "GSM-7" : "UCS-2"), \(sms.segments) segment\(sms.segments == 1 ? "" : "s") (before personalization)")
        }
        if ok { lines.append("template '\(triggerId)': the draft passes every check") }
        return lines.joined(separator: "\n")
    }
}

struct PreviewReport: Report {
    var preview: TemplatePreview

    func encode(to encoder: Encoder) throws { try preview.encode(to: encoder) }

    func renderText() -> String {
        let m = preview.message
        var pairs: [(String, String)] = [("to", preview.to ?? "-")]
        if let from = m.from { pairs.append(("from", from)) }
        if let replyTo = m.replyTo { pairs.append(("reply-to", replyTo)) }
        if let subject = m.subject { pairs.append(("subject", subject)) }
        var text = Terminal.fields(pairs)
        if let t = m.text { text += "\n--- text\n" + t }
        if let h = m.html { text += "\n--- html\n" + h }
        if let s = m.smsText, let a = m.sms {
            text += "\n--- sms (\(m.smsCharacters ?? 0) characters, \(a.encoding == .gsm7 ? "GSM-7" : "UCS-2"), \(a.segments) segment\(a.segments == 1 ? "" : "s"))\n" + s
        }
        for w in preview.warnings { text += "\nwarning: \(w)" }
        return text
    }
}

struct ProofReport: Report {
    var proof: CampaignCore.Proof

    func encode(to encoder: Encoder) throws { try proof.encode(to: encoder) }

    func renderText() -> String {
        "proof #\(proof.number) of '\(proof.triggerId)' (draft revision \(proof.draftRevision))\n"
            + Terminal.table(["TEST PROFILE", "ADDRESS", "RESULT", "DETAIL"],
                             proof.recipients.map { [$0.testProfile, $0.address, $0.result, $0.detail ?? ""] })
    }
}

struct ProofListReport: Report {
    var proofs: [CampaignCore.Proof]

    func renderText() -> String {
        Terminal.table(["#", "SENT AT", "REVISION", "RECIPIENTS", "SENT"], proofs.map {
            ["\($0.number)", Terminal.timestamp($0.sentAt), String($0.draftRevision),
             $0.recipients.map { "\($0.testProfile) <\($0.address)>" }.joined(separator: ", "),
             "\($0.recipients.filter { $0.result == "sent" }.count)/\($0.recipients.count)"]
        })
    }
}

extension TemplateCommand {
    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a template's draft.",
            discussion: """
            Only the given parts change. Email templates take --subject, --from, --reply-to, \
            --html-file and --text-file; SMS templates take --sms-text-file (and --from for the \
            sender id). The published version is never changed: publish again to send the new draft. \
            A file of '-' is read from standard input.

            EXAMPLES:
              campaignctl template edit cartAbandonment --subject "{{profile.firstName}}, your cart is waiting" \\
                  --from "Shop <shop@example.com>" --html-file cart.html --text-file cart.txt
              campaignctl template edit smsReminder --sms-text-file reminder.txt
            """
        )

        @Argument(help: "The trigger event id.")
        var trigger: String

        @Option(help: "The subject (Mustache; no line breaks).")
        var subject: String?
        @Option(help: ArgumentHelp("The sender address (email) or sender id (SMS).", valueName: "address"))
        var from: String?
        @Option(name: .customLong("reply-to"), help: ArgumentHelp("The Reply-To address.", valueName: "address"))
        var replyTo: String?
        @Option(name: .customLong("html-file"), help: ArgumentHelp("The HTML part.", valueName: "file"), completion: .file())
        var htmlFile: String?
        @Option(name: .customLong("text-file"), help: ArgumentHelp("The plain-text part.", valueName: "file"), completion: .file())
        var textFile: String?
        @Option(name: .customLong("sms-text-file"), help: ArgumentHelp("The SMS text.", valueName: "file"), completion: .file())
        var smsTextFile: String?

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let stdinUses = [htmlFile, textFile, smsTextFile].filter { $0 == "-" }.count
            if stdinUses > 1 { throw CampaignError(.usage, "only one file can be read from standard input ('-')") }
            let edit = TemplateContent(subject: subject, from: from, replyTo: replyTo,
                                       html: try htmlFile.map { try CatalogFiles.readText($0, what: "HTML file") },
                                       text: try textFile.map { try CatalogFiles.readText($0, what: "text file") },
                                       smsText: try smsTextFile.map { try CatalogFiles.readText($0, what: "SMS text file") })
            let (_, store) = try instanceOptions.openStore()
            let template = try store.editTemplate(triggerId: trigger, edit)
            if !output.json, template.status != .draft {
                Terminal.note("the draft changed; version \(template.publishedVersion ?? 0) is still the one sent until: campaignctl template publish \(trigger)")
            }
            try output.emit(TemplateReport(template))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a template's draft, or one published version.",
            discussion: """
            EXAMPLES:
              campaignctl template show cartAbandonment
              campaignctl template show cartAbandonment --version 2 --json
            """
        )

        @Argument(help: "The trigger event id.")
        var trigger: String
        @Option(help: ArgumentHelp("A published version (see template history).", valueName: "n"))
        var version: Int?

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            if let version {
                let template = try store.template(triggerId: trigger)
                let v = try store.templateVersion(triggerId: trigger, version: version)
                try output.emit(TemplateVersionReport(triggerId: v.triggerId, version: v.version, draftRevision: v.draftRevision,
                                                      publishedAt: v.publishedAt, content: v.content, channel: template.channel))
            } else {
                try output.emit(TemplateReport(try store.template(triggerId: trigger)))
            }
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a template's published versions.",
            discussion: """
            The version being sent (while published or paused) is marked with '*'.

            EXAMPLES:
              campaignctl template history cartAbandonment
              campaignctl template history cartAbandonment --json
            """
        )

        @Argument(help: "The trigger event id.")
        var trigger: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            let template = try store.template(triggerId: trigger)
            let current = template.status == .draft ? nil : template.publishedVersion
            let versions = try store.templateHistory(triggerId: trigger).map {
                TemplateHistoryReport.Entry(version: $0.version, draftRevision: $0.draftRevision, publishedAt: $0.publishedAt,
                                            current: $0.version == current, subject: $0.content.subject)
            }
            try output.emit(TemplateHistoryReport(triggerId: trigger, status: template.status, versions: versions))
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the checks of a proof or a publish on the draft.",
            discussion: """
            Control rules: a subject without control characters, a sender, at least one body, \
            well-formed URLs in href/src, an unsubscribe link ({{unsubscribeUrl}}) in every email \
            part when targeting profiles, the SMS length. Personalization: every {{…}} must name a \
            field of the trigger or of the profile schema; syntax errors are reported with their line.
            Exits 65 when there is an error.

            EXAMPLES:
              campaignctl template check cartAbandonment
              campaignctl template check cartAbandonment --json
            """
        )

        @Argument(help: "The trigger event id.")
        var trigger: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            let check = try TemplateActions.check(store: store, triggerId: trigger)
            try output.emit(TemplateCheckReport(triggerId: trigger, ok: check.errors.isEmpty, issues: check.issues,
                                                smsCharacters: check.smsCharacters, sms: check.sms))
            if !check.errors.isEmpty { throw ExitCode(ExitStatus.dataError.rawValue) }
        }
    }

    struct Preview: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render the draft for a test profile, without sending.",
            discussion: """
            EXAMPLES:
              campaignctl template preview cartAbandonment --test-profile alice
              campaignctl template preview cartAbandonment --test-profile alice --json
            """
        )

        @Argument(help: "The trigger event id.")
        var trigger: String
        @Option(name: .customLong("test-profile"), help: ArgumentHelp("The test profile whose event data is used.", valueName: "name"))
        var testProfile: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            try output.emit(PreviewReport(preview: try TemplateActions.preview(store: store, triggerId: trigger, testProfile: testProfile)))
        }
    }

    struct Proof: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send the draft to test profiles as a proof.",
            discussion: """
            Renders the draft with each test profile's event data and sends it to that profile's \
            address, the subject (or SMS text) prefixed "[Proof #N] " where N counts this \
            template's proofs. At most 100 recipients. Every check of a publish runs first; the \
            proof is recorded with each recipient's result (see template proofs). An empty \
            --label-prefix sends no prefix.

            EXAMPLES:
              campaignctl template proof cartAbandonment --to alice --to bob
              campaignctl template proof cartAbandonment --to alice --label-prefix "Test" --json
            """
        )

        @Argument(help: "The trigger event id.")
        var trigger: String
        @Option(name: .customLong("to"), help: ArgumentHelp("A test profile; repeat for each recipient.", valueName: "testprofile"))
        var recipients: [String] = []
        @Option(name: .customLong("label-prefix"), help: "The subject prefix before '#N'.")
        var labelPrefix = "Proof"

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (layout, store) = try instanceOptions.openStore()
            let proof = try TemplateActions.sendProof(layout: layout, store: store, triggerId: trigger, to: recipients,
                                                      labelPrefix: labelPrefix)
            try output.emit(ProofReport(proof: proof))
            if !proof.recipients.allSatisfy({ $0.result == "sent" }) { throw ExitCode(ExitStatus.unavailable.rawValue) }
        }
    }

    struct Proofs: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the proofs sent for a template, newest first.",
            discussion: """
            EXAMPLES:
              campaignctl template proofs cartAbandonment
              campaignctl template proofs cartAbandonment --json
            """
        )

        @Argument(help: "The trigger event id.")
        var trigger: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            try output.emit(ProofListReport(proofs: try store.proofs(triggerId: trigger)))
        }
    }

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the draft and publish it as a new version.",
            discussion: """
            Needs a published trigger event. Runs every check (see template check); on success \
            the draft is frozen as version N+1, which the daemon sends from now on. From paused, \
            publishing also resumes.

            EXAMPLES:
              campaignctl template publish cartAbandonment
              campaignctl template history cartAbandonment
            """
        )

        @Argument(help: "The trigger event id.")
        var trigger: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            let (template, check) = try TemplateActions.publish(store: store, triggerId: trigger)
            if !output.json {
                for w in check.warnings { Terminal.note("warning: \(w)") }
                Terminal.note("published template '\(trigger)' as version \(template.publishedVersion ?? 0)")
            }
            try output.emit(TemplateReport(template))
        }
    }

    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pause a published template: its events wait instead of being sent.",
            discussion: """
            Waiting events are sent on resume unless their trigger's validity has expired.

            EXAMPLES:
              campaignctl template pause cartAbandonment
              campaignctl template resume cartAbandonment
            """
        )

        @Argument(help: "The trigger event id.")
        var trigger: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            try output.emit(TemplateReport(try store.pauseTemplate(triggerId: trigger)))
        }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resume a paused template.",
            discussion: """
            EXAMPLES:
              campaignctl template resume cartAbandonment
            """
        )

        @Argument(help: "The trigger event id.")
        var trigger: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            try output.emit(TemplateReport(try store.resumeTemplate(triggerId: trigger)))
        }
    }

    struct Unpublish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Unpublish a template (and, as in Adobe Campaign, its trigger event).",
            discussion: """
            The template returns to Draft (its versions are kept) and its trigger event is \
            unpublished too; NmsPipeline_Config no longer lists it. Republish the trigger, then \
            the template.

            EXAMPLES:
              campaignctl template unpublish cartAbandonment
              campaignctl trigger publish cartAbandonment && campaignctl template publish cartAbandonment
            """
        )

        @Argument(help: "The trigger event id.")
        var trigger: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (layout, store) = try instanceOptions.openStore()
            let template = try store.unpublishTemplate(triggerId: trigger, defaultConsumer: layout.name)
            if !output.json { Terminal.note("unpublished template '\(trigger)' and its trigger event") }
            try output.emit(TemplateReport(template))
        }
    }
}
