import CampaignCore
import Foundation
import GRDB

/// An option as stored.
public struct StoredOption: Sendable, Codable, Equatable {
    public var name: String
    public var value: String
    public var updatedAt: Date
}

extension InstanceStore {
    // MARK: Test profiles

    /// Adds a test profile. With a trigger, its event data is checked against
    /// the trigger's fields (an unknown field is refused, naming it).
    public func addTestProfile(_ profile: TestProfile) throws -> TestProfile {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
        guard !profile.name.isEmpty, profile.name.count <= 64, profile.name.first != "-",
              profile.name.unicodeScalars.allSatisfy(allowed.contains) else {
            throw CampaignError(.usage, "invalid test profile name '\(profile.name)': use letters, digits, '_', '-' or '.' (at most 64)")
        }
        if profile.email == nil && profile.phone == nil {
            throw CampaignError(.usage, "a test profile needs --email or --phone (or both)")
        }
        return try write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM testProfile WHERE name = ?", arguments: [profile.name]) != nil {
                throw CampaignError.notPermitted("test profile '\(profile.name)' already exists",
                                                 hint: "remove it first: campaignctl testprofile remove \(profile.name)")
            }
            if let triggerId = profile.triggerId {
                let trigger = try Self.fetchTrigger(db, triggerId)
                try TestProfile.validate(eventData: profile.eventData, against: trigger.definition, triggerId: triggerId)
            }
            try db.execute(sql: "INSERT INTO testProfile (name, email, phone, eventData, triggerId, createdAt) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [profile.name, profile.email, profile.phone, try Self.json(profile.eventData),
                                       profile.triggerId, profile.createdAt])
            return try Self.fetchTestProfile(db, profile.name)
        }
    }

    public func testProfiles() throws -> [TestProfile] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM testProfile ORDER BY name").map(Self.testProfile(from:)) }
    }

    public func testProfile(name: String) throws -> TestProfile {
        try read { db in try Self.fetchTestProfile(db, name) }
    }

    public func removeTestProfile(name: String) throws {
        try write { db in
            _ = try Self.fetchTestProfile(db, name)
            try db.execute(sql: "DELETE FROM testProfile WHERE name = ?", arguments: [name])
        }
    }

    static func fetchTestProfile(_ db: Database, _ name: String) throws -> TestProfile {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM testProfile WHERE name = ?", arguments: [name]) else {
            throw CampaignError.notFound("no test profile '\(name)'", hint: "list them with: campaignctl testprofile list")
        }
        return try testProfile(from: row)
    }

    static func testProfile(from row: Row) throws -> TestProfile {
        TestProfile(name: row["name"], email: row["email"], phone: row["phone"],
                    eventData: try decode([String: JSONValue].self, row["eventData"]), triggerId: row["triggerId"],
                    createdAt: row["createdAt"])
    }

    // MARK: Proofs

    /// Numbers a new proof of a template's draft and records its recipients
    /// as pending, before anything is sent. The draft must still be at
    /// `draftRevision` (the one the caller rendered). At most 100 recipients.
    public func beginProof(triggerId: String, draftRevision: Int, labelPrefix: String,
                           recipients: [(testProfile: String, address: String)], now: Date = Date()) throws -> Proof {
        guard !recipients.isEmpty else { throw CampaignError(.usage, "a proof needs at least one recipient (--to TESTPROFILE)") }
        guard recipients.count <= 100 else {
            throw CampaignError.badInput("a proof goes to at most 100 recipients; \(recipients.count) were given")
        }
        return try write { db in
            let template = try Self.fetchTemplate(db, triggerId)
            guard template.draftRevision == draftRevision else {
                throw CampaignError(.temporary, "the draft of '\(triggerId)' changed while the proof was being prepared", hint: "send the proof again")
            }
            let number = (try Int.fetchOne(db, sql: "SELECT MAX(number) FROM proof WHERE triggerId = ?", arguments: [triggerId]) ?? 0) + 1
            try db.execute(sql: """
                INSERT INTO proof (triggerId, number, draftRevision, publishedVersion, labelPrefix, sentAt) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [triggerId, number, draftRevision, template.publishedVersion, labelPrefix, now])
            let proofId = db.lastInsertedRowID
            for (position, recipient) in recipients.enumerated() {
                try db.execute(sql: """
                    INSERT INTO proofRecipient (proofId, position, testProfile, address, result) VALUES (?, ?, ?, ?, 'pending')
                    """, arguments: [proofId, position, recipient.testProfile, recipient.address])
            }
            return try Self.fetchProofs(db, triggerId, number: number)[0]
        }
    }

    /// Records the delivery result of each recipient of a proof, in order.
    public func recordProofResults(triggerId: String, number: Int, results: [(result: String, detail: String?)]) throws -> Proof {
        try write { db in
            guard let proofId = try Int64.fetchOne(db, sql: "SELECT id FROM proof WHERE triggerId = ? AND number = ?",
                                                   arguments: [triggerId, number]) else {
                throw CampaignError.notFound("template '\(triggerId)' has no proof #\(number)")
            }
            for (position, r) in results.enumerated() {
                try db.execute(sql: "UPDATE proofRecipient SET result = ?, detail = ? WHERE proofId = ? AND position = ?",
                               arguments: [r.result, r.detail, proofId, position])
            }
            return try Self.fetchProofs(db, triggerId, number: number)[0]
        }
    }

    /// The proofs of a template, newest first.
    public func proofs(triggerId: String) throws -> [Proof] {
        try read { db in
            _ = try Self.fetchTemplate(db, triggerId)
            return try Self.fetchProofs(db, triggerId, number: nil)
        }
    }

    static func fetchProofs(_ db: Database, _ triggerId: String, number: Int?) throws -> [Proof] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT * FROM proof WHERE triggerId = ? AND (? IS NULL OR number = ?) ORDER BY number DESC
            """, arguments: [triggerId, number, number])
        return try rows.map { row in
            let recipients = try Row.fetchAll(db, sql: "SELECT * FROM proofRecipient WHERE proofId = ? ORDER BY position",
                                              arguments: [row["id"] as Int64]).map {
                ProofRecipient(testProfile: $0["testProfile"], address: $0["address"], result: $0["result"], detail: $0["detail"])
            }
            return Proof(triggerId: row["triggerId"], number: row["number"], draftRevision: row["draftRevision"],
                         publishedVersion: row["publishedVersion"], labelPrefix: row["labelPrefix"], sentAt: row["sentAt"],
                         recipients: recipients)
        }
    }

    // MARK: Options

    /// The options campaignctl knows; `option set` refuses others.
    public static let knownOptions = [PipelineRoutingConfig.optionName]

    public func option(name: String) throws -> StoredOption {
        try Self.checkOptionName(name)
        return try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM option WHERE name = ?", arguments: [name]) else {
                throw CampaignError.notFound("option \(name) is not set",
                                             hint: name == PipelineRoutingConfig.optionName
                                                 ? "publishing a trigger sets it (campaignctl trigger publish ID), or set it with: campaignctl option set \(name) --file FILE"
                                                 : nil)
            }
            return StoredOption(name: row["name"], value: row["value"], updatedAt: row["updatedAt"])
        }
    }

    /// Overrides an option. NmsPipeline_Config must be valid (checked before
    /// anything is written); the text is stored as given.
    public func setOption(name: String, value: String, now: Date = Date()) throws -> StoredOption {
        try Self.checkOptionName(name)
        if name == PipelineRoutingConfig.optionName { _ = try PipelineRoutingConfig.parse(value) }
        return try write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO option (name, value, updatedAt) VALUES (?, ?, ?)", arguments: [name, value, now])
            return StoredOption(name: name, value: value, updatedAt: now)
        }
    }

    static func checkOptionName(_ name: String) throws {
        guard knownOptions.contains(name) else {
            throw CampaignError.notFound("unknown option '\(name)'", hint: "known options: \(knownOptions.joined(separator: ", "))")
        }
    }
}
