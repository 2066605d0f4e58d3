import CampaignCore
import Foundation

/// How to reach and bind to an SMSC. The password is only ever in memory:
/// the store keeps it sealed, `settings` never includes it.
public struct SMPPAccount: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var systemId: String
    public var password: String
    public var systemType: String
    /// The sender: a short code, an international number (`+…`) or an
    /// alphanumeric name (at most 11 characters). Nil lets the SMSC choose.
    public var sourceAddress: String?
    /// Overrides of the source TON/NPI derived from `sourceAddress`.
    public var sourceTON: UInt8?
    public var sourceNPI: UInt8?
    /// submit_sm registered_delivery (0 none, 1 delivery receipt requested).
    public var registeredDelivery: UInt8

    public init(host: String, port: Int, systemId: String, password: String, systemType: String = "",
                sourceAddress: String? = nil, sourceTON: UInt8? = nil, sourceNPI: UInt8? = nil, registeredDelivery: UInt8 = 0) {
        self.host = host
        self.port = port
        self.systemId = systemId
        self.password = password
        self.systemType = systemType
        self.sourceAddress = sourceAddress
        self.sourceTON = sourceTON
        self.sourceNPI = sourceNPI
        self.registeredDelivery = registeredDelivery
    }

    public static let type = "smpp"

    public var endpoint: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Parses `host:port` or `[v6]:port`; a usage error (64) otherwise.
    public static func parseEndpoint(_ value: String) throws -> (host: String, port: Int) {
        let usage = { (why: String) in
            CampaignError(.usage, "invalid --smpp '\(value)': \(why)",
                          hint: "give the SMSC as host:port, for example smsc.example.com:2775 or [::1]:2775")
        }
        let host: Substring
        let portText: Substring
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]"), value[value.index(after: close)...].hasPrefix(":") else {
                throw usage("an IPv6 address must be written [address]:port")
            }
            host = value[value.index(after: value.startIndex)..<close]
            portText = value[value.index(close, offsetBy: 2)...]
        } else {
            guard let colon = value.lastIndex(of: ":") else { throw usage("the port is missing") }
            host = value[..<colon]
            portText = value[value.index(after: colon)...]
            if host.contains(":") { throw usage("write an IPv6 address as [address]:port") }
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" }) else { throw usage("the host is missing or invalid") }
        guard let port = Int(portText), (1...65535).contains(port) else { throw usage("the port must be a number from 1 to 65535") }
        return (String(host), port)
    }

    /// Checks the SMPP 3.4 field limits (system_id 15, password 8,
    /// system_type 12 octets) and the sender; a bad-input error (65) otherwise.
    public func validate() throws {
        func check(_ value: String, _ field: String, max: Int, flag: String) throws {
            guard value.utf8.count <= max, value.allSatisfy({ $0.isASCII && !$0.isNewline }) else {
                throw CampaignError.badInput("\(field) must be at most \(max) ASCII characters (SMPP 3.4 limit)",
                                             hint: "check \(flag)")
            }
        }
        try check(systemId, "the system id", max: 15, flag: "--system-id")
        guard !systemId.isEmpty else { throw CampaignError.badInput("the system id is empty", hint: "pass --system-id") }
        try check(password, "the password", max: 8, flag: "the password file")
        try check(systemType, "the system type", max: 12, flag: "--system-type")
        if let sourceAddress, !Self.isValidSource(sourceAddress) {
            throw CampaignError.badInput("invalid source address '\(sourceAddress)'",
                                         hint: "use a short code, an international number like +33612345678, or up to 11 letters and digits")
        }
    }

    static func isValidSource(_ source: String) -> Bool {
        let digits = source.hasPrefix("+") ? String(source.dropFirst()) : source
        if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) { return digits.count <= 20 }
        guard (1...11).contains(source.count) else { return false }
        return source.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == " " || $0 == "-" || $0 == ".") }
    }

    /// The source TON/NPI: international for `+…`, alphanumeric (5/0) for a
    /// name, network-specific short code (3/0) for up to 8 digits, else
    /// unknown/ISDN (0/1).
    var sourceAddressing: (address: String, ton: UInt8, npi: UInt8) {
        guard let source = sourceAddress, !source.isEmpty else { return ("", sourceTON ?? 0, sourceNPI ?? 0) }
        var derived: (String, UInt8, UInt8)
        if source.hasPrefix("+") {
            derived = (String(source.dropFirst()), 1, 1)
        } else if !source.allSatisfy(\.isNumber) {
            derived = (source, 5, 0)
        } else if source.count <= 8 {
            derived = (source, 3, 0)
        } else {
            derived = (source, 0, 1)
        }
        if let sourceTON { derived.1 = sourceTON }
        if let sourceNPI { derived.2 = sourceNPI }
        return derived
    }

    /// The settings stored in clear (everything but the password).
    public var settings: [String: String] {
        var settings = ["host": host, "port": String(port), "systemId": systemId, "registeredDelivery": String(registeredDelivery)]
        if !systemType.isEmpty { settings["systemType"] = systemType }
        if let sourceAddress { settings["sourceAddress"] = sourceAddress }
        if let sourceTON { settings["sourceTON"] = String(sourceTON) }
        if let sourceNPI { settings["sourceNPI"] = String(sourceNPI) }
        return settings
    }

    /// The account as the store keeps it.
    public func externalAccount(name: String, createdAt: Date = Date()) -> ExternalAccount {
        ExternalAccount(name: name, channel: .sms, type: Self.type, settings: settings, hasSecret: true,
                        createdAt: createdAt, updatedAt: createdAt)
    }

    /// Rebuilds the account from the store's row and its opened secret.
    public init(account: ExternalAccount, password: String) throws {
        guard account.type == Self.type else {
            throw CampaignError.configuration("account '\(account.name)' is of type \(account.type), not smpp")
        }
        let settings = account.settings
        guard let host = settings["host"], let port = settings["port"].flatMap({ Int($0) }), let systemId = settings["systemId"] else {
            throw CampaignError.configuration("account '\(account.name)' lacks its host, port or system id",
                                              hint: "re-add it with: campaignctl account add sms \(account.name) --smpp HOST:PORT … --replace")
        }
        self.init(host: host, port: port, systemId: systemId, password: password, systemType: settings["systemType"] ?? "",
                  sourceAddress: settings["sourceAddress"], sourceTON: settings["sourceTON"].flatMap { UInt8($0) },
                  sourceNPI: settings["sourceNPI"].flatMap { UInt8($0) },
                  registeredDelivery: settings["registeredDelivery"].flatMap { UInt8($0) } ?? 0)
    }
}

/// Timing of an SMPP session.
public struct SMPPOptions: Sendable, Equatable {
    /// Seconds to open the TCP connection.
    public var connectTimeout: TimeInterval
    /// Seconds to wait for any response PDU.
    public var responseTimeout: TimeInterval
    /// Seconds of silence after which the client sends enquire_link.
    public var enquireLinkInterval: TimeInterval

    public init(connectTimeout: TimeInterval = 10, responseTimeout: TimeInterval = 10, enquireLinkInterval: TimeInterval = 30) {
        self.connectTimeout = connectTimeout
        self.responseTimeout = responseTimeout
        self.enquireLinkInterval = enquireLinkInterval
    }
}

/// What went wrong in an SMPP session.
public enum SMPPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// TCP connect failed, the link dropped, or a response never came.
    case connection(String)
    /// The SMSC answered the bind with an error status.
    case bindRefused(status: UInt32)
    /// The SMSC answered a request with an error status (or a generic_nack).
    case refused(command: String, status: UInt32)

    public var description: String {
        switch self {
        case .connection(let reason): reason
        case .bindRefused(let status):
            "the SMSC refused the bind: \(Self.bindReason(status)) \(SMPPStatus.describe(status))"
        case .refused(let command, let status): "the SMSC answered \(command) with \(SMPPStatus.describe(status))"
        }
    }

    static func bindReason(_ status: UInt32) -> String {
        switch status {
        case SMPPStatus.invalidPassword: "invalid password"
        case SMPPStatus.invalidSystemId: "invalid system id"
        case SMPPStatus.alreadyBound: "already bound"
        default: "bind failed"
        }
    }

    /// Whether a message refused this way may succeed later.
    public var isTemporary: Bool {
        switch self {
        case .connection, .bindRefused: true
        case .refused(_, let status): SMPPStatus.isTemporary(status)
        }
    }

    /// The error as the CLI shows it (exit 69: upstream refused or unreachable).
    public func campaignError(account name: String) -> CampaignError {
        switch self {
        case .connection(let reason):
            CampaignError.unavailable("account '\(name)': \(reason)",
                                      hint: "check the SMSC host and port, and that the SMSC is up and reachable from here")
        case .bindRefused(let status):
            CampaignError.unavailable("account '\(name)': \(description)",
                                      hint: status == SMPPStatus.invalidPassword || status == SMPPStatus.invalidSystemId
                                        ? "check the system id and password; fix them with: campaignctl account add sms \(name) … --replace"
                                        : "ask the SMSC operator whether this account may bind as a transmitter")
        case .refused:
            CampaignError.unavailable("account '\(name)': \(description)")
        }
    }
}
