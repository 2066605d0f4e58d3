import CampaignCore
import Foundation
import GRDB

extension InstanceStore {
    /// Stores a credential with its secrets sealed by the instance key.
    /// Fails when the name is taken, unless `replace` is set.
    public func addCredential(_ credential: Credential, secrets: CredentialSecrets, replace: Bool) throws {
        let secretSealed = try key.seal(Data(secrets.clientSecret.utf8))
        let keySealed = try secrets.privateKeyPEM.map { try key.seal(Data($0.utf8)) }
        try write { db in
            try Self.requireSealingKey(db, key)
            let exists = try Bool.fetchOne(db, sql: "SELECT 1 FROM credential WHERE name = ?", arguments: [credential.name]) ?? false
            if exists && !replace {
                throw CampaignError(.notPermitted, "a credential named '\(credential.name)' already exists",
                                    hint: "pick another name, or pass --replace to overwrite it")
            }
            if exists {
                // A replaced credential's token was obtained with the old secret: forget it.
                let (old, _) = try Self.requireCredentialRow(db, name: credential.name)
                try db.execute(sql: "DELETE FROM imsToken WHERE cacheKey = ?", arguments: [old.tokenCacheKey])
            }
            try db.execute(sql: """
                INSERT OR REPLACE INTO credential
                (name, type, orgId, clientId, imsEndpoint, scopes, technicalAccountId, metascope,
                 clientSecretSealed, clientSecretFingerprint, privateKeySealed, privateKeyFingerprint, createdAt, updatedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    credential.name, credential.type.rawValue, credential.orgId, credential.clientId,
                    credential.imsEndpoint, credential.scopes.joined(separator: ","), credential.technicalAccountId,
                    credential.metascope, secretSealed, credential.clientSecretFingerprint, keySealed,
                    credential.privateKeyFingerprint, credential.createdAt, credential.updatedAt,
                ])
        }
    }

    public func credentials() throws -> [Credential] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM credential ORDER BY name").map(Self.credential(from:))
        }
    }

    public func credential(named name: String) throws -> Credential {
        try read { db in try Self.requireCredentialRow(db, name: name).0 }
    }

    /// The credential with its secrets opened, for the IMS client only.
    public func credentialWithSecrets(named name: String) throws -> (Credential, CredentialSecrets) {
        let (credential, secretSealed, keySealed) = try read { db -> (Credential, Data, Data?) in
            let (credential, row) = try Self.requireCredentialRow(db, name: name)
            return (credential, row["clientSecretSealed"], row["privateKeySealed"])
        }
        let secret = String(decoding: try key.open(secretSealed), as: UTF8.self)
        let privateKey = try keySealed.map { String(decoding: try key.open($0), as: UTF8.self) }
        return (credential, CredentialSecrets(clientSecret: secret, privateKeyPEM: privateKey))
    }

    /// Removes a credential and its cached token.
    public func removeCredential(named name: String) throws {
        try write { db in
            let (credential, _) = try Self.requireCredentialRow(db, name: name)
            try db.execute(sql: "DELETE FROM credential WHERE name = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM imsToken WHERE cacheKey = ?", arguments: [credential.tokenCacheKey])
        }
    }

    /// The cached token for an IMS identity, if any (expired ones included:
    /// the caller decides).
    public func cachedToken(for cacheKey: String) throws -> AccessToken? {
        let found = try read { db -> (Data, Date, Date)? in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM imsToken WHERE cacheKey = ?", arguments: [cacheKey]) else { return nil }
            return (row["tokenSealed"], row["obtainedAt"], row["expiresAt"])
        }
        guard let (sealed, obtainedAt, expiresAt) = found else { return nil }
        return AccessToken(value: String(decoding: try key.open(sealed), as: UTF8.self), obtainedAt: obtainedAt, expiresAt: expiresAt)
    }

    public func saveToken(_ token: AccessToken, for cacheKey: String) throws {
        let sealed = try key.seal(Data(token.value.utf8))
        try write { db in
            try Self.requireSealingKey(db, key)
            try db.execute(sql: "INSERT OR REPLACE INTO imsToken (cacheKey, tokenSealed, obtainedAt, expiresAt) VALUES (?, ?, ?, ?)",
                           arguments: [cacheKey, sealed, token.obtainedAt, token.expiresAt])
        }
    }

    public func forgetToken(for cacheKey: String) throws {
        try write { db in try db.execute(sql: "DELETE FROM imsToken WHERE cacheKey = ?", arguments: [cacheKey]) }
    }

    static func requireCredentialRow(_ db: Database, name: String) throws -> (Credential, Row) {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM credential WHERE name = ?", arguments: [name]) else {
            let known = try String.fetchAll(db, sql: "SELECT name FROM credential ORDER BY name")
            throw CampaignError.notFound("no credential named '\(name)'",
                                         hint: known.isEmpty ? "add one with: campaignctl auth add \(name) --type oauth …"
                                                             : "known credentials: \(known.joined(separator: ", "))")
        }
        return (try credential(from: row), row)
    }

    static func credential(from row: Row) throws -> Credential {
        let scopes: String = row["scopes"]
        return Credential(
            name: row["name"], type: CredentialType(rawValue: row["type"]) ?? .oauth, orgId: row["orgId"],
            clientId: row["clientId"], imsEndpoint: row["imsEndpoint"],
            scopes: scopes.split(separator: ",").map(String.init), technicalAccountId: row["technicalAccountId"],
            metascope: row["metascope"], clientSecretFingerprint: row["clientSecretFingerprint"],
            privateKeyFingerprint: row["privateKeyFingerprint"], createdAt: row["createdAt"], updatedAt: row["updatedAt"])
    }
}
