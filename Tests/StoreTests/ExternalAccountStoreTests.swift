import CampaignCore
import Foundation
import Store
import Testing
import TestSupport

@Suite struct ExternalAccountStoreTests {
    func account(_ name: String, host: String = "smsc.example.com", at date: Date = Date(timeIntervalSince1970: 1_700_000_000)) -> ExternalAccount {
        ExternalAccount(name: name, channel: .sms, type: "smpp", settings: ["host": host, "port": "2775", "systemId": "acme"],
                        hasSecret: true, createdAt: date, updatedAt: date)
    }

    @Test func storesSettingsInClearAndTheSecretSealed() throws {
        let fixture = try StoreFixture(); let store = fixture.store
        try store.addExternalAccount(account("b"), secret: "pw-b", replace: false)
        try store.addExternalAccount(account("a"), secret: "pw-a", replace: false)
        #expect(try store.externalAccounts().map(\.name) == ["a", "b"])
        let a = try store.externalAccount(named: "a")
        #expect(a == account("a"))
        let (opened, secret) = try store.externalAccountWithSecret(named: "a")
        #expect(opened == a)
        #expect(secret == "pw-a")
        let file = try Data(contentsOf: fixture.layout.storeFile)
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: fixture.layout.storeFile.path + "-wal"))) ?? Data()
        #expect(file.range(of: Data("pw-a".utf8)) == nil && wal.range(of: Data("pw-a".utf8)) == nil)
    }

    @Test func aTakenNameNeedsReplaceWhichKeepsTheCreationTime() throws {
        let fixture = try StoreFixture(); let store = fixture.store
        try store.addExternalAccount(account("smsc"), secret: "one", replace: false)
        #expect(throws: CampaignError.self) { try store.addExternalAccount(account("smsc", host: "other"), secret: "two", replace: false) }
        #expect(try store.externalAccount(named: "smsc").settings["host"] == "smsc.example.com")
        let later = Date(timeIntervalSince1970: 1_800_000_000)
        try store.addExternalAccount(account("smsc", host: "other", at: later), secret: "two", replace: true)
        let replaced = try store.externalAccount(named: "smsc")
        #expect(replaced.settings["host"] == "other")
        #expect(replaced.createdAt == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(replaced.updatedAt == later)
        #expect(try store.externalAccountWithSecret(named: "smsc").1 == "two")
    }

    @Test func removeAndUnknownNames() throws {
        let fixture = try StoreFixture(); let store = fixture.store
        try store.addExternalAccount(account("smsc"), secret: nil, replace: false)
        #expect(try store.externalAccount(named: "smsc").hasSecret == false)
        try store.removeExternalAccount(named: "smsc")
        let error = #expect(throws: CampaignError.self) { try store.externalAccount(named: "smsc") }
        #expect(error?.status == .notFound)
        #expect(throws: CampaignError.self) { try store.removeExternalAccount(named: "smsc") }
    }
}
