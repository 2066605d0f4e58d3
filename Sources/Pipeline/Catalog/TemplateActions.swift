import CampaignCore
import Foundation
import Store

/// A rendered message for one test profile, not sent.
public struct TemplatePreview: Sendable, Codable, Equatable {
    public var triggerId: String
    public var testProfile: String
    /// The address the message would go to (email or phone).
    public var to: String?
    public var draftRevision: Int
    public var message: RenderedMessage
    public var warnings: [TemplateIssue]
}

/// The template use cases that need more than the store: the control rules
/// and rendering before a publish, previews and proofs.
public enum TemplateActions {
    /// The unsubscribe URL of previews and proofs (a proof's links are inactive, as in Adobe Campaign).
    public static let proofUnsubscribeUrl = "https://unsubscribe.invalid/proof"

    /// The checks on a template's draft, against the trigger definition the
    /// daemon would use (published, else the draft definition).
    public static func check(store: InstanceStore, triggerId: String) throws -> TemplateCheck {
        let trigger = try store.trigger(id: triggerId)
        let template = try store.template(triggerId: triggerId)
        return CompiledTemplate.check(triggerId: triggerId, definition: trigger.published ?? trigger.definition, content: template.draft)
    }

    /// Checks the draft (control rules, unknown fields, syntax) and, if it
    /// passes, freezes it as a new published version.
    public static func publish(store: InstanceStore, triggerId: String, now: Date = Date()) throws -> (TransactionalTemplate, TemplateCheck) {
        let trigger = try store.trigger(id: triggerId)
        let template = try store.template(triggerId: triggerId)
        guard trigger.status == .published, let definition = trigger.published else {
            throw CampaignError.notPermitted("trigger event '\(triggerId)' is not published: publish it before its template",
                                             hint: "campaignctl trigger publish \(triggerId)")
        }
        let compiled = try CompiledTemplate(triggerId: triggerId, definition: definition, content: template.draft, action: "publish")
        let published = try store.publishTemplate(triggerId: triggerId, expectedRevision: template.draftRevision, now: now)
        return (published, compiled.check)
    }

    /// Renders the draft for a test profile without sending it.
    public static func preview(store: InstanceStore, triggerId: String, testProfile name: String) throws -> TemplatePreview {
        let trigger = try store.trigger(id: triggerId)
        let template = try store.template(triggerId: triggerId)
        let profile = try store.testProfile(name: name)
        try TestProfile.validate(eventData: profile.eventData, against: trigger.definition, triggerId: triggerId,
                                 source: "test profile '\(name)'")
        let compiled = try CompiledTemplate(triggerId: triggerId, definition: trigger.definition, content: template.draft, action: "preview")
        let message = compiled.render(RenderInput(testProfile: profile, unsubscribeUrl: proofUnsubscribeUrl))
        return TemplatePreview(triggerId: triggerId, testProfile: name,
                               to: trigger.definition.channel == .email ? profile.email : profile.phone,
                               draftRevision: template.draftRevision, message: message, warnings: compiled.check.warnings)
    }

    /// Renders the draft with each test profile's event data and sends it to
    /// that profile's address, subject (or SMS text) prefixed `[PREFIX #N] `
    /// where N counts this template's proofs. Everything is checked before
    /// anything is numbered or sent; the proof is recorded, then each result.
    public static func sendProof(layout: InstanceLayout, store: InstanceStore, triggerId: String, to names: [String],
                                 labelPrefix: String = "Proof", connectors: InstanceConnectors? = nil, now: Date = Date()) throws -> Proof {
        guard !names.isEmpty else { throw CampaignError(.usage, "a proof needs at least one recipient: --to TESTPROFILE") }
        guard names.count <= 100 else {
            throw CampaignError.badInput("a proof goes to at most 100 recipients; \(names.count) were given")
        }
        if let duplicate = Dictionary(grouping: names, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw CampaignError(.usage, "test profile '\(duplicate)' is given twice")
        }
        if labelPrefix.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw CampaignError.badInput("the label prefix contains a control character")
        }
        let trigger = try store.trigger(id: triggerId)
        let template = try store.template(triggerId: triggerId)
        let channel = trigger.definition.channel
        var profiles: [TestProfile] = []
        for name in names {
            let profile = try store.testProfile(name: name)
            try TestProfile.validate(eventData: profile.eventData, against: trigger.definition, triggerId: triggerId,
                                     source: "test profile '\(name)'")
            guard (channel == .email ? profile.email : profile.phone) != nil else {
                throw CampaignError.badInput("test profile '\(name)' has no \(channel == .email ? "email address" : "phone number") for this \(channel.rawValue) trigger",
                                             hint: "remove it and add it again with --\(channel == .email ? "email" : "phone")")
            }
            profiles.append(profile)
        }
        let compiled = try CompiledTemplate(triggerId: triggerId, definition: trigger.definition, content: template.draft, action: "proof")
        let connectors = try connectors ?? Connectors.forInstance(layout: layout, store: store)
        let addresses = profiles.map { (testProfile: $0.name, address: (channel == .email ? $0.email : $0.phone) ?? "") }
        let proof = try store.beginProof(triggerId: triggerId, draftRevision: template.draftRevision, labelPrefix: labelPrefix,
                                         recipients: addresses, now: now)
        let prefix = labelPrefix.isEmpty ? "" : "[\(labelPrefix) #\(proof.number)] "
        let results: [DeliveryResult]
        switch channel {
        case .email:
            let emails = profiles.enumerated().map { i, profile in
                compiled.email(RenderInput(testProfile: profile, unsubscribeUrl: proofUnsubscribeUrl), to: addresses[i].address,
                               messageId: "proof-\(proof.number)-\(i + 1).\(triggerId)@\(layout.name).campaignctl",
                               subjectPrefix: prefix, date: now)
            }
            results = connectors.email.send(emails)
        case .sms:
            let messages = profiles.enumerated().map { i, profile in
                compiled.sms(RenderInput(testProfile: profile, unsubscribeUrl: proofUnsubscribeUrl), to: addresses[i].address,
                             messageId: "proof-\(proof.number)-\(i + 1).\(triggerId)@\(layout.name).campaignctl", prefix: prefix)
            }
            results = connectors.sms.send(messages)
        }
        return try store.recordProofResults(triggerId: triggerId, number: proof.number, results: results.map { result in
            switch result {
            case .sent(let detail): ("sent", detail)
            case .temporaryFailure(let reason): ("temporaryFailure", reason)
            case .permanentFailure(let reason): ("permanentFailure", reason)
            }
        })
    }
}
