import Foundation

/// How an SMS text travels: the GSM 03.38 default alphabet (7-bit septets,
/// SMPP data_coding 0x00) or UCS-2 (UTF-16 big-endian, data_coding 0x08).
public enum SMSEncoding: String, Sendable, Codable, Equatable, CaseIterable {
    case gsm7
    case ucs2

    /// The SMPP 3.4 `data_coding` value.
    public var dataCoding: UInt8 {
        switch self {
        case .gsm7: 0x00
        case .ucs2: 0x08
        }
    }

    /// Septets (GSM-7) or UTF-16 units (UCS-2) in a message sent as one SMS.
    public var singleSegmentLimit: Int { self == .gsm7 ? 160 : 70 }

    /// Septets or units in each part of a concatenated message (the 6-octet
    /// UDH `05 00 03 ref total seq` takes the rest).
    public var multipartSegmentLimit: Int { self == .gsm7 ? 153 : 67 }
}

/// What an SMS text costs.
public struct SMSAnalysis: Sendable, Codable, Equatable {
    public var encoding: SMSEncoding
    /// User-perceived characters (grapheme clusters).
    public var characters: Int
    /// GSM-7 septets (extension characters count 2) or UTF-16 units (characters
    /// outside the BMP count 2).
    public var septetsOrUnits: Int
    /// SMS parts the text is sent as; 1 for an empty text.
    public var segments: Int

    public init(encoding: SMSEncoding, characters: Int, septetsOrUnits: Int, segments: Int) {
        self.encoding = encoding
        self.characters = characters
        self.septetsOrUnits = septetsOrUnits
        self.segments = segments
    }
}

/// One part of an SMS, ready for `short_message` (the UDH is not included).
public struct SMSPart: Sendable, Equatable {
    /// The slice of the text this part carries.
    public var text: String
    /// Unpacked GSM-7 (one septet per octet, `0x1B` escapes) or UCS-2 big-endian.
    public var bytes: [UInt8]
    /// Septets or UTF-16 units in this part.
    public var length: Int

    public init(text: String, bytes: [UInt8], length: Int) {
        self.text = text
        self.bytes = bytes
        self.length = length
    }
}

/// GSM 03.38 / UCS-2 analysis, encoding and splitting of SMS texts.
/// The text is normalised to NFC first, so that a decomposed "é" still
/// counts as the GSM character it looks like.
public enum SMSText {
    /// The GSM 03.38 default alphabet, by septet value.
    static let basicTable: [Unicode.Scalar] = [
        "@", "£", "$", "¥", "è", "é", "ù", "ì", "ò", "Ç", "\n", "Ø", "ø", "\r", "Å", "å",
        "Δ", "_", "Φ", "Γ", "Λ", "Ω", "Π", "Ψ", "Σ", "Θ", "Ξ", "\u{1B}", "Æ", "æ", "ß", "É",
        " ", "!", "\"", "#", "¤", "%", "&", "'", "(", ")", "*", "+", ",", "-", ".", "/",
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ":", ";", "<", "=", ">", "?",
        "¡", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O",
        "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "Ä", "Ö", "Ñ", "Ü", "§",
        "¿", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
        "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "ä", "ö", "ñ", "ü", "à",
    ]

    /// The GSM 03.38 extension table: sent as `0x1B` then this septet.
    static let extensionTable: [Unicode.Scalar: UInt8] = [
        "\u{0C}": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F,
        "[": 0x3C, "~": 0x3D, "]": 0x3E, "|": 0x40, "€": 0x65,
    ]

    static let basicIndex: [Unicode.Scalar: UInt8] = {
        var index: [Unicode.Scalar: UInt8] = [:]
        for (value, scalar) in basicTable.enumerated() where value != 0x1B { index[scalar] = UInt8(value) }
        return index
    }()

    static let extensionReverse: [UInt8: Unicode.Scalar] = {
        var reverse: [UInt8: Unicode.Scalar] = [:]
        for (scalar, value) in extensionTable { reverse[value] = scalar }
        return reverse
    }()

    /// The GSM-7 septets of one scalar, or nil if it has none.
    static func septets(_ scalar: Unicode.Scalar) -> [UInt8]? {
        if let value = basicIndex[scalar] { return [value] }
        if let value = extensionTable[scalar] { return [0x1B, value] }
        return nil
    }

    static func normalised(_ text: String) -> String { text.precomposedStringWithCanonicalMapping }

    /// GSM-7 when every character is in the default alphabet or its
    /// extension table, else UCS-2.
    public static func encoding(for text: String) -> SMSEncoding {
        normalised(text).unicodeScalars.allSatisfy { septets($0) != nil } ? .gsm7 : .ucs2
    }

    public static func analyse(_ text: String) -> SMSAnalysis {
        let text = normalised(text)
        let chosen = encoding(for: text)
        let length = chosen == .gsm7
            ? text.unicodeScalars.reduce(0) { $0 + (septets($1)?.count ?? 0) }
            : text.utf16.count
        return SMSAnalysis(encoding: chosen, characters: text.count, septetsOrUnits: length,
                           segments: split(text, as: chosen).count)
    }

    /// The whole text as SMPP `short_message` bytes in `encoding`. Characters
    /// GSM-7 cannot carry become `?`.
    public static func encode(_ text: String, as encoding: SMSEncoding) -> [UInt8] {
        let text = normalised(text)
        switch encoding {
        case .gsm7:
            return text.unicodeScalars.flatMap { septets($0) ?? [0x3F] }
        case .ucs2:
            return text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        }
    }

    /// Decodes `short_message` bytes (without UDH). An unknown escape
    /// decodes as a space, as GSM 03.38 says.
    public static func decode(_ bytes: [UInt8], as encoding: SMSEncoding) -> String {
        switch encoding {
        case .gsm7:
            var scalars = String.UnicodeScalarView()
            var escaped = false
            for byte in bytes {
                let septet = byte & 0x7F
                if escaped {
                    scalars.append(extensionReverse[septet] ?? " ")
                    escaped = false
                } else if septet == 0x1B {
                    escaped = true
                } else {
                    scalars.append(basicTable[Int(septet)])
                }
            }
            return String(scalars)
        case .ucs2:
            var units: [UInt16] = []
            var index = 0
            while index + 1 < bytes.count {
                units.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
                index += 2
            }
            return String(decoding: units, as: UTF16.self)
        }
    }

    /// The parts `text` is sent as, in its own encoding: one part if it fits
    /// in a single SMS, else parts of at most 153 septets / 67 units that
    /// never cut an escape sequence or a surrogate pair.
    public static func split(_ text: String) -> [SMSPart] {
        let text = normalised(text)
        return split(text, as: encoding(for: text))
    }

    static func split(_ text: String, as encoding: SMSEncoding) -> [SMSPart] {
        // Each scalar's bytes and length, never divided further.
        let atoms: [(scalar: Unicode.Scalar, bytes: [UInt8], length: Int)] = text.unicodeScalars.map { scalar in
            switch encoding {
            case .gsm7:
                let bytes = septets(scalar) ?? [0x3F]
                return (scalar, bytes, bytes.count)
            case .ucs2:
                let units = Array(String(scalar).utf16)
                return (scalar, units.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }, units.count)
            }
        }
        let total = atoms.reduce(0) { $0 + $1.length }
        if total <= encoding.singleSegmentLimit {
            return [SMSPart(text: text, bytes: atoms.flatMap(\.bytes), length: total)]
        }
        var parts: [SMSPart] = []
        var current = SMSPart(text: "", bytes: [], length: 0)
        var scalars = String.UnicodeScalarView()
        for atom in atoms {
            if current.length + atom.length > encoding.multipartSegmentLimit {
                current.text = String(scalars)
                parts.append(current)
                current = SMSPart(text: "", bytes: [], length: 0)
                scalars = String.UnicodeScalarView()
            }
            scalars.append(atom.scalar)
            current.bytes += atom.bytes
            current.length += atom.length
        }
        current.text = String(scalars)
        parts.append(current)
        return parts
    }
}
