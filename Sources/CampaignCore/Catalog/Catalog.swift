import Foundation

/// The channel of a trigger event and its template. Never changes after creation.
public enum Channel: String, Sendable, Codable, CaseIterable {
    case email
    case sms
}

/// Where the recipient comes from: an address field of the event
/// ("Real-time event") or a profile reconciled through an alias. Never
/// changes after creation.
public enum Targeting: String, Sendable, Codable, CaseIterable {
    case event
    case profile
}

/// Which value of a dimension's per-hit `data[]` array an event field keeps.
public enum FieldPick: String, Sendable, Codable, CaseIterable {
    case first
    case last
    case all
}

/// One named field of a trigger event, mapped from the Analytics payload.
public struct TriggerField: Sendable, Codable, Equatable {
    /// The name templates use: `{{event.NAME}}`.
    public var name: String
    /// A dimension of `enrichments.analyticsHitSummary.dimensions`, or one of
    /// the special sources `mcId`, `triggerTimestamp`, `products`.
    public var source: String
    public var pick: FieldPick

    public init(name: String, source: String, pick: FieldPick = .last) {
        self.name = name
        self.source = source
        self.pick = pick
    }

    public static let specialSources: Set<String> = ["mcId", "triggerTimestamp", "products"]

    /// Whether the field holds a list (a template may loop over it).
    public var isList: Bool { source == "products" || pick == .all }

    /// Parses `NAME=DIMENSION[:first|last|all]`.
    public static func parse(_ text: String) throws -> TriggerField {
        guard let eq = text.firstIndex(of: "=") else {
            throw CampaignError(.usage, "invalid --field '\(text)': expected NAME=DIMENSION[:first|last|all]")
        }
        let name = String(text[..<eq])
        var source = String(text[text.index(after: eq)...])
        var pick = FieldPick.last
        if let colon = source.lastIndex(of: ":") {
            let word = String(source[source.index(after: colon)...])
            guard let p = FieldPick(rawValue: word) else {
                throw CampaignError(.usage, "invalid --field '\(text)': '\(word)' is not first, last or all")
            }
            pick = p
            source = String(source[..<colon])
        }
        if source == "products" { pick = .all }
        return TriggerField(name: name, source: source, pick: pick)
    }
}

/// How a profile-targeted event finds its profile: the alias kind and the
/// event field that holds its value.
public struct Reconciliation: Sendable, Codable, Equatable {
    public var alias: String
    public var field: String

    public init(alias: String, field: String) {
        self.alias = alias
        self.field = field
    }

    /// The alias kinds a profile can be found by.
    public static let aliases = ["mcId", "visitorId", "declaredId", "email"]

    /// Parses `ALIAS=FIELD`.
    public static func parse(_ text: String) throws -> Reconciliation {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw CampaignError(.usage, "invalid --reconcile '\(text)': expected ALIAS=FIELD, e.g. mcId=visitor")
        }
        return Reconciliation(alias: parts[0], field: parts[1])
    }
}

/// The definition of a trigger event: everything `trigger create` and
/// `trigger edit` set. The published copy of it is what the daemon routes by.
public struct TriggerDefinition: Sendable, Codable, Equatable {
    public var label: String
    /// The Analytics TriggerType UID, lowercased, or `*` for every trigger.
    public var analyticsTriggerId: String
    public var channel: Channel
    public var targeting: Targeting
    /// No message is sent later than this after the event was emitted.
    public var validitySeconds: Int
    public var fields: [TriggerField]
    /// The event field holding the address (event targeting).
    public var emailField: String?
    public var phoneField: String?
    /// The alias that finds the profile (profile targeting).
    public var reconcile: Reconciliation?

    public init(label: String, analyticsTriggerId: String, channel: Channel, targeting: Targeting,
                validitySeconds: Int = 3600, fields: [TriggerField] = [], emailField: String? = nil,
                phoneField: String? = nil, reconcile: Reconciliation? = nil) {
        self.label = label
        self.analyticsTriggerId = analyticsTriggerId
        self.channel = channel
        self.targeting = targeting
        self.validitySeconds = validitySeconds
        self.fields = fields
        self.emailField = emailField
        self.phoneField = phoneField
        self.reconcile = reconcile
    }

    public func field(named name: String) -> TriggerField? { fields.first { $0.name == name } }

    /// Checks the definition as a whole; throws a bad-input error naming the
    /// first fault.
    public func validate() throws {
        if label.trimmingCharacters(in: .whitespaces).isEmpty { throw CampaignError.badInput("the label is empty") }
        if label.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw CampaignError.badInput("the label contains a control character")
        }
        if analyticsTriggerId != "*", UUID(uuidString: analyticsTriggerId) == nil {
            throw CampaignError.badInput("invalid trigger id '\(analyticsTriggerId)': expected the Analytics TriggerType UID (a UUID) or '*'",
                                         hint: "the UID is in the Triggers UI's URL, e.g. 3e8a2ba7-fccc-49bb-bdac-33ee33cf02bf")
        }
        guard (60...302_400).contains(validitySeconds) else {
            throw CampaignError.badInput("invalid validity \(validitySeconds) s: use 1m to 3.5d (Adobe honours at most 3.5 days)")
        }
        var seen = Set<String>()
        for field in fields {
            guard TriggerDefinition.isIdentifier(field.name) else {
                throw CampaignError.badInput("invalid field name '\(field.name)': use letters, digits and '_', starting with a letter or '_'")
            }
            guard seen.insert(field.name).inserted else { throw CampaignError.badInput("field '\(field.name)' is defined twice") }
            let sourceChars = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
            guard !field.source.isEmpty, field.source.unicodeScalars.allSatisfy(sourceChars.contains) else {
                throw CampaignError.badInput("invalid source '\(field.source)' for field '\(field.name)': expected a dimension name (eVar01, pageName…), mcId, triggerTimestamp or products")
            }
            if field.source == "products", field.pick != .all {
                throw CampaignError.badInput("field '\(field.name)': products is a list, use :all")
            }
        }
        func requireField(_ name: String, _ flag: String) throws {
            guard let field = field(named: name) else {
                throw CampaignError.badInput("\(flag) names '\(name)', which is not a field of this trigger",
                                             hint: "fields: \(fields.map(\.name).joined(separator: ", ")); add one with --field \(name)=DIMENSION")
            }
            if field.isList { throw CampaignError.badInput("\(flag) names '\(name)', a list field: pick one value (:first or :last)") }
        }
        if emailField != nil && phoneField != nil { throw CampaignError(.usage, "give --email-field or --phone-field, not both") }
        if let emailField {
            guard channel == .email else { throw CampaignError.badInput("--email-field is for email triggers; this one sends SMS (use --phone-field)") }
            try requireField(emailField, "--email-field")
        }
        if let phoneField {
            guard channel == .sms else { throw CampaignError.badInput("--phone-field is for SMS triggers; this one sends email (use --email-field)") }
            try requireField(phoneField, "--phone-field")
        }
        if let reconcile {
            guard Reconciliation.aliases.contains(reconcile.alias) else {
                throw CampaignError.badInput("unknown alias '\(reconcile.alias)' in --reconcile",
                                             hint: "aliases: \(Reconciliation.aliases.joined(separator: ", "))")
            }
            try requireField(reconcile.field, "--reconcile")
        }
        switch targeting {
        case .event:
            if channel == .email, emailField == nil {
                throw CampaignError.badInput("an event-targeted email trigger needs --email-field NAME (the event field holding the address)")
            }
            if channel == .sms, phoneField == nil {
                throw CampaignError.badInput("an event-targeted SMS trigger needs --phone-field NAME (the event field holding the number)")
            }
        case .profile:
            if reconcile == nil {
                throw CampaignError.badInput("a profile-targeted trigger needs --reconcile ALIAS=FIELD (e.g. mcId=visitor)")
            }
        }
    }

    public static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.count <= 64 else { return false }
        let letters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
        let rest = letters.union(CharacterSet(charactersIn: "0123456789"))
        return letters.contains(first) && text.unicodeScalars.allSatisfy(rest.contains)
    }

    /// Parses a duration such as `90s`, `30m`, `1h`, `2d` or a number of seconds.
    public static func parseDuration(_ text: String) throws -> Int {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var number = text
        var unit = 1
        if let last = text.last, let u = units[last] { unit = u; number = String(text.dropLast()) }
        guard let value = Double(number), value > 0, value.isFinite else {
            throw CampaignError(.usage, "invalid duration '\(text)': use e.g. 90s, 30m, 1h or 2d")
        }
        return Int(value * Double(unit))
    }
}

public enum TriggerStatus: String, Sendable, Codable {
    case draft
    case published
}

/// A trigger event as stored.
public struct TriggerEvent: Sendable, Codable, Equatable {
    /// 1–64 letters, digits, '_', '-' or '.'.
    public var id: String
    public var definition: TriggerDefinition
    public var status: TriggerStatus
    public var publishedAt: Date?
    /// Edited after its last publication: republish for the edit to take effect.
    public var modifiedSincePublication: Bool
    /// The definition as last published, which the daemon routes by.
    public var published: TriggerDefinition?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, definition: TriggerDefinition, status: TriggerStatus, publishedAt: Date?,
                modifiedSincePublication: Bool, published: TriggerDefinition?, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.definition = definition
        self.status = status
        self.publishedAt = publishedAt
        self.modifiedSincePublication = modifiedSincePublication
        self.published = published
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public static func validateId(_ id: String) throws {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
        guard !id.isEmpty, id.count <= 64, id.unicodeScalars.allSatisfy(allowed.contains), id.first != "-" else {
            throw CampaignError(.usage, "invalid trigger event id '\(id)': use 1 to 64 letters, digits, '_', '-' or '.', not starting with '-'")
        }
    }
}

/// What `trigger edit` changes; nil leaves a property as it is.
public struct TriggerEdit: Sendable, Equatable {
    public var label: String?
    public var analyticsTriggerId: String?
    public var validitySeconds: Int?
    /// Replaces the whole field list.
    public var fields: [TriggerField]?
    public var emailField: String?
    public var phoneField: String?
    public var reconcile: Reconciliation?

    public init(label: String? = nil, analyticsTriggerId: String? = nil, validitySeconds: Int? = nil,
                fields: [TriggerField]? = nil, emailField: String? = nil, phoneField: String? = nil,
                reconcile: Reconciliation? = nil) {
        self.label = label
        self.analyticsTriggerId = analyticsTriggerId
        self.validitySeconds = validitySeconds
        self.fields = fields
        self.emailField = emailField
        self.phoneField = phoneField
        self.reconcile = reconcile
    }

    public var isEmpty: Bool { self == TriggerEdit() }

    public func applied(to definition: TriggerDefinition) -> TriggerDefinition {
        var d = definition
        if let label { d.label = label }
        if let analyticsTriggerId { d.analyticsTriggerId = analyticsTriggerId.lowercased() }
        if let validitySeconds { d.validitySeconds = validitySeconds }
        if let fields { d.fields = fields }
        if let emailField { d.emailField = emailField }
        if let phoneField { d.phoneField = phoneField }
        if let reconcile { d.reconcile = reconcile }
        return d
    }
}

/// The personalised content of a transactional template. `{{…}}` tags are
/// Mustache; HTML is escaped in the HTML part only.
public struct TemplateContent: Sendable, Codable, Equatable {
    public var subject: String?
    /// The sender address (email) or source address (SMS).
    public var from: String?
    public var replyTo: String?
    public var html: String?
    public var text: String?
    public var smsText: String?

    public init(subject: String? = nil, from: String? = nil, replyTo: String? = nil, html: String? = nil,
                text: String? = nil, smsText: String? = nil) {
        self.subject = subject
        self.from = from
        self.replyTo = replyTo
        self.html = html
        self.text = text
        self.smsText = smsText
    }

    /// Applies the non-nil properties of `edit`.
    public func merging(_ edit: TemplateContent) -> TemplateContent {
        var c = self
        if let v = edit.subject { c.subject = v }
        if let v = edit.from { c.from = v }
        if let v = edit.replyTo { c.replyTo = v }
        if let v = edit.html { c.html = v }
        if let v = edit.text { c.text = v }
        if let v = edit.smsText { c.smsText = v }
        return c
    }
}

public enum TemplateStatus: String, Sendable, Codable {
    case draft
    case published
    case paused
}

/// The one transactional template of a trigger event: an editable draft and
/// the number of its published (frozen) version.
public struct TransactionalTemplate: Sendable, Codable, Equatable {
    public var triggerId: String
    public var channel: Channel
    public var status: TemplateStatus
    public var draft: TemplateContent
    /// Counts edits of the draft; a proof records the revision it rendered.
    public var draftRevision: Int
    /// The version the daemon renders while published or paused.
    public var publishedVersion: Int?
    /// The draft differs from the latest published version.
    public var modifiedSincePublication: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(triggerId: String, channel: Channel, status: TemplateStatus, draft: TemplateContent, draftRevision: Int,
                publishedVersion: Int?, modifiedSincePublication: Bool, createdAt: Date, updatedAt: Date) {
        self.triggerId = triggerId
        self.channel = channel
        self.status = status
        self.draft = draft
        self.draftRevision = draftRevision
        self.publishedVersion = publishedVersion
        self.modifiedSincePublication = modifiedSincePublication
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// An immutable copy of a template's content, frozen when it was published.
public struct TemplateVersion: Sendable, Codable, Equatable {
    public var triggerId: String
    public var version: Int
    public var content: TemplateContent
    /// The draft revision that was frozen.
    public var draftRevision: Int
    public var publishedAt: Date

    public init(triggerId: String, version: Int, content: TemplateContent, draftRevision: Int, publishedAt: Date) {
        self.triggerId = triggerId
        self.version = version
        self.content = content
        self.draftRevision = draftRevision
        self.publishedAt = publishedAt
    }
}

/// What the daemon needs to process an event of a trigger: the published
/// definition and the published template version. Only triggers whose
/// template is published or paused have one.
public struct PublishedTrigger: Sendable, Equatable {
    public var id: String
    /// The definition as published (not the draft edits since).
    public var definition: TriggerDefinition
    public var templateStatus: TemplateStatus
    public var version: TemplateVersion

    public init(id: String, definition: TriggerDefinition, templateStatus: TemplateStatus, version: TemplateVersion) {
        self.id = id
        self.definition = definition
        self.templateStatus = templateStatus
        self.version = version
    }

    /// True when events must wait (template paused) rather than be sent.
    public var isPaused: Bool { templateStatus == .paused }
}

/// A fake recipient with the event data used for previews and proofs.
public struct TestProfile: Sendable, Codable, Equatable {
    public var name: String
    public var email: String?
    public var phone: String?
    /// The event fields, keyed by trigger field name; an optional `profile`
    /// object holds profile fields (firstName, lastName, locale, attributes).
    public var eventData: [String: JSONValue]
    /// The trigger event its data was validated against.
    public var triggerId: String?
    public var createdAt: Date

    public init(name: String, email: String?, phone: String?, eventData: [String: JSONValue], triggerId: String?, createdAt: Date) {
        self.name = name
        self.email = email
        self.phone = phone
        self.eventData = eventData
        self.triggerId = triggerId
        self.createdAt = createdAt
    }

    /// Checks `eventData` against a trigger's fields: every key must be a
    /// field of the trigger (or `profile`), and list fields must hold arrays.
    public static func validate(eventData: [String: JSONValue], against definition: TriggerDefinition, triggerId: String,
                                source: String = "the event data") throws {
        for key in eventData.keys.sorted() {
            if key == "profile" {
                guard let profile = eventData[key]?.objectValue else {
                    throw CampaignError.badInput("\(source): \"profile\" must be an object (email, phone, firstName, lastName, locale, attributes)")
                }
                for pk in profile.keys.sorted() where !ProfileFields.names.contains(pk) && pk != "attributes" {
                    throw CampaignError.badInput("\(source): unknown profile field \"profile.\(pk)\"",
                                                 hint: "profile fields: \(ProfileFields.names.joined(separator: ", ")), attributes")
                }
                if let attributes = profile["attributes"], attributes.objectValue == nil {
                    throw CampaignError.badInput("\(source): \"profile.attributes\" must be an object")
                }
                continue
            }
            guard let field = definition.field(named: key) else {
                let known = definition.fields.map(\.name)
                throw CampaignError.badInput("\(source): unknown field \"\(key)\": trigger '\(triggerId)' does not define it",
                                             hint: known.isEmpty ? "the trigger has no fields; add them with: campaignctl trigger edit \(triggerId) --field NAME=DIMENSION"
                                                                 : "fields of '\(triggerId)': \(known.joined(separator: ", "))")
            }
            if field.isList, let value = eventData[key], value.arrayValue == nil, value != .null {
                throw CampaignError.badInput("\(source): field \"\(key)\" is a list (\(field.source == "products" ? "products" : "pick all")): give an array")
            }
        }
    }
}

/// The fields every profile has (templates use `{{profile.NAME}}`), besides
/// `profile.attributes.*`.
public enum ProfileFields {
    public static let names = ["email", "phone", "firstName", "lastName", "locale"]
}

/// The outcome of a proof for one recipient.
public struct ProofRecipient: Sendable, Codable, Equatable {
    public var testProfile: String
    public var address: String
    /// sent, temporaryFailure, permanentFailure or pending.
    public var result: String
    public var detail: String?

    public init(testProfile: String, address: String, result: String, detail: String?) {
        self.testProfile = testProfile
        self.address = address
        self.result = result
        self.detail = detail
    }
}

/// One proof: the draft of a template rendered for test profiles and sent.
public struct Proof: Sendable, Codable, Equatable {
    public var triggerId: String
    /// Counts the proofs of this template: `[Proof #N]`.
    public var number: Int
    /// The draft revision rendered (proofs always render the draft).
    public var draftRevision: Int
    /// The published version at the time, for reference.
    public var publishedVersion: Int?
    public var labelPrefix: String
    public var sentAt: Date
    public var recipients: [ProofRecipient]

    public init(triggerId: String, number: Int, draftRevision: Int, publishedVersion: Int?, labelPrefix: String,
                sentAt: Date, recipients: [ProofRecipient]) {
        self.triggerId = triggerId
        self.number = number
        self.draftRevision = draftRevision
        self.publishedVersion = publishedVersion
        self.labelPrefix = labelPrefix
        self.sentAt = sentAt
        self.recipients = recipients
    }
}

extension TriggerDefinition {
    /// Whether this trigger event takes events of an Analytics trigger: the
    /// same UID (case-insensitive), or `*` for every one.
    public func takes(analyticsTriggerId: String?) -> Bool {
        self.analyticsTriggerId == "*" || self.analyticsTriggerId == analyticsTriggerId?.lowercased()
    }

    /// The recipient address of an event-targeted trigger, from its event
    /// fields (the email field, or the phone field for SMS); nil for profile
    /// targeting or when the event lacks it.
    public func eventAddress(in fields: [String: JSONValue]) -> String? {
        guard targeting == .event, let name = channel == .email ? emailField : phoneField,
              let value = fields[name]?.displayText.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty
        else { return nil }
        return value
    }

    /// The alias kind and value that find the profile of a profile-targeted
    /// trigger; nil for event targeting or when the event lacks the value.
    public func reconciliationKey(in fields: [String: JSONValue]) -> (alias: String, value: String)? {
        guard targeting == .profile, let reconcile, let value = fields[reconcile.field]?.displayText, !value.isEmpty else { return nil }
        return (reconcile.alias, value)
    }
}

extension Array where Element == PublishedTrigger {
    /// The published trigger events that take an event of `analyticsTriggerId`,
    /// exact UIDs before `*` ones, then by id.
    public func routes(analyticsTriggerId: String?) -> [PublishedTrigger] {
        filter { $0.definition.takes(analyticsTriggerId: analyticsTriggerId) }
            .sorted { a, b in
                let wa = a.definition.analyticsTriggerId == "*", wb = b.definition.analyticsTriggerId == "*"
                return wa == wb ? a.id < b.id : !wa
            }
    }
}
