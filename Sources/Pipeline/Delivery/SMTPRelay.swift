import CampaignCore
import Foundation

/// Where outgoing email goes, from `<mta><relay address=… …/>`:
/// `address="file:"` (or `file:/some/folder`) writes `.eml` files, anything
/// else is an SMTP relay.
public enum EmailRelay: Sendable, Equatable {
    /// The `.eml` outbox; `directory` is nil for the instance default (var/NAME/outbox/email).
    case file(directory: String?)
    case smtp(SMTPRelay)

    /// Reads the attributes of the `<relay>` element. `passwordOpener` turns
    /// the stored `password` attribute into the secret (for example
    /// `InstanceKey.openFromConfig` for sealed `@…` values).
    public init(attributes: [String: String], passwordOpener: (String) throws -> String) throws(CampaignError) {
        let address = attributes["address"]?.trimmingCharacters(in: .whitespaces) ?? ""
        if address.lowercased().hasPrefix("file:") {
            let rest = String(address.dropFirst(5))
            self = .file(directory: rest.isEmpty ? nil : rest)
        } else {
            self = .smtp(try SMTPRelay(attributes: attributes, passwordOpener: passwordOpener))
        }
    }
}

/// An SMTP relay (smarthost) and how to talk to it.
public struct SMTPRelay: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    public enum Security: String, Sendable, CaseIterable {
        /// Plain SMTP; never upgraded.
        case none
        /// Plain connection upgraded with STARTTLS, which must succeed.
        case starttls
        /// TLS from the first byte (SMTPS, usually port 465).
        case tls
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    /// Never printed: `description` hides it.
    public var password: String?
    /// The name given in EHLO; libcurl uses the local host name when nil.
    public var heloName: String?
    /// Seconds to establish the connection (TCP, TLS, greeting).
    public var connectTimeout: Int
    /// Seconds for one whole message, connection included.
    public var timeout: Int
    /// A PEM bundle of CA certificates to trust instead of the system ones.
    public var caFile: String?

    public init(host: String, port: Int? = nil, security: Security = .none, username: String? = nil, password: String? = nil,
                heloName: String? = nil, connectTimeout: Int = 10, timeout: Int = 60, caFile: String? = nil) {
        self.host = host
        self.port = port ?? Self.defaultPort(security)
        self.security = security
        self.username = username
        self.password = password
        self.heloName = heloName
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.caFile = caFile
    }

    public static func defaultPort(_ security: Security) -> Int {
        switch security {
        case .none: 25
        case .starttls: 587
        case .tls: 465
        }
    }

    /// Attribute names of `<mta><relay …/>`.
    public static let attributeNames = ["address", "port", "security", "user", "password", "helo", "connectTimeout", "timeout", "caFile"]

    /// Reads and checks the attributes of `<mta><relay …/>`: `address` (host
    /// name or IP), `port`, `security` (none|starttls|tls), `user`,
    /// `password` (opened with `passwordOpener`), `helo`, `connectTimeout`
    /// and `timeout` (seconds), `caFile`. Each bad value gives a
    /// `.configuration` error naming the attribute and what it accepts.
    public init(attributes: [String: String], passwordOpener: (String) throws -> String) throws(CampaignError) {
        func bad(_ name: String, _ problem: String, hint: String) -> CampaignError {
            .configuration("<mta><relay \(name)=…>: \(problem)", hint: hint)
        }
        if let unknown = attributes.keys.sorted().first(where: { !Self.attributeNames.contains($0) }) {
            throw bad(unknown, "unknown attribute", hint: "known attributes: \(Self.attributeNames.joined(separator: ", "))")
        }
        let host = attributes["address"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let hostAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]_")
        guard !host.isEmpty else {
            throw bad("address", "missing", hint: "set address=\"file:\" to write .eml files, or the host name of your SMTP relay")
        }
        if host.lowercased().hasPrefix("file:") {
            throw bad("address", "\"file:\" is the .eml outbox, not an SMTP relay",
                      hint: "read the relay with EmailRelay(attributes:), which handles file:")
        }
        guard host.count <= 253, host.allSatisfy({ hostAllowed.contains($0) }), !host.contains(":") || Self.isIPv6(host) else {
            throw bad("address", "\(EmailAddress.quote(host)) is not a host name or IP address",
                      hint: "give only the host, e.g. address=\"smtp.example.com\" port=\"587\"; no scheme, path or user")
        }

        var security = Security.none
        if let raw = attributes["security"] {
            guard let value = Security(rawValue: raw.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw bad("security", "\(EmailAddress.quote(raw)) is not one of none, starttls, tls",
                          hint: "starttls upgrades a plain connection (port 587), tls is TLS from the start (port 465)")
            }
            security = value
        }

        func integer(_ name: String, _ range: ClosedRange<Int>, _ what: String) throws(CampaignError) -> Int? {
            guard let raw = attributes[name] else { return nil }
            guard let value = Int(raw.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
                throw bad(name, "\(EmailAddress.quote(raw)) is not \(what) (\(range.lowerBound)-\(range.upperBound))",
                          hint: "set \(name)=\"\(name == "port" ? "587" : "30")\" or remove it for the default")
            }
            return value
        }
        let port = try integer("port", 1...65535, "a port number")
        let connectTimeout = try integer("connectTimeout", 1...600, "a number of seconds") ?? 10
        let timeout = try integer("timeout", 1...3600, "a number of seconds") ?? 60

        let user = attributes["user"].flatMap { $0.isEmpty ? nil : $0 }
        let storedPassword = attributes["password"].flatMap { $0.isEmpty ? nil : $0 }
        if let user, user.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw bad("user", "contains a control character", hint: "remove line breaks from the user name")
        }
        if user != nil, storedPassword == nil {
            throw bad("password", "missing while user is set", hint: "set the relay password with campaignctl (it is stored sealed), or remove user")
        }
        if user == nil, storedPassword != nil {
            throw bad("user", "missing while password is set", hint: "set user=\"…\" or remove password")
        }
        var password: String?
        if let storedPassword {
            do {
                password = try passwordOpener(storedPassword)
            } catch {
                throw bad("password", "cannot be opened (\(error))",
                          hint: "store it again sealed with this instance's key; copied configs need their instance.key")
            }
        }
        if user != nil, security == .none, !Self.isLoopback(host) {
            throw bad("security", "\"none\" would send the password in clear to \(host)",
                      hint: "set security=\"starttls\" (port 587) or security=\"tls\" (port 465)")
        }

        var helo: String?
        if let raw = attributes["helo"], !raw.isEmpty {
            guard raw.count <= 253, raw.allSatisfy({ hostAllowed.contains($0) }) else {
                throw bad("helo", "\(EmailAddress.quote(raw)) is not a host name", hint: "use this machine's public host name")
            }
            helo = raw
        }
        var caFile: String?
        if let raw = attributes["caFile"], !raw.isEmpty {
            guard FileManager.default.isReadableFile(atPath: raw) else {
                throw bad("caFile", "\(raw) cannot be read", hint: "give the path of a PEM file of CA certificates")
            }
            caFile = raw
        }
        self.init(host: host, port: port, security: security, username: user, password: password, heloName: helo,
                  connectTimeout: connectTimeout, timeout: timeout, caFile: caFile)
    }

    static func isIPv6(_ host: String) -> Bool {
        var bare = host
        if bare.hasPrefix("["), bare.hasSuffix("]") { bare = String(bare.dropFirst().dropLast()) }
        var storage = in6_addr()
        return inet_pton(AF_INET6, bare, &storage) == 1
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }

    /// `smtp://host:port/helo` or `smtps://…`; the path is the EHLO name.
    var url: String {
        let scheme = security == .tls ? "smtps" : "smtp"
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(bracketed):\(port)/\(heloName ?? "")"
    }

    /// `dump` and debuggers see this, without the password.
    public var customMirror: Mirror {
        Mirror(self, children: ["host": host, "port": port, "security": security, "username": username as Any,
                                "password": password == nil ? "nil" : "(hidden)", "heloName": heloName as Any,
                                "connectTimeout": connectTimeout, "timeout": timeout, "caFile": caFile as Any])
    }

    public var description: String {
        var text = "\(security == .tls ? "smtps" : "smtp")://\(host):\(port) security=\(security.rawValue)"
        if let username { text += " user=\(username) password=(hidden)" }
        return text
    }
}

extension EmailRelay {
    /// The connector for this relay. `file:` without a folder writes into
    /// `layout.outboxDirectory/email` (var/NAME/outbox/email); a relative
    /// `file:` folder is taken from the instance's var/NAME folder.
    /// `keepingConnections`: for the daemon, which sends batch after batch.
    public func makeConnector(layout: InstanceLayout, keepingConnections: Bool = false) -> any EmailConnector {
        switch self {
        case .smtp(let relay):
            return SMTPConnector(relay: relay, keepingConnections: keepingConnections)
        case .file(let directory):
            let defaultFolder = layout.outboxDirectory.appendingPathComponent("email", isDirectory: true)
            guard let directory else { return FileEmailOutbox(directory: defaultFolder) }
            if directory.hasPrefix("/") { return FileEmailOutbox(directory: URL(fileURLWithPath: directory, isDirectory: true)) }
            return FileEmailOutbox(directory: layout.varDirectory.appendingPathComponent(directory, isDirectory: true))
        }
    }
}
