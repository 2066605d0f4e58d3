import CampaignCore
import Foundation
import GRDB

// The marketer's catalog: trigger events, their transactional templates and
// frozen versions, and the NmsPipeline_Config option they maintain. Every
// public method is one use case in one transaction; a refused transition
// throws before anything is written.

extension InstanceStore {
    // MARK: Trigger events

    /// Creates a trigger event in Draft. The id must be new.
    public func createTrigger(id: String, definition: TriggerDefinition, now: Date = Date()) throws -> TriggerEvent {
        try TriggerEvent.validateId(id)
        var normalized = definition
        normalized.analyticsTriggerId = definition.analyticsTriggerId.lowercased()
        try normalized.validate()
        let definition = normalized
        return try write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM triggerEvent WHERE id = ?", arguments: [id]) != nil {
                throw CampaignError.notPermitted("trigger event '\(id)' already exists",
                                                 hint: "change it with: campaignctl trigger edit \(id) …, or pick another id")
            }
            try db.execute(sql: """
                INSERT INTO triggerEvent (id, label, analyticsTriggerId, channel, targeting, validitySeconds, fields,
                    emailField, phoneField, reconcileAlias, reconcileField, status, createdAt, updatedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?)
                """, arguments: [id, definition.label, definition.analyticsTriggerId, definition.channel.rawValue,
                                 definition.targeting.rawValue, definition.validitySeconds, try Self.json(definition.fields),
                                 definition.emailField, definition.phoneField, definition.reconcile?.alias,
                                 definition.reconcile?.field, now, now])
            return try Self.fetchTrigger(db, id)
        }
    }

    /// Every trigger event, by id.
    public func triggers() throws -> [TriggerEvent] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM triggerEvent ORDER BY id").map(Self.trigger(from:))
        }
    }

    public func trigger(id: String) throws -> TriggerEvent {
        try read { db in try Self.fetchTrigger(db, id) }
    }

    /// Changes a trigger's label, Analytics trigger, validity, fields or
    /// targeting fields. Channel and targeting cannot change. A published
    /// trigger stays published with its published definition, and shows as
    /// modified since publication until it is republished.
    public func editTrigger(id: String, _ edit: TriggerEdit, now: Date = Date()) throws -> TriggerEvent {
        try write { db in
            let current = try Self.fetchTrigger(db, id)
            guard !edit.isEmpty else {
                throw CampaignError(.usage, "nothing to change: give at least one of --label, --trigger-id, --validity, --field, --email-field, --phone-field, --reconcile")
            }
            let definition = edit.applied(to: current.definition)
            try definition.validate()
            let modified = current.published.map { $0 != definition } ?? false
            try db.execute(sql: """
                UPDATE triggerEvent SET label = ?, analyticsTriggerId = ?, validitySeconds = ?, fields = ?, emailField = ?,
                    phoneField = ?, reconcileAlias = ?, reconcileField = ?, modifiedSincePublication = ?, updatedAt = ?
                WHERE id = ?
                """, arguments: [definition.label, definition.analyticsTriggerId, definition.validitySeconds,
                                 try Self.json(definition.fields), definition.emailField, definition.phoneField,
                                 definition.reconcile?.alias, definition.reconcile?.field, modified, now, id])
            return try Self.fetchTrigger(db, id)
        }
    }

    /// Deletes a Draft trigger event with its template, versions and proofs.
    public func deleteTrigger(id: String) throws {
        try write { db in
            let trigger = try Self.fetchTrigger(db, id)
            guard trigger.status == .draft else {
                throw CampaignError.notPermitted("trigger event '\(id)' is published: only a Draft trigger can be deleted",
                                                 hint: "unpublish it first: campaignctl trigger unpublish \(id)")
            }
            try db.execute(sql: "DELETE FROM triggerEvent WHERE id = ?", arguments: [id])
        }
    }

    /// Publishes (or republishes after an edit) a trigger event: freezes its
    /// definition for routing, creates its transactional template in Draft if
    /// it has none, and rewrites NmsPipeline_Config from the published triggers.
    public func publishTrigger(id: String, defaultConsumer: String, now: Date = Date()) throws -> TriggerEvent {
        try write { db in
            let trigger = try Self.fetchTrigger(db, id)
            if trigger.status == .published, !trigger.modifiedSincePublication {
                throw CampaignError.notPermitted("trigger event '\(id)' is already published and unchanged since",
                                                 hint: "edit it first, or publish its template: campaignctl template publish \(id)")
            }
            try trigger.definition.validate()
            try db.execute(sql: """
                UPDATE triggerEvent SET status = 'published', published = ?, publishedAt = ?, modifiedSincePublication = 0,
                    updatedAt = ? WHERE id = ?
                """, arguments: [try Self.json(trigger.definition), now, now, id])
            try db.execute(sql: """
                INSERT OR IGNORE INTO transactionalTemplate (triggerId, status, draftRevision, createdAt, updatedAt)
                VALUES (?, 'draft', 0, ?, ?)
                """, arguments: [id, now, now])
            try Self.maintainRoutingOption(db, defaultConsumer: defaultConsumer, now: now)
            return try Self.fetchTrigger(db, id)
        }
    }

    /// Unpublishes a trigger event: it returns to Draft, its template is
    /// unpublished too, and NmsPipeline_Config no longer lists it.
    public func unpublishTrigger(id: String, defaultConsumer: String, now: Date = Date()) throws -> TriggerEvent {
        try write { db in
            let trigger = try Self.fetchTrigger(db, id)
            guard trigger.status == .published else {
                throw CampaignError.notPermitted("trigger event '\(id)' is not published (status draft)")
            }
            try Self.unpublish(db, triggerId: id, defaultConsumer: defaultConsumer, now: now)
            return try Self.fetchTrigger(db, id)
        }
    }

    // MARK: Templates

    public func template(triggerId: String) throws -> TransactionalTemplate {
        try read { db in try Self.fetchTemplate(db, triggerId) }
    }

    /// Changes the draft only (non-nil properties of `edit`); the published
    /// version is never touched. Email and SMS parts are refused on the
    /// other channel.
    public func editTemplate(triggerId: String, _ edit: TemplateContent, now: Date = Date()) throws -> TransactionalTemplate {
        try write { db in
            let template = try Self.fetchTemplate(db, triggerId)
            guard edit != TemplateContent() else {
                throw CampaignError(.usage, "nothing to change: give --subject, --from, --reply-to, --html-file, --text-file or --sms-text-file")
            }
            switch template.channel {
            case .email where edit.smsText != nil:
                throw CampaignError.badInput("'\(triggerId)' is an email trigger: --sms-text-file is for SMS triggers",
                                             hint: "use --html-file and/or --text-file")
            case .sms where edit.html != nil || edit.text != nil || edit.subject != nil || edit.replyTo != nil:
                throw CampaignError.badInput("'\(triggerId)' is an SMS trigger: it has no subject, reply-to, HTML or text part",
                                             hint: "use --sms-text-file (and --from for the sender id)")
            default: break
            }
            let content = template.draft.merging(edit)
            try db.execute(sql: """
                UPDATE transactionalTemplate SET subject = ?, sender = ?, replyTo = ?, html = ?, text = ?, smsText = ?,
                    draftRevision = draftRevision + 1, updatedAt = ? WHERE triggerId = ?
                """, arguments: [content.subject, content.from, content.replyTo, content.html, content.text, content.smsText,
                                 now, triggerId])
            return try Self.fetchTemplate(db, triggerId)
        }
    }

    /// One frozen version of a template.
    public func templateVersion(triggerId: String, version: Int) throws -> TemplateVersion {
        try read { db in
            _ = try Self.fetchTemplate(db, triggerId)
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM templateVersion WHERE triggerId = ? AND version = ?",
                                             arguments: [triggerId, version]) else {
                throw CampaignError.notFound("template '\(triggerId)' has no version \(version)",
                                             hint: "list its versions with: campaignctl template history \(triggerId)")
            }
            return Self.version(from: row)
        }
    }

    /// Every published version of a template, oldest first.
    public func templateHistory(triggerId: String) throws -> [TemplateVersion] {
        try read { db in
            _ = try Self.fetchTemplate(db, triggerId)
            return try Row.fetchAll(db, sql: "SELECT * FROM templateVersion WHERE triggerId = ? ORDER BY version",
                                    arguments: [triggerId]).map(Self.version(from:))
        }
    }

    /// Freezes the draft as a new version and publishes it. The caller has
    /// checked the draft (`expectedRevision` is the revision it checked: a
    /// concurrent edit makes the publish fail rather than freeze unchecked
    /// content). Needs a published trigger; from Paused it also resumes.
    public func publishTemplate(triggerId: String, expectedRevision: Int, now: Date = Date()) throws -> TransactionalTemplate {
        try write { db in
            let trigger = try Self.fetchTrigger(db, triggerId)
            let template = try Self.fetchTemplate(db, triggerId)
            guard trigger.status == .published else {
                throw CampaignError.notPermitted("trigger event '\(triggerId)' is not published: publish it before its template",
                                                 hint: "campaignctl trigger publish \(triggerId)")
            }
            guard template.draftRevision == expectedRevision else {
                throw CampaignError(.temporary, "the draft of '\(triggerId)' changed while it was being checked", hint: "publish again")
            }
            if template.status == .published, !template.modifiedSincePublication {
                throw CampaignError.notPermitted("template '\(triggerId)' is already published (version \(template.publishedVersion ?? 0)) and its draft is unchanged",
                                                 hint: "edit the draft first: campaignctl template edit \(triggerId) …")
            }
            let next = (try Int.fetchOne(db, sql: "SELECT MAX(version) FROM templateVersion WHERE triggerId = ?",
                                         arguments: [triggerId]) ?? 0) + 1
            let c = template.draft
            try db.execute(sql: """
                INSERT INTO templateVersion (triggerId, version, subject, sender, replyTo, html, text, smsText, draftRevision, publishedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [triggerId, next, c.subject, c.from, c.replyTo, c.html, c.text, c.smsText,
                                 template.draftRevision, now])
            try db.execute(sql: "UPDATE transactionalTemplate SET status = 'published', publishedVersion = ?, updatedAt = ? WHERE triggerId = ?",
                           arguments: [next, now, triggerId])
            return try Self.fetchTemplate(db, triggerId)
        }
    }

    /// Published → Paused: events of the trigger wait instead of being sent.
    public func pauseTemplate(triggerId: String, now: Date = Date()) throws -> TransactionalTemplate {
        try setTemplateStatus(triggerId, from: .published, to: .paused, verb: "pause", now: now,
                              hint: { $0 == .paused ? "resume it with: campaignctl template resume \(triggerId)" : "publish it first: campaignctl template publish \(triggerId)" })
    }

    /// Paused → Published: waiting events are processed (unless expired).
    public func resumeTemplate(triggerId: String, now: Date = Date()) throws -> TransactionalTemplate {
        try setTemplateStatus(triggerId, from: .paused, to: .published, verb: "resume", now: now,
                              hint: { $0 == .published ? "it is already running" : "publish it: campaignctl template publish \(triggerId)" })
    }

    /// Published or Paused → Draft. As in Adobe Campaign, unpublishing the
    /// template also unpublishes its trigger event (and updates NmsPipeline_Config).
    public func unpublishTemplate(triggerId: String, defaultConsumer: String, now: Date = Date()) throws -> TransactionalTemplate {
        try write { db in
            let template = try Self.fetchTemplate(db, triggerId)
            guard template.status != .draft else {
                throw CampaignError.notPermitted("template '\(triggerId)' is not published (status draft)")
            }
            try Self.unpublish(db, triggerId: triggerId, defaultConsumer: defaultConsumer, now: now)
            return try Self.fetchTemplate(db, triggerId)
        }
    }

    func setTemplateStatus(_ triggerId: String, from: TemplateStatus, to: TemplateStatus, verb: String, now: Date,
                           hint: @escaping @Sendable (TemplateStatus) -> String) throws -> TransactionalTemplate {
        try write { db in
            let template = try Self.fetchTemplate(db, triggerId)
            guard template.status == from else {
                throw CampaignError.notPermitted("cannot \(verb) template '\(triggerId)': it is \(template.status.rawValue), not \(from.rawValue)",
                                                 hint: hint(template.status))
            }
            try db.execute(sql: "UPDATE transactionalTemplate SET status = ?, updatedAt = ? WHERE triggerId = ?",
                           arguments: [to.rawValue, now, triggerId])
            return try Self.fetchTemplate(db, triggerId)
        }
    }

    // MARK: What the daemon reads

    /// Every trigger event that can process events now: published, with its
    /// template published or paused, and the published template version.
    public func publishedTriggers() throws -> [PublishedTrigger] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.id, e.published, t.status AS templateStatus, v.*
                FROM triggerEvent e
                JOIN transactionalTemplate t ON t.triggerId = e.id
                JOIN templateVersion v ON v.triggerId = t.triggerId AND v.version = t.publishedVersion
                WHERE e.status = 'published' AND t.status IN ('published', 'paused')
                ORDER BY e.id
                """).map { row in
                PublishedTrigger(id: row["id"], definition: try Self.decode(TriggerDefinition.self, row["published"]),
                                 templateStatus: TemplateStatus(rawValue: row["templateStatus"]) ?? .draft,
                                 version: Self.version(from: row))
            }
        }
    }

    /// One trigger event's published definition and template version, or nil
    /// if it cannot process events now.
    public func publishedTrigger(id: String) throws -> PublishedTrigger? {
        try publishedTriggers().first { $0.id == id }
    }

    /// The NmsPipeline_Config option, parsed; nil when it was never set.
    public func routingConfig() throws -> PipelineRoutingConfig? {
        try read { db in
            guard let text = try String.fetchOne(db, sql: "SELECT value FROM option WHERE name = ?",
                                                 arguments: [PipelineRoutingConfig.optionName]) else { return nil }
            return try PipelineRoutingConfig.parse(text)
        }
    }

    // MARK: Internals

    static func unpublish(_ db: Database, triggerId: String, defaultConsumer: String, now: Date) throws {
        try db.execute(sql: """
            UPDATE triggerEvent SET status = 'draft', published = NULL, publishedAt = NULL, modifiedSincePublication = 0,
                updatedAt = ? WHERE id = ?
            """, arguments: [now, triggerId])
        try db.execute(sql: "UPDATE transactionalTemplate SET status = 'draft', updatedAt = ? WHERE triggerId = ? AND status != 'draft'",
                       arguments: [now, triggerId])
        try maintainRoutingOption(db, defaultConsumer: defaultConsumer, now: now)
    }

    static func maintainRoutingOption(_ db: Database, defaultConsumer: String, now: Date) throws {
        let ids = try String.fetchAll(db, sql: "SELECT json_extract(published, '$.analyticsTriggerId') FROM triggerEvent WHERE status = 'published'")
        let currentText = try String.fetchOne(db, sql: "SELECT value FROM option WHERE name = ?", arguments: [PipelineRoutingConfig.optionName])
        let current = currentText.flatMap { try? PipelineRoutingConfig.parse($0) }
        let config = PipelineRoutingConfig.maintained(publishedTriggerIds: ids, current: current, defaultConsumer: defaultConsumer)
        try db.execute(sql: "INSERT OR REPLACE INTO option (name, value, updatedAt) VALUES (?, ?, ?)",
                       arguments: [PipelineRoutingConfig.optionName, config.text(), now])
    }

    static func fetchTrigger(_ db: Database, _ id: String) throws -> TriggerEvent {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM triggerEvent WHERE id = ?", arguments: [id]) else {
            throw CampaignError.notFound("no trigger event '\(id)'", hint: "list them with: campaignctl trigger list")
        }
        return try trigger(from: row)
    }

    static func trigger(from row: Row) throws -> TriggerEvent {
        let reconcile: Reconciliation? = (row["reconcileAlias"] as String?).flatMap { alias in
            (row["reconcileField"] as String?).map { Reconciliation(alias: alias, field: $0) }
        }
        let definition = TriggerDefinition(
            label: row["label"], analyticsTriggerId: row["analyticsTriggerId"],
            channel: Channel(rawValue: row["channel"]) ?? .email, targeting: Targeting(rawValue: row["targeting"]) ?? .event,
            validitySeconds: row["validitySeconds"], fields: try decode([TriggerField].self, row["fields"]),
            emailField: row["emailField"], phoneField: row["phoneField"], reconcile: reconcile)
        let publishedText: String? = row["published"]
        return TriggerEvent(id: row["id"], definition: definition, status: TriggerStatus(rawValue: row["status"]) ?? .draft,
                            publishedAt: row["publishedAt"], modifiedSincePublication: row["modifiedSincePublication"],
                            published: try publishedText.map { try decode(TriggerDefinition.self, $0) },
                            createdAt: row["createdAt"], updatedAt: row["updatedAt"])
    }

    static func fetchTemplate(_ db: Database, _ triggerId: String) throws -> TransactionalTemplate {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT t.*, e.channel FROM transactionalTemplate t JOIN triggerEvent e ON e.id = t.triggerId WHERE t.triggerId = ?
            """, arguments: [triggerId]) else {
            if try Row.fetchOne(db, sql: "SELECT 1 FROM triggerEvent WHERE id = ?", arguments: [triggerId]) != nil {
                throw CampaignError.notFound("trigger event '\(triggerId)' has no template yet: publishing the trigger creates it",
                                             hint: "campaignctl trigger publish \(triggerId)")
            }
            throw CampaignError.notFound("no trigger event '\(triggerId)'", hint: "list them with: campaignctl trigger list")
        }
        let draft = content(from: row)
        let publishedVersion: Int? = row["publishedVersion"]
        var modified = false
        if let publishedVersion,
           let versionRow = try Row.fetchOne(db, sql: "SELECT * FROM templateVersion WHERE triggerId = ? AND version = ?",
                                             arguments: [triggerId, publishedVersion]) {
            modified = content(from: versionRow) != draft
        }
        return TransactionalTemplate(triggerId: row["triggerId"], channel: Channel(rawValue: row["channel"]) ?? .email,
                                     status: TemplateStatus(rawValue: row["status"]) ?? .draft, draft: draft,
                                     draftRevision: row["draftRevision"], publishedVersion: publishedVersion,
                                     modifiedSincePublication: modified, createdAt: row["createdAt"], updatedAt: row["updatedAt"])
    }

    static func content(from row: Row) -> TemplateContent {
        TemplateContent(subject: row["subject"], from: row["sender"], replyTo: row["replyTo"], html: row["html"],
                        text: row["text"], smsText: row["smsText"])
    }

    static func version(from row: Row) -> TemplateVersion {
        TemplateVersion(triggerId: row["triggerId"], version: row["version"], content: content(from: row),
                        draftRevision: row["draftRevision"], publishedAt: row["publishedAt"])
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw CampaignError(.failure, "the store holds an unreadable \(type): \(error)")
        }
    }
}
