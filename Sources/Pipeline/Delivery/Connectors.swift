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

/// The one place that decides how an instance sends. Proofs (and later the
/// daemon) get their connectors here and nowhere else.
public enum Connectors {
    /// For now every instance writes to its outbox folder
    /// (var/NAME/outbox/email/*.eml and outbox/sms/*.json).
    public static func forInstance(layout: InstanceLayout, store: InstanceStore) throws -> InstanceConnectors {
        InstanceConnectors(
            email: BasicOutboxEmailConnector(directory: layout.outboxDirectory.appendingPathComponent("email", isDirectory: true)),
            sms: BasicOutboxSMSConnector(directory: layout.outboxDirectory.appendingPathComponent("sms", isDirectory: true)))
    }
}
