import CampaignCore
import Foundation
import GRDB

extension InstanceStore {
    /// Stores a delivery account, its secret sealed by the instance key.
    /// Fails when the name is taken, unless `replace` is set (the original
    /// creation time is kept).
    public func addExternalAccount(_ account: ExternalAccount, secret: String?, replace: Bool) throws {
        let sealed = try secret.map { try key.seal(Data($0.utf8)) }
        let settings = try Self.settingsJSON(account.settings)
        try write { db in
            try Self.requireSealingKey(db, key)
            let createdAt = try Date.fetchOne(db, sql: "SELECT createdAt FROM externalAccount WHERE name = ?", arguments: [account.name])
            if createdAt != nil && !replace {
                throw CampaignError(.notPermitted, "an account named '\(account.name)' already exists",
                                    hint: "pick another name, or pass --replace to overwrite it")
            }
            try db.execute(sql: """
                INSERT OR REPLACE INTO externalAccount (name, channel, type, settings, secretSealed, createdAt, updatedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [account.name, account.channel.rawValue, account.type, settings, sealed,
                                 createdAt ?? account.createdAt, account.updatedAt])
        }
    }

    /// Every account, by name, without secrets.
    public func externalAccounts() throws -> [ExternalAccount] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM externalAccount ORDER BY name").map(Self.externalAccount(from:))
        }
    }

    public func externalAccount(named name: String) throws -> ExternalAccount {
        try read { db in try Self.requireExternalAccountRow(db, name: name).0 }
    }

    /// The account with its secret opened, for the connector only.
    public func externalAccountWithSecret(named name: String) throws -> (ExternalAccount, String?) {
        let (account, sealed) = try read { db -> (ExternalAccount, Data?) in
            let (account, row) = try Self.requireExternalAccountRow(db, name: name)
            return (account, row["secretSealed"])
        }
        return (account, try sealed.map { String(decoding: try key.open($0), as: UTF8.self) })
    }

    public func removeExternalAccount(named name: String) throws {
        try write { db in
            _ = try Self.requireExternalAccountRow(db, name: name)
            try db.execute(sql: "DELETE FROM externalAccount WHERE name = ?", arguments: [name])
        }
    }

    static func settingsJSON(_ settings: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(settings), as: UTF8.self)
    }

    static func requireExternalAccountRow(_ db: Database, name: String) throws -> (ExternalAccount, Row) {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM externalAccount WHERE name = ?", arguments: [name]) else {
            let known = try String.fetchAll(db, sql: "SELECT name FROM externalAccount ORDER BY name")
            throw CampaignError.notFound("no account named '\(name)'",
                                         hint: known.isEmpty ? "add one with: campaignctl account add sms \(name) --smpp HOST:PORT --system-id ID --password-file FILE"
                                                             : "known accounts: \(known.joined(separator: ", "))")
        }
        return (try externalAccount(from: row), row)
    }

    static func externalAccount(from row: Row) throws -> ExternalAccount {
        let name: String = row["name"]
        let settingsText: String = row["settings"]
        guard let settings = try? JSONDecoder().decode([String: String].self, from: Data(settingsText.utf8)) else {
            throw CampaignError.configuration("the settings of account '\(name)' are not a JSON object of strings",
                                              hint: "re-add the account with --replace")
        }
        let channelText: String = row["channel"]
        let sealed: Data? = row["secretSealed"]
        return ExternalAccount(name: name, channel: ExternalAccountChannel(rawValue: channelText) ?? .sms, type: row["type"],
                               settings: settings, hasSecret: sealed != nil, createdAt: row["createdAt"], updatedAt: row["updatedAt"])
    }
}
