import CampaignCore
import Foundation
import Logging
import Store

/// What happens to a stored trigger event (Adobe's transactional-event
/// flow): find its published trigger and template, check its validity,
/// reconcile it with a recipient, check the denylist, render the published
/// template version, send, and say which status it ends in.
public final class TriggerProcessor: EventHandler, @unchecked Sendable {
    public struct Settings: Sendable {
        public var instance: String
        public var retryPeriod: TimeInterval
        public var retryValidity: TimeInterval
        public var unsubscribeBaseURL: String

        public init(instance: String, retryPeriod: TimeInterval, retryValidity: TimeInterval,
                    unsubscribeBaseURL: String = TriggerProcessor.defaultUnsubscribeBaseURL) {
            self.instance = instance
            self.retryPeriod = retryPeriod
            self.retryValidity = retryValidity
            self.unsubscribeBaseURL = unsubscribeBaseURL
        }
    }

    /// Used when the option `NmsTriggers_UnsubscribeUrl` is not set.
    public static let defaultUnsubscribeBaseURL = "https://unsubscribe.invalid/u"

    let store: InstanceStore
    let connectors: InstanceConnectors
    let settings: Settings
    let logger: Logger
    let templates = TemplateCache()
    let acceptances: AcceptanceRecorder
    /// SMPP keeps one bind; its connector is not shared across threads.
    let smsLock = NSLock()
    let catalogLock = NSLock()
    var catalog: [String: PublishedTrigger] = [:]
    var catalogLoadedAt = Date.distantPast

    public init(store: InstanceStore, connectors: InstanceConnectors, settings: Settings, logger: Logger) {
        self.store = store
        self.connectors = connectors
        self.settings = settings
        self.logger = logger
        self.acceptances = AcceptanceRecorder(store: store, logger: logger)
    }

    /// Published triggers, re-read at most every second so that a template
    /// paused, resumed or republished from the CLI takes effect at once.
    func publishedTrigger(id: String, now: Date) throws -> PublishedTrigger? {
        try catalogLock.withLock {
            if now.timeIntervalSince(catalogLoadedAt) >= 1 {
                catalog = Dictionary(try store.publishedTriggers().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
                catalogLoadedAt = now
            }
            return catalog[id]
        }
    }

    /// Says QUIT to the kept relay connections and unbinds from the SMSC.
    public func stop() {
        connectors.email.disconnect()
        smsLock.withLock { connectors.sms.disconnect() }
    }

    /// Trigger events whose paused events may go again (template published, not paused).
    public func resumableTriggerIds() -> [String] {
        ((try? store.publishedTriggers()) ?? []).filter { !$0.isPaused }.map(\.id)
    }

    struct Prepared {
        var event: ClaimedEvent
        var send: PendingSend
        var email: OutgoingEmail?
        var sms: OutgoingSMS?
    }

    public func handle(_ events: [ClaimedEvent], now: Date) -> [(eventId: Int64, outcome: EventOutcome)] {
        var outcomes: [(eventId: Int64, outcome: EventOutcome)] = []
        var prepared: [Prepared] = []
        for (event, preparation) in prepare(events, now: now) {
            switch preparation {
            case .done(let outcome): outcomes.append((event.id, outcome))
            case .send(let item): prepared.append(item)
            }
        }
        guard !prepared.isEmpty else { return outcomes }

        let allowed: Set<Int64>
        do {
            allowed = try store.beginSends(prepared.map(\.send), now: now)
        } catch {
            logger.error("Processing: cannot record the sends about to start: \(error)")
            return outcomes + prepared.map { ($0.event.id, retry($0.event, reason: "store unavailable: \(error)", now: now, send: $0.send)) }
        }
        for item in prepared where !allowed.contains(item.event.id) {
            // Already sent by an earlier attempt: never send twice.
            outcomes.append((item.event.id, EventOutcome(status: .processed, detail: "already sent", templateVersion: item.send.templateVersion)))
        }
        let emails = prepared.filter { allowed.contains($0.event.id) && $0.email != nil }
        let texts = prepared.filter { allowed.contains($0.event.id) && $0.sms != nil }
        let emailResults = emails.isEmpty ? [] : sendRecordingProgress(emails)
        let smsResults = texts.isEmpty ? [] : smsLock.withLock { connectors.sms.send(texts.map { $0.sms! }) }
        for (item, result) in Array(zip(emails, emailResults)) + Array(zip(texts, smsResults)) {
            outcomes.append((item.event.id, outcome(of: result, for: item, now: now)))
        }
        return outcomes
    }

    /// Sends a batch of emails; each acceptance goes to the recorder as the
    /// relay gives it, so that a crash can resend at most the messages of
    /// the last few milliseconds, not the whole batch. The final outcome is
    /// written with the batch.
    func sendRecordingProgress(_ items: [Prepared]) -> [DeliveryResult] {
        connectors.email.send(items.map { $0.email! }, accepted: { index in
            acceptances.record(items[index].event.id)
        })
    }

    enum Preparation {
        case done(EventOutcome)
        case send(Prepared)
    }

    /// What an event renders to now, for `events show`: reconciled and
    /// rendered like the daemon does, with the currently published version,
    /// whatever the event's age; nothing is sent or recorded.
    public func inspect(_ detail: EventDetail) -> RenderedEventMessage {
        let event = ClaimedEvent(
            id: detail.summary.id, consumer: detail.consumer, topic: detail.topic, partition: detail.summary.partition,
            offset: detail.summary.offset, messageId: detail.messageId, analyticsTriggerId: detail.summary.analyticsTriggerId,
            triggerEventId: detail.summary.triggerEventId, createTime: nil, receivedAt: Date(), attempts: detail.summary.attempts,
            firstFailureAt: nil, sendState: detail.sendState, envelope: Data(detail.envelope.utf8))
        switch prepare([event], now: Date())[0].1 {
        case .done(let outcome):
            return RenderedEventMessage(note: "not rendered: \(outcome.status.rawValue)\(outcome.detail.map { " (\($0))" } ?? "")")
        case .send(let prepared):
            var message = RenderedEventMessage(templateVersion: prepared.send.templateVersion, to: prepared.send.targetAddress,
                                               messageId: prepared.send.outboundMessageId)
            if let email = prepared.email {
                message.subject = email.subject
                message.text = email.text
                message.html = email.html
            }
            message.sms = prepared.sms?.text
            return message
        }
    }

    /// An event that passed the checks needing no lookup: what remains is
    /// to find its recipient (one batched read for all) and render.
    struct Staged {
        var event: ClaimedEvent
        var trigger: PublishedTrigger
        var fields: [String: JSONValue]
        /// Event targeting: the address the event carries.
        var address: String?
        /// Profile targeting: the reconciliation key.
        var lookup: ProfileLookup?
    }

    enum Stage {
        case done(EventOutcome)
        case staged(Staged)
    }

    /// Prepares a batch: checks each event, then reconciles all of them and
    /// checks the denylist in one read of the store, then renders.
    func prepare(_ events: [ClaimedEvent], now: Date) -> [(ClaimedEvent, Preparation)] {
        var filters: [String: JSONMemberFilter] = [:]
        let stages = events.map { stage($0, now: now, filters: &filters) }
        var lookups = Set<ProfileLookup>(), addresses = Set<String>()
        for case .staged(let staged) in stages {
            if let lookup = staged.lookup { lookups.insert(lookup) }
            if let address = staged.address { addresses.insert(address) }
        }
        let reconciliation: Result<RecipientMatches, any Error>
        if lookups.isEmpty && addresses.isEmpty {
            reconciliation = .success(RecipientMatches())
        } else {
            reconciliation = Result { try store.reconcile(lookups, addresses: addresses) }
        }
        return zip(events, stages).map { event, stage in
            switch stage {
            case .done(let outcome):
                return (event, .done(outcome))
            case .staged(let staged):
                switch reconciliation {
                case .failure(let error):
                    return (event, .done(retry(event, reason: "cannot read profiles and the denylist: \(error)", now: now, send: nil)))
                case .success(let found):
                    return (event, complete(staged, found, now: now))
                }
            }
        }
    }

    /// `filters`: the envelope member filter of each trigger, made once per batch.
    func stage(_ event: ClaimedEvent, now: Date, filters: inout [String: JSONMemberFilter]) -> Stage {
        let trigger: PublishedTrigger
        do {
            guard let found = try publishedTrigger(id: event.triggerEventId, now: now) else {
                return .done(EventOutcome(status: .routingFailed,
                                          detail: "no published trigger event '\(event.triggerEventId)' with a published template"))
            }
            trigger = found
        } catch {
            return .done(retry(event, reason: "cannot read the catalog: \(error)", now: now, send: nil))
        }
        if trigger.isPaused { return .done(EventOutcome(status: .paused, detail: "template paused")) }
        let definition = trigger.definition
        let firedAt = event.createTime.map { Date(timeIntervalSince1970: Double($0) / 1000) } ?? event.receivedAt
        if now.timeIntervalSince(firedAt) > Double(definition.validitySeconds) {
            return .done(EventOutcome(status: .tooOld, detail: "fired \(Int(now.timeIntervalSince(firedAt)))s ago; the trigger's validity is \(definition.validitySeconds)s"))
        }
        let fields: [String: JSONValue]
        do {
            let filter = filters[trigger.id] ?? EventFields.filter(for: definition)
            filters[trigger.id] = filter
            fields = try EventFields.extract(from: event.envelope, definition: definition, filter: filter)
        } catch {
            return .done(EventOutcome(status: .routingFailed, detail: "unreadable envelope: \(error)"))
        }
        switch definition.targeting {
        case .event:
            guard let found = definition.eventAddress(in: fields) else {
                let field = (definition.channel == .email ? definition.emailField : definition.phoneField) ?? "?"
                return .done(EventOutcome(status: .targetingFailed, detail: "the event carries no address in its field '\(field)'"))
            }
            return .staged(Staged(event: event, trigger: trigger, fields: fields, address: found))
        case .profile:
            guard let key = definition.reconciliationKey(in: fields) else {
                return .done(EventOutcome(status: .targetingFailed,
                                          detail: "the event carries no value in its reconciliation field '\(definition.reconcile?.field ?? "?")'"))
            }
            guard let alias = Self.profileAlias(key.alias) else {
                return .done(EventOutcome(status: .targetingFailed, detail: "unknown reconciliation alias '\(key.alias)'"))
            }
            return .staged(Staged(event: event, trigger: trigger, fields: fields, lookup: ProfileLookup(alias: alias, value: key.value)))
        }
    }

    func complete(_ staged: Staged, _ reconciliation: RecipientMatches, now: Date) -> Preparation {
        let event = staged.event, trigger = staged.trigger, definition = trigger.definition
        var profile = RenderProfile()
        var profileId: Int64?
        let address: String
        if let lookup = staged.lookup {
            let matches = reconciliation.profiles[lookup] ?? []
            guard matches.count == 1, let match = matches.first else {
                return .done(EventOutcome(status: .targetingFailed, detail: matches.isEmpty
                    ? "no profile has \(lookup.alias.rawValue) '\(lookup.value)'"
                    : "several profiles have \(lookup.alias.rawValue) '\(lookup.value)'; nothing is sent (Adobe's rule)"))
            }
            guard let found = definition.channel == .email ? match.email : match.phone, !found.isEmpty else {
                return .done(EventOutcome(status: .targetingFailed, detail: "profile \(match.id) has no \(definition.channel == .email ? "email" : "phone")"))
            }
            address = found
            profileId = match.id
            profile = RenderProfile(email: match.email, phone: match.phone, firstName: match.firstName, lastName: match.lastName,
                                    locale: match.locale, attributes: match.attributes.mapValues(Self.json))
        } else {
            address = staged.address ?? ""
            if definition.channel == .email { profile.email = address } else { profile.phone = address }
        }
        if reconciliation.isDenylisted(address) {
            return .done(EventOutcome(status: .ignored, detail: "\(address) is on the denylist", targetAddress: address))
        }

        let compiled: CompiledTemplate
        do {
            compiled = try templates.compiled(trigger)
        } catch {
            return .done(EventOutcome(status: .routingFailed, detail: "the published template v\(trigger.version.version) cannot be rendered: \(error)"))
        }
        let messageId = Self.messageId(for: event, version: trigger.version.version, instance: settings.instance)
        let unsubscribe = "\(settings.unsubscribeBaseURL)?p=\(profileId.map(String.init) ?? "")&t=\(event.triggerEventId)"
        let input = RenderInput(event: staged.fields, profile: profile, unsubscribeUrl: unsubscribe)
        let send = PendingSend(eventId: event.id, templateVersion: trigger.version.version, outboundMessageId: messageId, targetAddress: address)
        switch definition.channel {
        case .email:
            return .send(Prepared(event: event, send: send, email: compiled.email(input, to: address, messageId: messageId, date: now)))
        case .sms:
            return .send(Prepared(event: event, send: send, sms: compiled.sms(input, to: address, messageId: messageId)))
        }
    }

    func outcome(of result: DeliveryResult, for item: Prepared, now: Date) -> EventOutcome {
        switch result {
        case .sent(let detail):
            return EventOutcome(status: .processed, detail: detail, sent: true, templateVersion: item.send.templateVersion,
                                targetAddress: item.send.targetAddress, outboundMessageId: item.send.outboundMessageId)
        case .permanentFailure(let reason):
            return EventOutcome(status: .deliveryFailed, detail: reason, templateVersion: item.send.templateVersion,
                                targetAddress: item.send.targetAddress, outboundMessageId: item.send.outboundMessageId)
        case .temporaryFailure(let reason):
            return retry(item.event, reason: reason, now: now, send: item.send)
        }
    }

    /// A temporary failure: again after `retryPeriodSec`, until
    /// `retryValiditySec` after the first failure; then it gives up with the reason kept.
    func retry(_ event: ClaimedEvent, reason: String, now: Date, send: PendingSend?) -> EventOutcome {
        let firstFailure = event.firstFailureAt ?? now
        if now.timeIntervalSince(firstFailure) + settings.retryPeriod > settings.retryValidity {
            return EventOutcome(status: .deliveryFailed,
                                detail: "gave up after \(event.attempts) attempts in \(Int(now.timeIntervalSince(firstFailure)))s: \(reason)",
                                templateVersion: send?.templateVersion, targetAddress: send?.targetAddress,
                                outboundMessageId: send?.outboundMessageId)
        }
        return EventOutcome(status: .pending, detail: reason, retryAt: now.addingTimeInterval(settings.retryPeriod),
                            templateVersion: send?.templateVersion, targetAddress: send?.targetAddress,
                            outboundMessageId: send?.outboundMessageId)
    }

    /// Derived from the event's place in the pipeline and the template
    /// version: a resend of the same message carries the same Message-ID.
    public static func messageId(for event: ClaimedEvent, version: Int, instance: String) -> String {
        // ASCII letters and digits kept, any other character a "-". Names
        // are nearly always clean already: checked on bytes, returned as they are.
        func clean(_ text: String) -> String {
            func kept(_ byte: UInt8) -> Bool {
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            }
            if text.utf8.allSatisfy(kept) { return text }
            return String(text.unicodeScalars.map { scalar -> Character in
                scalar.isASCII && kept(UInt8(scalar.value)) ? Character(scalar) : "-"
            })
        }
        return "\(clean(event.topic)).\(event.partition).\(event.offset).v\(version).\(clean(event.consumer))@\(clean(instance)).campaignctl"
    }

    /// The trigger's reconciliation alias as a profile field (`declaredId` is Adobe's name for a customer id).
    static func profileAlias(_ name: String) -> ProfileAlias? {
        switch name {
        case "declaredId", "customerId": .customerId
        default: ProfileAlias(rawValue: name)
        }
    }

    static func json(_ value: AttributeValue) -> JSONValue {
        switch value {
        case .null: .null
        case .bool(let b): .bool(b)
        case .integer(let i): .number(Double(i))
        case .number(let n): .number(n)
        case .string(let s): .string(s)
        case .array(let a): .array(a.map(json))
        case .object(let o): .object(o.mapValues(json))
        }
    }
}

/// An event's message as the daemon renders it (`events show`).
public struct RenderedEventMessage: Sendable, Codable, Equatable {
    public var templateVersion: Int?
    public var to: String?
    public var messageId: String?
    public var subject: String?
    public var text: String?
    public var html: String?
    public var sms: String?
    /// Why there is no message (the event would not be sent now).
    public var note: String?

    public init(templateVersion: Int? = nil, to: String? = nil, messageId: String? = nil, note: String? = nil) {
        self.templateVersion = templateVersion
        self.to = to
        self.messageId = messageId
        self.note = note
    }

    /// Renders one stored event for inspection.
    public static func render(eventId: Int64, layout: InstanceLayout, store: InstanceStore) throws -> (EventDetail, RenderedEventMessage) {
        let detail = try store.event(id: eventId)
        let processor = TriggerProcessor(
            store: store,
            connectors: InstanceConnectors(email: FileEmailOutbox(directory: layout.outboxDirectory), sms: FileSMSOutbox(directory: layout.outboxDirectory)),
            settings: .init(instance: layout.name, retryPeriod: 0, retryValidity: 0,
                            unsubscribeBaseURL: (try? store.option(name: DaemonAssembly.unsubscribeOption).value) ?? TriggerProcessor.defaultUnsubscribeBaseURL),
            logger: Logger(label: "campaignctl.events"))
        return (detail, processor.inspect(detail))
    }
}
