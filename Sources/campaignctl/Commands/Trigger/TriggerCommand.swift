import ArgumentParser
import CampaignCore
import Foundation
import Store

struct TriggerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trigger",
        abstract: "Create, publish and manage trigger events.",
        discussion: """
        A trigger event is the Campaign side of an Experience Cloud trigger: it names the \
        Analytics trigger it takes (its TriggerType UID, or '*'), the channel (email or sms), \
        the targeting (the event's own address field, or a profile found through an alias) \
        and the event fields templates can use. Channel and targeting never change after \
        creation. Publishing creates the trigger's transactional template and keeps the \
        NmsPipeline_Config option in step with the published triggers.
        """,
        subcommands: [Create.self, List.self, Show.self, Edit.self, Delete.self, Publish.self, Unpublish.self, Report_.self]
    )
}

/// A trigger event as printed.
struct TriggerReport: Report {
    var id: String
    var label: String
    var analyticsTriggerId: String
    var channel: Channel
    var targeting: Targeting
    var validitySeconds: Int
    var fields: [TriggerField]
    var emailField: String?
    var phoneField: String?
    var reconcile: Reconciliation?
    var status: TriggerStatus
    var publishedAt: Date?
    var modifiedSincePublication: Bool
    var published: TriggerDefinition?
    var createdAt: Date
    var updatedAt: Date

    init(_ t: TriggerEvent) {
        id = t.id
        label = t.definition.label
        analyticsTriggerId = t.definition.analyticsTriggerId
        channel = t.definition.channel
        targeting = t.definition.targeting
        validitySeconds = t.definition.validitySeconds
        fields = t.definition.fields
        emailField = t.definition.emailField
        phoneField = t.definition.phoneField
        reconcile = t.definition.reconcile
        status = t.status
        publishedAt = t.publishedAt
        modifiedSincePublication = t.modifiedSincePublication
        published = t.published
        createdAt = t.createdAt
        updatedAt = t.updatedAt
    }

    var statusText: String {
        status == .published && modifiedSincePublication ? "published (modified since publication)" : status.rawValue
    }

    func renderText() -> String {
        var pairs: [(String, String)] = [
            ("id", id), ("label", label), ("trigger id", analyticsTriggerId), ("channel", channel.rawValue),
            ("targeting", targeting.rawValue), ("validity", "\(validitySeconds) s"), ("status", statusText),
        ]
        if let publishedAt { pairs.append(("published at", Terminal.timestamp(publishedAt))) }
        if let emailField { pairs.append(("email field", emailField)) }
        if let phoneField { pairs.append(("phone field", phoneField)) }
        if let reconcile { pairs.append(("reconcile", "\(reconcile.alias)=\(reconcile.field)")) }
        var text = Terminal.fields(pairs)
        text += "\n\n" + Terminal.table(["FIELD", "SOURCE", "PICK"], fields.map { [$0.name, $0.source, $0.pick.rawValue] })
        return text
    }
}

struct TriggerListReport: Report {
    var triggers: [TriggerReport]

    func renderText() -> String {
        Terminal.table(["ID", "LABEL", "CHANNEL", "TARGETING", "TRIGGER ID", "STATUS"],
                       triggers.map { [$0.id, $0.label, $0.channel.rawValue, $0.targeting.rawValue, $0.analyticsTriggerId, $0.statusText] })
    }
}

/// The definition flags shared by create and edit.
struct TriggerDefinitionOptions: ParsableArguments {
    @Option(help: "What marketers see, e.g. \"Cart abandonment\".")
    var label: String?

    @Option(name: .customLong("trigger-id"), help: ArgumentHelp("The Analytics TriggerType UID, or '*' for every trigger.", valueName: "uuid|*"))
    var triggerId: String?

    @Option(help: ArgumentHelp("How long after the event a message may still be sent (e.g. 30m, 1h, 2d; at most 3.5d).", valueName: "duration"))
    var validity: String?

    @Option(name: .customLong("field"), help: ArgumentHelp("An event field: NAME=DIMENSION[:first|last|all]; DIMENSION is an Analytics dimension (eVar01, pageName…), mcId, triggerTimestamp or products. Repeat for each field.", valueName: "name=dimension[:pick]"))
    var fields: [String] = []

    @Option(name: .customLong("email-field"), help: ArgumentHelp("The event field holding the address (email, event targeting).", valueName: "name"))
    var emailField: String?

    @Option(name: .customLong("phone-field"), help: ArgumentHelp("The event field holding the mobile number (SMS, event targeting).", valueName: "name"))
    var phoneField: String?

    @Option(help: ArgumentHelp("How to find the profile (profile targeting): ALIAS=FIELD with ALIAS one of mcId, visitorId, declaredId, email.", valueName: "alias=field"))
    var reconcile: String?

    func edit() throws -> TriggerEdit {
        TriggerEdit(label: label, analyticsTriggerId: triggerId,
                    validitySeconds: try validity.map(TriggerDefinition.parseDuration),
                    fields: fields.isEmpty ? nil : try fields.map(TriggerField.parse),
                    emailField: emailField, phoneField: phoneField, reconcile: try reconcile.map(Reconciliation.parse))
    }
}

extension TriggerCommand {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a trigger event (in Draft).",
            discussion: """
            --trigger-id links the Experience Cloud trigger (its TriggerType UID, or '*' for all). \
            --channel and --targeting are fixed for the life of the trigger. Event targeting takes \
            the address from an event field (--email-field / --phone-field); profile targeting \
            finds the profile through an alias (--reconcile). Fields map Analytics dimensions of \
            enrichments.analyticsHitSummary.dimensions (or mcId, triggerTimestamp, products) to \
            names templates use as {{event.NAME}}; :first/:last keep one hit's value (default \
            last), :all keeps the list.

            EXAMPLES:
              campaignctl trigger create cartAbandonment --label "Cart abandonment" \\
                  --trigger-id 3e8a2ba7-fccc-49bb-bdac-33ee33cf02bf --channel email --targeting event \\
                  --field email=eVar01 --field productName=eVar02:first --field products=products \\
                  --email-field email --validity 2h
              campaignctl trigger create browseAbandon --label "Browse abandonment" --trigger-id '*' \\
                  --channel sms --targeting profile --field visitor=mcId --reconcile mcId=visitor
            """
        )

        @Argument(help: "The trigger event id: 1 to 64 letters, digits, '_', '-' or '.'.")
        var id: String

        @OptionGroup var definition: TriggerDefinitionOptions

        @Option(help: ArgumentHelp("email or sms; never changes.", valueName: "email|sms"))
        var channel: String

        @Option(help: ArgumentHelp("event (address from the event) or profile (reconciled profile); never changes.", valueName: "event|profile"))
        var targeting: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            guard let channel = Channel(rawValue: channel) else { throw CampaignError(.usage, "invalid --channel '\(channel)': use email or sms") }
            guard let targeting = Targeting(rawValue: targeting) else {
                throw CampaignError(.usage, "invalid --targeting '\(targeting)': use event or profile")
            }
            guard let label = definition.label else { throw CampaignError(.usage, "missing --label") }
            guard let triggerId = definition.triggerId else { throw CampaignError(.usage, "missing --trigger-id (a TriggerType UID or '*')") }
            let edit = try definition.edit()
            let def = TriggerDefinition(label: label, analyticsTriggerId: triggerId, channel: channel, targeting: targeting,
                                        validitySeconds: edit.validitySeconds ?? 3600, fields: edit.fields ?? [],
                                        emailField: edit.emailField, phoneField: edit.phoneField, reconcile: edit.reconcile)
            let (_, store) = try instanceOptions.openStore()
            let trigger = try store.createTrigger(id: id, definition: def)
            if !output.json { Terminal.note("created trigger event '\(id)' (draft); publish it with: campaignctl trigger publish \(id)") }
            try output.emit(TriggerReport(trigger))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the trigger events.",
            discussion: """
            EXAMPLES:
              campaignctl trigger list
              campaignctl trigger list --json
            """
        )

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            try output.emit(TriggerListReport(triggers: try store.triggers().map(TriggerReport.init)))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one trigger event.",
            discussion: """
            Shows the definition being edited and, when it is published, whether it was modified \
            since publication ('published' in --json holds the definition as published).

            EXAMPLES:
              campaignctl trigger show cartAbandonment
              campaignctl trigger show cartAbandonment --json
            """
        )

        @Argument(help: "The trigger event id.")
        var id: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            try output.emit(TriggerReport(try store.trigger(id: id)))
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a trigger event's label, Analytics trigger, validity or fields.",
            discussion: """
            --field replaces the whole field list. The channel and the targeting never change: \
            create another trigger event instead. Editing a published trigger leaves the \
            published definition in use and marks the trigger "modified since publication" \
            until it is published again.

            EXAMPLES:
              campaignctl trigger edit cartAbandonment --label "Abandoned cart"
              campaignctl trigger edit cartAbandonment --field email=eVar01 --field city=eVar05:last
              campaignctl trigger publish cartAbandonment
            """
        )

        @Argument(help: "The trigger event id.")
        var id: String

        @OptionGroup var definition: TriggerDefinitionOptions

        @Option(help: .hidden) var channel: String?
        @Option(help: .hidden) var targeting: String?

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            if channel != nil || targeting != nil {
                throw CampaignError.notPermitted("the \(channel != nil ? "channel" : "targeting") of a trigger event never changes after creation",
                                                 hint: "create another trigger event with the channel and targeting you need")
            }
            let edit = try definition.edit()
            let (_, store) = try instanceOptions.openStore()
            let trigger = try store.editTrigger(id: id, edit)
            if !output.json, trigger.modifiedSincePublication {
                Terminal.note("'\(id)' is modified since publication: publish it again for the change to take effect")
            }
            try output.emit(TriggerReport(trigger))
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a Draft trigger event with its template and proofs.",
            discussion: """
            Only a trigger in Draft can be deleted: unpublish it first.

            EXAMPLES:
              campaignctl trigger unpublish cartAbandonment
              campaignctl trigger delete cartAbandonment
            """
        )

        @Argument(help: "The trigger event id.")
        var id: String

        @OptionGroup var instanceOptions: InstanceOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            try store.deleteTrigger(id: id)
            Terminal.note("deleted trigger event '\(id)'")
        }
    }

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish a trigger event (again after an edit).",
            discussion: """
            Freezes the definition that routing uses, creates the trigger's transactional template \
            (in Draft) if it has none, and rewrites the NmsPipeline_Config option: the "triggers" \
            topic lists the Analytics trigger ids of every published trigger event.

            EXAMPLES:
              campaignctl trigger publish cartAbandonment
              campaignctl template edit cartAbandonment --subject "You left {{event.productName}}" …
            """
        )

        @Argument(help: "The trigger event id.")
        var id: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (layout, store) = try instanceOptions.openStore()
            let trigger = try store.publishTrigger(id: id, defaultConsumer: layout.name)
            if !output.json { Terminal.note("published trigger event '\(id)'; its template: campaignctl template show \(id)") }
            try output.emit(TriggerReport(trigger))
        }
    }

    struct Unpublish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Unpublish a trigger event and its template.",
            discussion: """
            The trigger returns to Draft, its template is unpublished (back to Draft, its \
            versions kept), and NmsPipeline_Config no longer lists its Analytics trigger.

            EXAMPLES:
              campaignctl trigger unpublish cartAbandonment
            """
        )

        @Argument(help: "The trigger event id.")
        var id: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (layout, store) = try instanceOptions.openStore()
            let trigger = try store.unpublishTrigger(id: id, defaultConsumer: layout.name)
            if !output.json { Terminal.note("unpublished trigger event '\(id)' and its template") }
            try output.emit(TriggerReport(trigger))
        }
    }
}
