import Foundation

/// A recipient known to the instance: the target of profile-based triggers
/// (Adobe's targeting dimension "Profile"). Aliases (`mcId`, `visitorId`,
/// `customerId`, `email`, `phone`) are not unique: several profiles may share
/// one, and the daemon treats that as a reconciliation failure.
public struct Profile: Sendable, Equatable, Codable {
    public var id: Int64
    /// Lowercased.
    public var email: String?
    /// Digits, with a leading `+` when the source had one.
    public var phone: String?
    public var firstName: String?
    public var lastName: String?
    public var locale: String?
    public var mcId: String?
    public var visitorId: String?
    public var customerId: String?
    /// Every imported column that is not a known field.
    public var attributes: [String: AttributeValue]
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: Int64, email: String? = nil, phone: String? = nil, firstName: String? = nil, lastName: String? = nil,
                locale: String? = nil, mcId: String? = nil, visitorId: String? = nil, customerId: String? = nil,
                attributes: [String: AttributeValue] = [:], createdAt: Date, updatedAt: Date) {
        self.id = id
        self.email = email
        self.phone = phone
        self.firstName = firstName
        self.lastName = lastName
        self.locale = locale
        self.mcId = mcId
        self.visitorId = visitorId
        self.customerId = customerId
        self.attributes = attributes
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public func value(of field: ProfileField) -> String? {
        switch field {
        case .email: email
        case .phone: phone
        case .firstName: firstName
        case .lastName: lastName
        case .locale: locale
        case .mcId: mcId
        case .visitorId: visitorId
        case .customerId: customerId
        }
    }
}

/// The known profile columns, in the order they are shown.
public enum ProfileField: String, Sendable, CaseIterable, Codable, Hashable {
    case email, phone, firstName, lastName, locale, mcId, visitorId, customerId

    /// Matches an import column name: case-insensitive, ignoring `_`, `-`
    /// and spaces (`First_Name`, `customer-id` and `MCID` all match).
    public init?(columnName: String) {
        let folded = String(columnName.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " })
        guard let field = Self.allCases.first(where: { $0.rawValue.lowercased() == folded }) else { return nil }
        self = field
    }
}

/// A profile field used to find profiles: the import key (`--key`) and the
/// reconciliation alias of a profile-targeted trigger.
public enum ProfileAlias: String, Sendable, CaseIterable, Codable, Hashable {
    case email, phone, mcId, visitorId, customerId

    public var field: ProfileField {
        switch self {
        case .email: .email
        case .phone: .phone
        case .mcId: .mcId
        case .visitorId: .visitorId
        case .customerId: .customerId
        }
    }

    /// The stored form of a value of this alias (emails lowercased, phones
    /// reduced to digits), or nil when the value is empty or not valid.
    public func normalise(_ value: String) -> String? {
        let trimmed = ContactAddress.trimmed(value)
        guard !trimmed.isEmpty else { return nil }
        switch self {
        case .email: return ContactAddress.isValidEmail(trimmed) ? trimmed.lowercased() : nil
        case .phone: return ContactAddress.normalisedPhone(trimmed)
        case .mcId, .visitorId, .customerId: return trimmed
        }
    }
}

/// A JSON value of a profile attribute.
public enum AttributeValue: Sendable, Equatable, Hashable, Codable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([AttributeValue])
    case object([String: AttributeValue])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([AttributeValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: AttributeValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Compact JSON text, keys sorted (no Foundation encoder: this runs once
    /// per imported row).
    public var jsonText: String {
        var out = ""
        write(to: &out)
        return out
    }

    func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .integer(let value): out += String(value)
        case .number(let value): out += value.isFinite ? "\(value)" : "null"
        case .string(let value): Self.writeString(value, to: &out)
        case .array(let values):
            out += "["
            for (i, value) in values.enumerated() {
                if i > 0 { out += "," }
                value.write(to: &out)
            }
            out += "]"
        case .object(let members):
            Self.writeObject(members, to: &out)
        }
    }

    public static func jsonText(of object: [String: AttributeValue]) -> String {
        var out = ""
        writeObject(object, to: &out)
        return out
    }

    static func writeObject(_ members: [String: AttributeValue], to out: inout String) {
        out += "{"
        for (i, key) in members.keys.sorted().enumerated() {
            if i > 0 { out += "," }
            writeString(key, to: &out)
            out += ":"
            members[key]!.write(to: &out)
        }
        out += "}"
    }

    static func writeString(_ value: String, to out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// The value as shown in a table cell.
    public var displayText: String {
        if case .string(let value) = self { return value }
        return jsonText
    }
}

/// An address that is never sent to.
public struct DenylistEntry: Sendable, Equatable, Codable {
    /// Normalised: a lowercased email, or `+` and digits for a phone.
    public var address: String
    public var channel: ContactChannel
    public var reason: String?
    public var addedAt: Date

    public init(address: String, channel: ContactChannel, reason: String?, addedAt: Date) {
        self.address = address
        self.channel = channel
        self.reason = reason
        self.addedAt = addedAt
    }
}

public enum ContactChannel: String, Sendable, Codable, CaseIterable {
    case email, sms
}

/// Syntax checks and normal forms of email addresses and phone numbers.
public enum ContactAddress {
    static let localSpecials: Set<UInt8> = Set("()<>[]\\,;:\"@ ".utf8)

    /// `text` without leading and trailing spaces, tabs and line breaks
    /// (cheaper than Foundation's trimming, which runs per imported field).
    public static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        func blank(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" || s == "\n" || s == "\r" || s == "\u{A0}" }
        guard let first = scalars.firstIndex(where: { !blank($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !blank($0) })!
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return text }
        return String(scalars[first...last])
    }

    /// A pragmatic RFC 5321/6531 check: one `@`, a local part of at most 64
    /// octets without spaces or specials, and a domain of dot-separated
    /// labels (letters, digits, hyphens, or non-ASCII) with a top-level label
    /// of two or more characters. At most 254 octets.
    public static func isValidEmail(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count <= 254, let at = utf8.lastIndex(of: UInt8(ascii: "@")) else { return false }
        let local = utf8[utf8.startIndex..<at]
        let domain = utf8[utf8.index(after: at)...]
        guard !local.isEmpty, local.count <= 64, !domain.isEmpty else { return false }
        for byte in local where byte < 0x21 || byte == 0x7F || Self.localSpecials.contains(byte) { return false }
        if local.first == UInt8(ascii: ".") || local.last == UInt8(ascii: ".") { return false }
        // Bytes, not Foundation's `contains`: this runs for every address a batch is sent to.
        var previous: UInt8 = 0
        for byte in utf8 {
            if byte == UInt8(ascii: ".") && previous == byte { return false }
            previous = byte
        }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard !label.isEmpty, label.count <= 63,
                  label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else { return false }
            for byte in label {
                let ok = (byte >= 0x80) || (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
                    || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "-")
                if !ok { return false }
            }
        }
        return labels.last!.count >= 2
    }

    /// An E.164-like phone number: an optional leading `+`, then 6 to 15
    /// digits once spaces, dashes, dots and parentheses are removed. Returns
    /// the digits (with the `+` if there was one), or nil.
    public static func normalisedPhone(_ text: String) -> String? {
        var digits = ""
        var plus = false
        for (i, scalar) in ContactAddress.trimmed(text).unicodeScalars.enumerated() {
            switch scalar {
            case "+" where i == 0: plus = true
            case "0"..."9": digits.unicodeScalars.append(scalar)
            case " ", "-", ".", "(", ")": continue
            default: return nil
            }
        }
        guard (6...15).contains(digits.count) else { return nil }
        return plus ? "+" + digits : digits
    }

    /// The denylist form of an address: a lowercased email, or `+` followed
    /// by the phone's digits. Nil when it is neither a valid email nor a
    /// valid phone number.
    public static func denylistKey(_ address: String) -> (address: String, channel: ContactChannel)? {
        let trimmed = ContactAddress.trimmed(address)
        if trimmed.utf8.contains(UInt8(ascii: "@")) {
            return isValidEmail(trimmed) ? (trimmed.lowercased(), .email) : nil
        }
        guard let phone = normalisedPhone(trimmed) else { return nil }
        return (phone.hasPrefix("+") ? phone : "+" + phone, .sms)
    }
}
