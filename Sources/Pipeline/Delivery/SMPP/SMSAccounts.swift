import CampaignCore
import Foundation
import Store

/// The outcome of `account test`: a bind that worked, then an unbind.
public struct SMPPAccountCheck: Sendable, Codable, Equatable {
    public var name: String
    public var endpoint: String
    public var systemId: String
    /// The system_id the SMSC answered the bind with.
    public var smscSystemId: String
    public var bound: Bool
    public var elapsedMilliseconds: Int
}

/// SMS account use cases that need both the store and the SMPP client.
public enum SMSAccounts {
    /// Validates and stores an SMPP account (password sealed).
    @discardableResult
    public static func add(_ account: SMPPAccount, name: String, replace: Bool, to store: InstanceStore) throws -> ExternalAccount {
        try ExternalAccount.validateName(name)
        try account.validate()
        let external = account.externalAccount(name: name)
        try store.addExternalAccount(external, secret: account.password, replace: replace)
        return try store.externalAccount(named: name)
    }

    /// The SMPP account named `name`, password opened.
    public static func load(named name: String, from store: InstanceStore) throws -> SMPPAccount {
        let (external, secret) = try store.externalAccountWithSecret(named: name)
        guard external.channel == .sms, external.type == SMPPAccount.type else {
            throw CampaignError.configuration("account '\(name)' is a \(external.channel.rawValue) account of type \(external.type), not an SMPP account")
        }
        return try SMPPAccount(account: external, password: secret ?? "")
    }

    /// Binds to the account's SMSC as a transmitter and unbinds.
    /// - Throws: `CampaignError` (69) naming the account when the SMSC is
    ///   unreachable or refuses the bind.
    public static func test(named name: String, in store: InstanceStore, options: SMPPOptions = SMPPOptions()) throws -> SMPPAccountCheck {
        let account = try load(named: name, from: store)
        let started = Date()
        do {
            let smsc = try SMPPSession.check(account, options: options)
            return SMPPAccountCheck(name: name, endpoint: account.endpoint, systemId: account.systemId, smscSystemId: smsc,
                                    bound: true, elapsedMilliseconds: Int(Date().timeIntervalSince(started) * 1000))
        } catch {
            throw error.campaignError(account: name)
        }
    }
}
