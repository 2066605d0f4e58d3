import CampaignCore
import Crypto
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension InstanceKey {
    /// A SHA-256 fingerprint of the key (hex, 32 digits), stored in the store
    /// to tell which key seals its secrets. Says nothing about the key itself.
    public var fingerprint: String {
        var hasher = SHA256()
        hasher.update(data: Data("campaignctl instance key fingerprint v1\n".utf8))
        key.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return hasher.finalize().prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}

extension InstanceLayout {
    /// The new key of a rotation in progress (`var/NAME/instance.key.next`).
    public var nextKeyFile: URL { varDirectory.appendingPathComponent("instance.key.next") }
}

/// What `auth rotate-key` re-encrypted: counts only, never a secret.
public struct KeyRotationResult: Sendable, Codable, Equatable {
    public var instance: String
    /// Client secrets and private keys of `auth` credentials.
    public var credentialSecrets: Int
    /// Cached IMS access tokens.
    public var cachedTokens: Int
    /// Passwords of delivery accounts (`account`).
    public var accountSecrets: Int
    /// `@…` values in config-NAME.xml (and its `.bak`).
    public var configValues: Int
    /// `@…` values that this instance's key did not seal, left as they were.
    public var configValuesLeft: Int
    /// The fingerprint of the new key.
    public var keyFingerprint: String

    public var total: Int { credentialSecrets + cachedTokens + accountSecrets + configValues }
}

/// How an interrupted rotation found when opening the instance was resolved.
public enum KeyRotationRecovery: String, Sendable, Codable {
    /// The store had been re-sealed: the config and the key file were brought along.
    case finished
    /// The store still used the old key: the new key was discarded.
    case rolledBack
}

extension InstanceStore {
    /// Re-seals every secret of the instance under a new random key:
    ///
    /// 1. the new key goes to `instance.key.next` (0600, fsynced);
    /// 2. one store transaction re-seals the credentials' secrets, cached
    ///    tokens and account passwords and records the new key's fingerprint;
    /// 3. the `@…` values of config-NAME.xml (and of its `.bak`) are re-sealed
    ///    with the atomic file writer, under the config's lock;
    /// 4. `instance.key.next` is renamed over `instance.key`.
    ///
    /// A crash at any point is resolved the next time the instance is opened
    /// (`recoverInterruptedKeyRotation`). The caller makes sure no daemon
    /// runs (it holds the daemon lock). This value keeps the old key: open
    /// the store again to use the new one.
    public func rotateKey(layout: InstanceLayout) throws -> KeyRotationResult {
        try AtomicFile.withExclusiveLock(for: layout.keyFile) {
            _ = try Self.resolveInterruptedRotation(layout)
            let old = try InstanceKey.load(from: layout.keyFile)
            // Checked before anything changes: a config that does not parse
            // would otherwise stop the rotation half-way.
            let configFiles = try Self.sealedConfigFiles(layout)
            for file in configFiles { _ = try Self.resealConfig(file, from: old, to: old, write: false) }

            let new = InstanceKey.random()
            try AtomicFile.write(new.encoded, to: layout.nextKeyFile, mode: 0o600, keepBackup: false)
            var result: KeyRotationResult
            do {
                result = try reseal(from: old, to: new, instance: layout.name)
            } catch {
                try? FileManager.default.removeItem(at: layout.nextKeyFile)
                throw error
            }
            // From here on the store needs the new key: a failure leaves
            // instance.key.next for the next open to finish the job.
            for file in configFiles {
                let (resealed, left) = try Self.resealConfig(file, from: old, to: new, write: true)
                result.configValues += resealed
                result.configValuesLeft += left
            }
            try Self.installNextKey(layout)
            return result
        }
    }

    /// Finishes or rolls back a rotation interrupted by a crash, deciding by
    /// the key fingerprint recorded in the store. Called by `open`; nil when
    /// there was nothing to do.
    @discardableResult
    public static func recoverInterruptedKeyRotation(_ layout: InstanceLayout) throws -> KeyRotationRecovery? {
        guard FileManager.default.fileExists(atPath: layout.nextKeyFile.path) else { return nil }
        return try AtomicFile.withExclusiveLock(for: layout.keyFile) { try resolveInterruptedRotation(layout) }
    }

    /// Fails when the store records a key other than `key` (the key file was
    /// replaced or restored from another backup than the store).
    func requireMatchingKey() throws {
        let key = self.key
        let stored = try read { db in try String.fetchOne(db, sql: "SELECT fingerprint FROM instanceKey WHERE id = 1") }
        guard stored == nil || stored == key.fingerprint else {
            throw CampaignError.configuration("the instance key does not match the one that seals the store's secrets",
                                              hint: "restore var/INSTANCE/instance.key from the same backup as campaign.sqlite")
        }
    }

    /// In a transaction that seals with `key`: fails when the store's secrets
    /// are sealed with another key (a rotation happened since this process
    /// loaded it), so that nothing is ever sealed with a retired key.
    static func requireSealingKey(_ db: Database, _ key: InstanceKey) throws {
        guard let stored = try String.fetchOne(db, sql: "SELECT fingerprint FROM instanceKey WHERE id = 1") else { return }
        guard stored == key.fingerprint else {
            throw CampaignError(.temporary, "the instance key does not match the one that seals the store's secrets",
                                hint: "the key was rotated while this command ran: run it again; if it persists, restore var/INSTANCE/instance.key from the same backup as the store")
        }
    }

    static func recordKey(_ db: Database, _ key: InstanceKey) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO instanceKey (id, fingerprint, updatedAt) VALUES (1, ?, ?)",
                       arguments: [key.fingerprint, Date()])
    }

    // MARK: Steps

    /// Step 2: one transaction. `secure_delete` overwrites the old sealed
    /// bytes, and a checkpoint moves them out of the write-ahead log.
    func reseal(from old: InstanceKey, to new: InstanceKey, instance: String) throws -> KeyRotationResult {
        var result = KeyRotationResult(instance: instance, credentialSecrets: 0, cachedTokens: 0, accountSecrets: 0,
                                       configValues: 0, configValuesLeft: 0, keyFingerprint: new.fingerprint)
        func resealOne(_ sealed: Data, _ what: String) throws -> Data {
            let plain: Data
            do { plain = try old.open(sealed) } catch {
                throw CampaignError.configuration("\(what) cannot be decrypted with the current instance key; nothing was changed",
                                                  hint: "remove or re-add it, then rotate again")
            }
            return try new.seal(plain)
        }
        do {
            try dbPool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA secure_delete = ON")
                defer { try? db.execute(sql: "PRAGMA secure_delete = OFF") }
                try db.inTransaction(.immediate) {
                    try Self.requireSealingKey(db, old)
                    for row in try Row.fetchAll(db, sql: "SELECT name, clientSecretSealed, privateKeySealed FROM credential") {
                        let name: String = row["name"]
                        let secret = try resealOne(row["clientSecretSealed"], "the client secret of credential '\(name)'")
                        let privateKey = try (row["privateKeySealed"] as Data?).map { try resealOne($0, "the private key of credential '\(name)'") }
                        try db.execute(sql: "UPDATE credential SET clientSecretSealed = ?, privateKeySealed = ? WHERE name = ?",
                                       arguments: [secret, privateKey, name])
                        result.credentialSecrets += privateKey == nil ? 1 : 2
                    }
                    for row in try Row.fetchAll(db, sql: "SELECT cacheKey, tokenSealed FROM imsToken") {
                        let cacheKey: String = row["cacheKey"]
                        guard let token = try? resealOne(row["tokenSealed"], "a cached token") else {
                            // A token is only a cache: drop one that does not open.
                            try db.execute(sql: "DELETE FROM imsToken WHERE cacheKey = ?", arguments: [cacheKey])
                            continue
                        }
                        try db.execute(sql: "UPDATE imsToken SET tokenSealed = ? WHERE cacheKey = ?", arguments: [token, cacheKey])
                        result.cachedTokens += 1
                    }
                    for row in try Row.fetchAll(db, sql: "SELECT name, secretSealed FROM externalAccount WHERE secretSealed IS NOT NULL") {
                        let name: String = row["name"]
                        let secret = try resealOne(row["secretSealed"], "the password of account '\(name)'")
                        try db.execute(sql: "UPDATE externalAccount SET secretSealed = ? WHERE name = ?", arguments: [secret, name])
                        result.accountSecrets += 1
                    }
                    try Self.recordKey(db, new)
                    return .commit
                }
                _ = try? db.checkpoint(.truncate)
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            throw CampaignError(.temporary, "the store is busy (another process holds a write lock for over \(Int(Self.busyTimeout)) s)",
                                hint: "try again; nothing was changed")
        }
        return result
    }

    /// The config files that may hold `@…` values: config-NAME.xml and its backup.
    static func sealedConfigFiles(_ layout: InstanceLayout) throws -> [URL] {
        let backup = URL(fileURLWithPath: layout.configFile.path + ".bak")
        return [layout.configFile, backup].filter { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// Step 3 for one file: re-seals the values `old` opens (those `new`
    /// already opens stay), under the file's lock, without a `.bak` of the
    /// old version. Returns (re-sealed, left as they were).
    static func resealConfig(_ url: URL, from old: InstanceKey, to new: InstanceKey, write: Bool) throws -> (Int, Int) {
        try AtomicFile.withExclusiveLock(for: url) {
            var document: ConfigDocument
            do {
                document = try ConfigDocument(contentsOf: url)
            } catch let error as CampaignError {
                throw CampaignError(error.status, error.message,
                                    hint: "the key rotation re-seals the '@…' values of this file: fix it (or remove a stale .bak) first")
            }
            var resealed = 0, left = 0
            try document.rewriteAttributeValues { value in
                guard value.hasPrefix("@"), value.count > 1, Data(base64Encoded: String(value.dropFirst())) != nil else { return nil }
                if write, (try? new.openFromConfig(value)) != nil {
                    resealed += 1
                    return nil
                }
                guard let plain = try? old.openFromConfig(value) else {
                    left += 1
                    return nil
                }
                resealed += 1
                return write ? try new.sealForConfig(plain) : nil
            }
            if write, document.data != (try? Data(contentsOf: url)) {
                try AtomicFile.write(document.data, to: url, keepBackup: false)
            }
            return (resealed, left)
        }
    }

    /// Step 4: `instance.key.next` replaces `instance.key`, durably.
    static func installNextKey(_ layout: InstanceLayout) throws {
        guard rename(layout.nextKeyFile.path, layout.keyFile.path) == 0 else {
            throw CampaignError(.cannotCreate, "cannot move \(layout.nextKeyFile.path) over \(layout.keyFile.path): \(String(cString: strerror(errno)))",
                                hint: "the store already uses the new key: fix the folder's permissions, then run any command to finish")
        }
        #if canImport(Glibc)
        let fd = Glibc.open(layout.varDirectory.path, O_RDONLY)
        #else
        let fd = Darwin.open(layout.varDirectory.path, O_RDONLY)
        #endif
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    /// Under the key lock: decides by the store's recorded fingerprint.
    static func resolveInterruptedRotation(_ layout: InstanceLayout) throws -> KeyRotationRecovery? {
        guard FileManager.default.fileExists(atPath: layout.nextKeyFile.path) else { return nil }
        let old = try InstanceKey.load(from: layout.keyFile)
        guard let new = try? InstanceKey.load(from: layout.nextKeyFile) else {
            // Never complete, so never used: the store cannot depend on it.
            try FileManager.default.removeItem(at: layout.nextKeyFile)
            return .rolledBack
        }
        let store = try InstanceStore(path: layout.storeFile.path, key: old)
        let recorded = try store.read { db in try String.fetchOne(db, sql: "SELECT fingerprint FROM instanceKey WHERE id = 1") }
        guard recorded == new.fingerprint else {
            try FileManager.default.removeItem(at: layout.nextKeyFile)
            return .rolledBack
        }
        for file in try sealedConfigFiles(layout) { _ = try resealConfig(file, from: old, to: new, write: true) }
        try installNextKey(layout)
        return .finished
    }
}

extension InstanceKey {
    /// The key file's content.
    var encoded: Data { Data((key.withUnsafeBytes { Data($0) }.base64EncodedString() + "\n").utf8) }
}
