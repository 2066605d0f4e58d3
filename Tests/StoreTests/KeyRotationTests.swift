import CampaignCore
import Foundation
@testable import Store
import Testing
import TestSupport

@Suite struct KeyRotationTests {
    let date = Date(timeIntervalSince1970: 1_700_000_000)

    /// A store with a JWT credential, a cached token and an SMPP account, and
    /// a config (plus .bak) holding sealed `@…` values and one foreign value.
    func populated() throws -> (StoreFixture, foreign: String) {
        let fixture = try StoreFixture()
        let store = fixture.store
        let credential = Credential(name: "adobe", type: .jwt, orgId: "ORG@AdobeOrg", clientId: "client", imsEndpoint: "https://ims.example.com",
                                    scopes: ["openid"], technicalAccountId: "X@techacct.adobe.com", metascope: nil,
                                    clientSecretFingerprint: "ab", privateKeyFingerprint: "cd", createdAt: date, updatedAt: date)
        try store.addCredential(credential, secrets: CredentialSecrets(clientSecret: "client-secret-1", privateKeyPEM: "PEM-BODY"), replace: false)
        try store.saveToken(AccessToken(value: "token-1", obtainedAt: date, expiresAt: date.addingTimeInterval(3600)), for: "cache-1")
        try store.addExternalAccount(ExternalAccount(name: "smsc", channel: .sms, type: "smpp", settings: ["host": "127.0.0.1"],
                                                     hasSecret: true, createdAt: date, updatedAt: date),
                                     secret: "smpp-password", replace: false)
        let foreign = try InstanceKey.random().sealForConfig("not ours")
        try FileManager.default.createDirectory(at: fixture.layout.confDirectory, withIntermediateDirectories: true)
        let xml = """
            <serverconf>
              <ims authIMSTAClientSecret="\(try store.key.sealForConfig("client-secret-1"))" other="@notbase64!"/>
              <mta><relay address="127.0.0.1" password="\(try store.key.sealForConfig("relay-password"))" user="u"/></mta>
              <pipelined appName="\(foreign)"/>
            </serverconf>
            """
        try xml.write(to: fixture.layout.configFile, atomically: true, encoding: .utf8)
        try "<serverconf><mta><relay password=\"\(try store.key.sealForConfig("old-relay"))\"/></mta></serverconf>"
            .write(toFile: fixture.layout.configFile.path + ".bak", atomically: true, encoding: .utf8)
        return (fixture, foreign)
    }

    func relayPassword(_ url: URL) throws -> String {
        try #require(try ConfigDocument(contentsOf: url).attribute("password", at: ["serverconf", "mta", "relay"]))
    }

    /// Every secret opens with the store opened afresh, none with `old`.
    func expectResealed(_ layout: InstanceLayout, old: InstanceKey, foreign: String) throws {
        let store = try InstanceStore.open(layout: layout)
        #expect(store.key.fingerprint != old.fingerprint)
        let (_, secrets) = try store.credentialWithSecrets(named: "adobe")
        #expect(secrets == CredentialSecrets(clientSecret: "client-secret-1", privateKeyPEM: "PEM-BODY"))
        #expect(try store.cachedToken(for: "cache-1")?.value == "token-1")
        #expect(try store.externalAccountWithSecret(named: "smsc").1 == "smpp-password")
        let config = try ConfigDocument(contentsOf: layout.configFile)
        let clientSecret = try #require(config.attribute("authIMSTAClientSecret", at: ["serverconf", "ims"]))
        #expect(try store.key.openFromConfig(clientSecret) == "client-secret-1")
        #expect(try store.key.openFromConfig(try relayPassword(layout.configFile)) == "relay-password")
        #expect(try store.key.openFromConfig(try relayPassword(URL(fileURLWithPath: layout.configFile.path + ".bak"))) == "old-relay")
        #expect(config.attribute("appName", at: ["serverconf", "pipelined"]) == foreign)
        #expect(config.attribute("other", at: ["serverconf", "ims"]) == "@notbase64!")

        // The old key opens nothing: not the store's rows, not the config values.
        let stale = try InstanceStore(path: layout.storeFile.path, key: old)
        #expect(throws: CampaignError.self) { try stale.credentialWithSecrets(named: "adobe") }
        #expect(throws: CampaignError.self) { try stale.cachedToken(for: "cache-1") }
        #expect(throws: CampaignError.self) { try stale.externalAccountWithSecret(named: "smsc") }
        #expect(throws: CampaignError.self) { try old.openFromConfig(clientSecret) }
        #expect(throws: CampaignError.self) { try old.openFromConfig(try relayPassword(layout.configFile)) }
        #expect(throws: CampaignError.self) { try old.openFromConfig(try relayPassword(URL(fileURLWithPath: layout.configFile.path + ".bak"))) }
        #expect(!FileManager.default.fileExists(atPath: layout.nextKeyFile.path))
        let mode = try FileManager.default.attributesOfItem(atPath: layout.keyFile.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func rotationResealsEverySecretAndTheOldKeyOpensNothing() throws {
        let (fixture, foreign) = try populated()
        let old = fixture.store.key
        let result = try fixture.store.rotateKey(layout: fixture.layout)
        #expect(result.credentialSecrets == 2)
        #expect(result.cachedTokens == 1)
        #expect(result.accountSecrets == 1)
        #expect(result.configValues == 3)
        #expect(result.configValuesLeft == 1)
        #expect(result.total == 7)
        try expectResealed(fixture.layout, old: old, foreign: foreign)

        // A process that loaded the old key before the rotation seals nothing with it.
        #expect(throws: CampaignError.self) {
            try fixture.store.saveToken(AccessToken(value: "t", obtainedAt: date, expiresAt: date), for: "cache-2")
        }
        // A key file that does not match the store is refused at open.
        try InstanceKey.random().write(to: fixture.layout.keyFile)
        #expect(throws: CampaignError.self) { try InstanceStore.open(layout: fixture.layout) }
    }

    @Test func aRotationInterruptedAfterTheStoreCommitIsFinishedByTheNextOpen() throws {
        let (fixture, foreign) = try populated()
        let old = fixture.store.key
        let new = InstanceKey.random()
        try new.write(to: fixture.layout.nextKeyFile)
        _ = try fixture.store.reseal(from: old, to: new, instance: "test")
        // Crash here: the store uses the new key, the config and key file do not.
        let recovered = try InstanceStore.open(layout: fixture.layout)
        #expect(recovered.key.fingerprint == new.fingerprint)
        try expectResealed(fixture.layout, old: old, foreign: foreign)
    }

    @Test func aRotationInterruptedAfterTheConfigRewriteIsFinishedByTheNextOpen() throws {
        let (fixture, foreign) = try populated()
        let old = fixture.store.key
        let new = InstanceKey.random()
        try new.write(to: fixture.layout.nextKeyFile)
        _ = try fixture.store.reseal(from: old, to: new, instance: "test")
        for file in try InstanceStore.sealedConfigFiles(fixture.layout) {
            _ = try InstanceStore.resealConfig(file, from: old, to: new, write: true)
        }
        #expect(try InstanceStore.recoverInterruptedKeyRotation(fixture.layout) == .finished)
        try expectResealed(fixture.layout, old: old, foreign: foreign)
    }

    @Test func aRotationInterruptedBeforeTheStoreCommitIsRolledBack() throws {
        let (fixture, _) = try populated()
        let old = fixture.store.key
        let configBefore = try Data(contentsOf: fixture.layout.configFile)
        try InstanceKey.random().write(to: fixture.layout.nextKeyFile)
        let store = try InstanceStore.open(layout: fixture.layout)
        #expect(store.key.fingerprint == old.fingerprint)
        #expect(!FileManager.default.fileExists(atPath: fixture.layout.nextKeyFile.path))
        #expect(try store.credentialWithSecrets(named: "adobe").1.clientSecret == "client-secret-1")
        #expect(try Data(contentsOf: fixture.layout.configFile) == configBefore)
    }

    @Test func aSecretTheKeyCannotOpenStopsTheRotationBeforeAnythingChanges() throws {
        let (fixture, _) = try populated()
        let stranger = try InstanceStore(path: fixture.layout.storeFile.path, key: InstanceKey.random())
        // Written as if by a foreign key (bypassing the key check).
        try stranger.write { db in
            try db.execute(sql: "UPDATE externalAccount SET secretSealed = ? WHERE name = 'smsc'",
                           arguments: [try stranger.key.seal(Data("x".utf8))])
        }
        let keyBefore = try Data(contentsOf: fixture.layout.keyFile)
        let configBefore = try Data(contentsOf: fixture.layout.configFile)
        let error = try #require(throws: CampaignError.self) { try fixture.store.rotateKey(layout: fixture.layout) }
        #expect(error.message.contains("account 'smsc'"))
        #expect(try Data(contentsOf: fixture.layout.keyFile) == keyBefore)
        #expect(try Data(contentsOf: fixture.layout.configFile) == configBefore)
        #expect(!FileManager.default.fileExists(atPath: fixture.layout.nextKeyFile.path))
        #expect(try fixture.store.credentialWithSecrets(named: "adobe").1.clientSecret == "client-secret-1")
    }
}
