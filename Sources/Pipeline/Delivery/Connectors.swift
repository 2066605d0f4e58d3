import CampaignCore
import Foundation
import Store

/// The connectors of an instance, one per channel.
public struct InstanceConnectors: Sendable {
    public var email: any EmailConnector
    public var sms: any SMSConnector

    public init(email: any EmailConnector, sms: any SMSConnector) {
        self.email = email
        self.sms = sms
    }
}

/// The one place that decides how an instance sends. Proofs and the daemon
/// get their connectors here and nowhere else.
public enum Connectors {
    /// Email goes to the relay of `<mta><relay …/>` in the instance config
    /// (`address="file:"` writes .eml files to var/NAME/outbox/email);
    /// SMS goes to the instance's SMPP account (`account add sms`; with
    /// several, the first by name), else to var/NAME/outbox/sms.
    /// `keepingConnections`: the daemon keeps plain-relay connections open
    /// between its batches; a proof opens one and closes it.
    public static func forInstance(layout: InstanceLayout, store: InstanceStore, keepingConnections: Bool = false) throws -> InstanceConnectors {
        let relay = try EmailRelay(attributes: MailRelayConfig.attributes(layout: layout), passwordOpener: { try store.key.openFromConfig($0) })
        let smsAccount = try store.externalAccounts().filter { $0.channel == .sms }.sorted { $0.name < $1.name }.first
        let sms: any SMSConnector = try smsAccount.map { SMPPConnector(account: try SMSAccounts.load(named: $0.name, from: store)) }
            ?? FileSMSOutbox(directory: layout.outboxDirectory.appendingPathComponent("sms", isDirectory: true))
        return InstanceConnectors(email: relay.makeConnector(layout: layout, keepingConnections: keepingConnections), sms: sms)
    }
}
