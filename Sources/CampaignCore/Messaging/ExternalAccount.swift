import Foundation

/// The channel an external account delivers for.
public enum ExternalAccountChannel: String, Sendable, Codable, CaseIterable {
    case sms
    case email
}

/// A delivery account (an SMSC over SMPP, later mail relays): its non-secret
/// settings in clear, its secret sealed in the store and never part of this value.
public struct ExternalAccount: Sendable, Codable, Equatable {
    public var name: String
    public var channel: ExternalAccountChannel
    /// The connector: `smpp` for SMS.
    public var type: String
    /// Connector settings (host, port, systemId…), never a secret.
    public var settings: [String: String]
    /// Whether a secret (password) is stored for the account.
    public var hasSecret: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(name: String, channel: ExternalAccountChannel, type: String, settings: [String: String],
                hasSecret: Bool, createdAt: Date = Date(), updatedAt: Date = Date()) {
        self.name = name
        self.channel = channel
        self.type = type
        self.settings = settings
        self.hasSecret = hasSecret
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Account names: letters, digits, '_', '-' and '.', 1 to 64 characters.
    public static func validateName(_ name: String) throws {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_-."))
        guard (1...64).contains(name.count), name.unicodeScalars.allSatisfy({ allowed.contains($0) && $0.isASCII }),
              !name.hasPrefix(".") else {
            throw CampaignError(.usage, "invalid account name '\(name)'",
                                hint: "use 1 to 64 letters, digits, '_', '-' or '.', not starting with '.'")
        }
    }
}
