import CampaignCore
import Foundation
import Mustache

/// The profile a message is personalised with: `{{profile.*}}`.
public struct RenderProfile: Sendable, Equatable, Codable {
    public var email: String?
    public var phone: String?
    public var firstName: String?
    public var lastName: String?
    public var locale: String?
    /// `{{profile.attributes.NAME}}`.
    public var attributes: [String: JSONValue]

    public init(email: String? = nil, phone: String? = nil, firstName: String? = nil, lastName: String? = nil,
                locale: String? = nil, attributes: [String: JSONValue] = [:]) {
        self.email = email
        self.phone = phone
        self.firstName = firstName
        self.lastName = lastName
        self.locale = locale
        self.attributes = attributes
    }
}

/// What one message is rendered from.
public struct RenderInput: Sendable, Equatable {
    /// The trigger's fields, by field name (`{{event.NAME}}`); list fields hold arrays.
    public var event: [String: JSONValue]
    public var profile: RenderProfile
    public var unsubscribeUrl: String

    public init(event: [String: JSONValue], profile: RenderProfile = RenderProfile(), unsubscribeUrl: String = "") {
        self.event = event
        self.profile = profile
        self.unsubscribeUrl = unsubscribeUrl
    }
}

/// A rendered message, before addressing.
public struct RenderedMessage: Sendable, Equatable, Codable {
    public var channel: Channel
    public var subject: String?
    public var from: String?
    public var replyTo: String?
    public var html: String?
    public var text: String?
    public var smsText: String?
    /// Characters of the rendered SMS.
    public var smsCharacters: Int?
    /// Encoding and segments of the rendered SMS.
    public var sms: SMSAnalysis?
}

/// A template compiled once for a trigger and rendered many times: the
/// daemon keeps one per published version. Rendering cannot fail; every
/// name it uses was checked when it was compiled.
public struct CompiledTemplate: Sendable {
    public let triggerId: String
    public let definition: TriggerDefinition
    public let content: TemplateContent
    /// Warnings of the checks (errors refuse compilation).
    public let check: TemplateCheck
    let parts: [TemplatePart: MustacheTemplate]
    /// The parts the daemon renders without swift-mustache's dynamic lookups (see `RenderPlan`).
    let plans: [TemplatePart: RenderPlan]

    /// Runs the control rules and the personalization lint, then compiles.
    /// Throws a bad-input error listing every error (part, line, field).
    public init(triggerId: String, definition: TriggerDefinition, content: TemplateContent, action: String = "render") throws {
        let (check, parts) = TemplateChecker.run(triggerId: triggerId, definition: definition, content: content)
        try check.requireNoErrors(triggerId, action: action)
        self.triggerId = triggerId
        self.definition = definition
        self.content = content
        self.check = check
        self.parts = parts
        self.plans = Dictionary(uniqueKeysWithValues: parts.compactMap { part, template in
            RenderPlan(template, escapesHTML: part == .html).map { (part, $0) }
        })
    }

    /// Compiles the published version of a published trigger (what the daemon sends).
    public init(published: PublishedTrigger) throws {
        try self.init(triggerId: published.id, definition: published.definition, content: published.version.content)
    }

    /// The checks alone, without throwing: for `template check`-like reports.
    public static func check(triggerId: String, definition: TriggerDefinition, content: TemplateContent) -> TemplateCheck {
        TemplateChecker.run(triggerId: triggerId, definition: definition, content: content).0
    }

    /// Renders every part. HTML is escaped in the HTML part only, and a
    /// link that data turned into script is removed (`ScriptLinks`); the
    /// subject loses any line break or control character data brought in.
    public func render(_ input: RenderInput) -> RenderedMessage {
        let root = Self.root(input, triggerId: triggerId, label: definition.label)
        var context: [String: Any]?
        func run(_ part: TemplatePart) -> String? {
            guard let template = parts[part] else { return nil }
            if let rendered = plans[part]?.render(root) { return rendered }
            if context == nil { context = Self.context(input, triggerId: triggerId, label: definition.label) }
            return template.render(context!)
        }
        let subject = run(.subject).map(Self.singleLine)
        let sms = run(.sms)
        return RenderedMessage(channel: definition.channel, subject: subject, from: content.from, replyTo: content.replyTo,
                               html: run(.html).map(ScriptLinks.removed(from:)), text: run(.text), smsText: sms, smsCharacters: sms?.count, sms: sms.map(SMSText.analyse))
    }

    /// Renders every part with swift-mustache alone: the reference the
    /// render plans are checked against (tests and the renderer fuzzer).
    public func referenceRender(_ input: RenderInput) -> RenderedMessage {
        Self(copying: self, plans: [:]).render(input)
    }

    private init(copying other: CompiledTemplate, plans: [TemplatePart: RenderPlan]) {
        triggerId = other.triggerId
        definition = other.definition
        content = other.content
        check = other.check
        parts = other.parts
        self.plans = plans
    }

    /// Renders an email to `to`. `subjectPrefix` is prepended as is (e.g. `[Proof #3] `).
    public func email(_ input: RenderInput, to: String, messageId: String, subjectPrefix: String = "", date: Date = Date()) -> OutgoingEmail {
        let m = render(input)
        return OutgoingEmail(from: m.from ?? "", to: to, replyTo: m.replyTo, subject: subjectPrefix + (m.subject ?? ""),
                             html: m.html, text: m.text, messageId: messageId, date: date)
    }

    /// Renders an SMS to `to`; `prefix` is prepended to the text.
    public func sms(_ input: RenderInput, to: String, messageId: String, prefix: String = "") -> OutgoingSMS {
        let m = render(input)
        return OutgoingSMS(to: to, text: prefix + (m.smsText ?? ""), from: m.from, messageId: messageId)
    }

    static func singleLine(_ text: String) -> String {
        // Control characters are U+0000–001F, U+007F and U+0080–009F (C2 80–9F in UTF-8):
        // a subject without those bytes is returned as it is, with no lookup per character.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F && $0 != 0xC2 }) { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }

    /// The context as JSON values, for the render plans: the same members as `context`.
    static func root(_ input: RenderInput, triggerId: String, label: String) -> JSONValue {
        var profile: [String: JSONValue] = ["attributes": .object(input.profile.attributes)]
        if let v = input.profile.email { profile["email"] = .string(v) }
        if let v = input.profile.phone { profile["phone"] = .string(v) }
        if let v = input.profile.firstName { profile["firstName"] = .string(v) }
        if let v = input.profile.lastName { profile["lastName"] = .string(v) }
        if let v = input.profile.locale { profile["locale"] = .string(v) }
        return .object([
            "event": .object(input.event),
            "profile": .object(profile),
            "trigger": .object(["id": .string(triggerId), "label": .string(label)]),
            "unsubscribeUrl": .string(input.unsubscribeUrl),
        ])
    }

    /// The context swift-mustache renders with.
    static func context(_ input: RenderInput, triggerId: String, label: String) -> [String: Any] {
        var profile: [String: Any] = ["attributes": input.profile.attributes.mapValues(mustacheValue)]
        if let v = input.profile.email { profile["email"] = v }
        if let v = input.profile.phone { profile["phone"] = v }
        if let v = input.profile.firstName { profile["firstName"] = v }
        if let v = input.profile.lastName { profile["lastName"] = v }
        if let v = input.profile.locale { profile["locale"] = v }
        return [
            "event": input.event.mapValues(mustacheValue),
            "profile": profile,
            "trigger": ["id": triggerId, "label": label],
            "unsubscribeUrl": input.unsubscribeUrl,
        ]
    }

    static func mustacheValue(_ value: JSONValue) -> Any {
        switch value {
        case .null: NSNull()
        case .bool(let b): b
        case .number: value.displayText
        case .string(let s): s
        case .array(let a): a.map(mustacheValue)
        case .object(let o): o.mapValues(mustacheValue)
        }
    }
}

extension RenderInput {
    /// The input of a preview or proof from a test profile: its event data
    /// (minus the `profile` object) and a profile made of that object, with
    /// the test profile's email and phone by default.
    public init(testProfile: TestProfile, unsubscribeUrl: String) {
        var event = testProfile.eventData
        let profileData = event.removeValue(forKey: "profile")?.objectValue ?? [:]
        let profile = RenderProfile(
            email: profileData["email"]?.stringValue ?? testProfile.email,
            phone: profileData["phone"]?.stringValue ?? testProfile.phone,
            firstName: profileData["firstName"]?.stringValue, lastName: profileData["lastName"]?.stringValue,
            locale: profileData["locale"]?.stringValue, attributes: profileData["attributes"]?.objectValue ?? [:])
        self.init(event: event, profile: profile, unsubscribeUrl: unsubscribeUrl)
    }
}
