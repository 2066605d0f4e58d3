import Crypto
import Foundation

/// Why an email cannot be turned into a message at all (bad address, no
/// body, bad Message-ID). Connectors report it as a permanent failure before
/// any network or disk I/O: resending the same email would fail the same way.
public struct EmailRejected: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// One mailbox of a `From`, `To` or `Reply-To` field: `jane@example.com`,
/// `Jane Doe <jane@example.com>` or `"Doe, Jane" <jane@example.com>`.
public struct EmailAddress: Sendable, Equatable {
    public var displayName: String?
    /// The bare addr-spec, `local@domain`, used in the SMTP envelope.
    public var address: String

    public init(displayName: String? = nil, address: String) {
        self.displayName = displayName
        self.address = address
    }

    /// Parses and checks one mailbox. `field` names it in the reason
    /// ("to", "from", "reply-to"). Rejects line breaks, NUL and other control
    /// characters anywhere, more than one address, angle brackets or spaces
    /// inside the address, and non-ASCII addresses (SMTPUTF8 is not used).
    public init(parsing raw: String, field: String) throws(EmailRejected) {
        if let bad = raw.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            let what = switch bad.value {
            case 0x0D, 0x0A: "a line break"
            case 0: "a NUL character"
            default: "a control character (U+\(String(format: "%04X", bad.value)))"
            }
            throw EmailRejected("\(field) address \(Self.quote(raw)) contains \(what)")
        }
        let trimmed = Self.trimmedBlanks(raw)
        guard !trimmed.isEmpty else { throw EmailRejected("\(field) address is empty") }
        var name: String?
        var spec = trimmed
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            spec = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            var phrase = Self.trimmedBlanks(String(trimmed[..<open]))
            if phrase.count >= 2, phrase.hasPrefix("\""), phrase.hasSuffix("\"") {
                phrase = Self.unquote(String(phrase.dropFirst().dropLast()))
            }
            name = phrase.isEmpty ? nil : phrase
        }
        try Self.check(addrSpec: spec, field: field, raw: raw)
        displayName = name
        address = spec
    }

    private static func check(addrSpec spec: String, field: String, raw: String) throws(EmailRejected) {
        // On bytes, with the shown value made only for a reason: quoting it
        // up front was a third of this check in the daemon's profile.
        let bytes = Array(spec.utf8)
        guard bytes.allSatisfy({ $0 < 0x80 }) else {
            throw EmailRejected("\(field) address \(quote(raw)) is not ASCII (internationalised addresses are not supported)")
        }
        guard let at = bytes.lastIndex(of: UInt8(ascii: "@")) else {
            throw EmailRejected("\(field) address \(quote(raw)) has no @")
        }
        let local = bytes[..<at], domain = bytes[(at + 1)...]
        guard !local.isEmpty, local.count <= 64 else {
            throw EmailRejected("\(field) address \(quote(raw)): the part before @ must have 1 to 64 characters")
        }
        let dot = UInt8(ascii: ".")
        guard local.allSatisfy({ localAllowed[Int($0)] }), local.first != dot, local.last != dot,
              !zip(local, local.dropFirst()).contains(where: { $0 == dot && $1 == dot }) else {
            throw EmailRejected("\(field) address \(quote(raw)): the part before @ may only hold letters, digits, dots (not doubled or at the ends) and !#$%&'*+-/=?^_`{|}~ — no spaces, quotes, commas, <, > or @")
        }
        let labels = domain.split(separator: dot, omittingEmptySubsequences: false)
        let hyphen = UInt8(ascii: "-")
        guard !domain.isEmpty, domain.count <= 253,
              labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 && $0.allSatisfy { labelAllowed[Int($0)] } && $0.first != hyphen && $0.last != hyphen }) else {
            throw EmailRejected("\(field) address \(quote(raw)): the domain after @ must be dot-separated labels of letters, digits and hyphens")
        }
    }

    /// ASCII lookup tables: built once, not per address (a `Set` of
    /// characters per call showed in the daemon's profile).
    static func asciiTable(_ characters: String) -> [Bool] {
        var table = [Bool](repeating: false, count: 256)
        for byte in characters.utf8 { table[Int(byte)] = true }
        return table
    }

    private static let localAllowed = asciiTable("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~.")
    private static let labelAllowed = asciiTable("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")

    /// Trims spaces and tabs without Foundation's character-set search.
    static func trimmedBlanks(_ text: String) -> String {
        let utf8 = text.utf8
        guard let first = utf8.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
              let last = utf8.lastIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        return String(text[first...last])
    }

    private static func unquote(_ text: String) -> String {
        var out = "", escaped = false
        for character in text {
            if escaped { out.append(character); escaped = false } else if character == "\\" { escaped = true } else { out.append(character) }
        }
        return out
    }

    /// The value shown in a reason: control characters made visible, bounded.
    static func quote(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars.prefix(200) {
            switch scalar {
            case "\r": out += "\\r"
            case "\n": out += "\\n"
            case "\0": out += "\\0"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { out += String(format: "\\u{%X}", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return "\"" + out + (text.unicodeScalars.count > 200 ? "…" : "") + "\""
    }
}

/// An `OutgoingEmail` encoded as an RFC 5322 / MIME message: CRLF line
/// endings, 7-bit only (non-ASCII header text as RFC 2047 encoded-words,
/// bodies quoted-printable with lines of at most 76 octets), `multipart/alternative`
/// (text, then HTML) when both bodies are present, a single part otherwise.
///
/// Header injection is impossible by construction: addresses with line
/// breaks or other control characters are rejected, and in the subject and
/// display names every run of control characters becomes one space before
/// the text is written (quoted or encoded).
public struct MIMEMessage: Sendable, Equatable {
    /// The envelope sender (`MAIL FROM`), a bare addr-spec.
    public let envelopeFrom: String
    /// The envelope recipient (`RCPT TO`), a bare addr-spec.
    public let envelopeTo: String
    /// The multipart boundary, nil for a single-part message.
    public let boundary: String?
    /// The exact bytes to send or store (ASCII, CRLF line endings).
    public let bytes: Data

    /// Encodes `email`. `boundary` overrides the random multipart boundary
    /// (it must not occur in the encoded bodies). Throws `EmailRejected` for
    /// a bad address, Message-ID or missing body.
    public init(_ email: OutgoingEmail, boundary fixedBoundary: String? = nil) throws(EmailRejected) {
        let from = try EmailAddress(parsing: email.from, field: "from")
        let to = try EmailAddress(parsing: email.to, field: "to")
        let replyTo = try email.replyTo.map { (value) throws(EmailRejected) in try EmailAddress(parsing: value, field: "reply-to") }
        try Self.check(messageId: email.messageId)
        guard email.text != nil || email.html != nil else {
            throw EmailRejected("the email has neither a text nor an HTML body")
        }

        // Built as bytes in one buffer: joining lines into a String and
        // converting it to Data copied each message three times.
        var out: [UInt8] = []
        out.reserveCapacity(1024 + 2 * ((email.text?.utf8.count ?? 0) + (email.html?.utf8.count ?? 0)))
        func line(_ text: String) {
            out.append(contentsOf: text.utf8)
            out.append(0x0D)
            out.append(0x0A)
        }
        line("Date: " + Self.rfc5322Date(email.date))
        line(Self.addressHeader("From", from))
        line(Self.addressHeader("To", to))
        if let replyTo { line(Self.addressHeader("Reply-To", replyTo)) }
        line(Self.unstructuredHeader("Subject", email.subject))
        line("Message-ID: <\(email.messageId)>")
        line("MIME-Version: 1.0")

        let parts: [(type: String, body: String)] = [
            email.text.map { ("text/plain", $0) },
            email.html.map { ("text/html", $0) },
        ].compactMap { $0 }

        var chosenBoundary: String?
        if parts.count == 1 {
            line("Content-Type: \(parts[0].type); charset=utf-8")
            line("Content-Transfer-Encoding: quoted-printable")
            line("")
            Self.quotedPrintable(parts[0].body, into: &out)
            out.append(0x0D)
            out.append(0x0A)
        } else {
            let boundary = fixedBoundary ?? Self.randomBoundary()
            var bodies: [[UInt8]] = parts.map { part in
                var encoded: [UInt8] = []
                Self.quotedPrintable(part.body, into: &encoded)
                return encoded
            }
            // "=_" never occurs in quoted-printable text ("=" always starts an
            // escape or a soft break), so such a boundary needs no search.
            guard Self.isUsable(boundary: boundary),
                  boundary.hasPrefix("=_") || !bodies.contains(where: { $0.contains(Array(boundary.utf8)) }) else {
                throw EmailRejected("the MIME boundary \(EmailAddress.quote(boundary)) is not usable")
            }
            chosenBoundary = boundary
            line("Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"")
            line("")
            line("This is a multi-part message in MIME format.")
            for index in parts.indices {
                line("--" + boundary)
                line("Content-Type: \(parts[index].type); charset=utf-8")
                line("Content-Transfer-Encoding: quoted-printable")
                line("")
                out.append(contentsOf: bodies[index])
                bodies[index] = []
                out.append(0x0D)
                out.append(0x0A)
            }
            line("--" + boundary + "--")
        }
        envelopeFrom = from.address
        envelopeTo = to.address
        boundary = chosenBoundary
        bytes = Data(out)
    }

    /// A boundary derived from the message's content: the same email always
    /// encodes to the same bytes (the file outbox relies on it).
    public static func stableBoundary(for email: OutgoingEmail) -> String {
        var hash = SHA256()
        for field in [email.messageId, email.text ?? "\u{0}", email.html ?? "\u{0}"] {
            hash.update(data: Data(field.utf8))
            hash.update(data: Data([0xFF]))
        }
        return "=_" + hash.finalize().prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: - Checks

    static func check(messageId: String) throws(EmailRejected) {
        // On bytes, without splitting: this runs for every message.
        let utf8 = messageId.utf8
        let at = utf8.firstIndex(of: UInt8(ascii: "@"))
        let oneAtInside = at.map { at in
            at != utf8.startIndex && utf8.index(after: at) != utf8.endIndex && !utf8[utf8.index(after: at)...].contains(UInt8(ascii: "@"))
        } ?? false
        guard !messageId.isEmpty, utf8.count <= 250, utf8.allSatisfy({ messageIdAllowed[Int($0)] }),
              oneAtInside, utf8.first != UInt8(ascii: ".") else {
            throw EmailRejected("message id \(EmailAddress.quote(messageId)) must be left@right (at most 250 characters, "
                + "letters, digits and !#$%&'*+-=?^_`{|}~. only, no angle brackets, slashes or spaces)")
        }
    }

    private static let messageIdAllowed = EmailAddress.asciiTable("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-=?^_`{|}~.@")
    private static let boundaryAllowed = EmailAddress.asciiTable("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'()+_,-./:=?")

    private static func isUsable(boundary: String) -> Bool {
        (1...70).contains(boundary.utf8.count) && boundary.utf8.allSatisfy { boundaryAllowed[Int($0)] }
    }

    /// Drawn once per process from the system's generator; each boundary
    /// mixes it with a counter: two system calls per message for random
    /// bytes showed in the daemon's profile, and a boundary needs to be
    /// unlikely, not secret.
    private static let boundarySeed = UInt64.random(in: 0...UInt64.max)
    private static let boundaryCount = BoundaryCounter()

    private final class BoundaryCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var count: UInt64 = 0
        func next() -> UInt64 { lock.withLock { count &+= 1; return count } }
    }

    /// SplitMix64's finaliser: consecutive inputs give unrelated outputs.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static func randomBoundary() -> String {
        // "=_" cannot occur in quoted-printable text, where "=" always starts
        // an escape or a soft line break.
        let count = boundaryCount.next()
        let high = mix(boundarySeed ^ count), low = mix(high ^ boundarySeed)
        func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.utf8.count) + digits
        }
        return "=_" + hex(high) + hex(low)
    }

    // MARK: - Headers

    /// `Mon, 23 Nov 2026 12:51:02 +0000`, always in UTC.
    static func rfc5322Date(_ date: Date) -> String {
        // gmtime_r, not Calendar: building a Calendar per message showed in the daemon's profile.
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let year = String(parts.tm_year + 1900)
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) "
            + String(repeating: "0", count: max(0, 4 - year.utf8.count)) + year
            + " \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }

    /// Replaces every run of control characters (CR, LF, NUL, TAB…) with one space.
    static func singleLine(_ text: String) -> String {
        // Most values have nothing to replace: no copy then.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F && $0 != 0xC2 && $0 != 0xE2 }) { return text }
        var out = String.UnicodeScalarView()
        var inRun = false
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\u{2028}" || scalar == "\u{2029}" || scalar == "\u{85}" {
                if !inRun { out.append(" ") }
                inRun = true
            } else {
                out.append(scalar)
                inRun = false
            }
        }
        return String(out)
    }

    /// `Subject: …`: plain ASCII folded at spaces, otherwise encoded-words.
    static func unstructuredHeader(_ name: String, _ value: String) -> String {
        let text = singleLine(value)
        let plain = text.utf8.allSatisfy { $0 < 0x80 } && !looksEncoded(text)
        // Short enough for one line: what the folding below would give, without splitting.
        if plain && name.utf8.count + 2 + text.utf8.count <= 78 { return name + ": " + text }
        if plain {
            // Fold at spaces so that lines stay under 78 octets where words allow.
            var lines: [String] = []
            var current = name + ":"
            for (index, word) in text.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
                let piece = " " + word
                if index > 0, current.utf8.count + piece.utf8.count > 78, current.utf8.count > name.utf8.count + 2 {
                    lines.append(current)
                    current = piece
                } else {
                    current += piece
                }
            }
            lines.append(current)
            if lines.allSatisfy({ $0.utf8.count <= 998 }) { return lines.joined(separator: "\r\n") }
        }
        if text.isEmpty { return name + ":" }
        return name + ": " + encodedWords(text).joined(separator: "\r\n ")
    }

    /// Holds "=?", which a reader could take for the start of an encoded-word
    /// (searched on bytes: `String.contains` went through Foundation).
    static func looksEncoded(_ text: String) -> Bool {
        let utf8 = text.utf8
        return zip(utf8, utf8.dropFirst()).contains { $0 == UInt8(ascii: "=") && $1 == UInt8(ascii: "?") }
    }

    /// `From: "Jane Doe" <jane@example.com>`, the name quoted or encoded.
    static func addressHeader(_ name: String, _ mailbox: EmailAddress) -> String {
        guard let rawName = mailbox.displayName else { return "\(name): \(mailbox.address)" }
        let display = EmailAddress.trimmedBlanks(singleLine(rawName))
        if display.isEmpty { return "\(name): \(mailbox.address)" }
        let phrase: String
        if display.utf8.allSatisfy({ $0 < 0x80 }), !looksEncoded(display), display.utf8.count <= 64 {
            var quoted = "\""
            for character in display.utf8 {
                if character == UInt8(ascii: "\\") || character == UInt8(ascii: "\"") { quoted.append("\\") }
                quoted.unicodeScalars.append(Unicode.Scalar(character))
            }
            phrase = quoted + "\""
        } else {
            phrase = encodedWords(display).joined(separator: "\r\n ")
        }
        return "\(name): \(phrase) <\(mailbox.address)>"
    }

    /// RFC 2047 `=?UTF-8?B?…?=` words of at most 68 characters (42 octets of
    /// text each), never splitting a character across two words.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        func flush() {
            if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
            chunk.removeAll()
        }
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > 42 { flush() }
            chunk += bytes
        }
        flush()
        return words
    }

    // MARK: - Bodies

    /// Quoted-printable (RFC 2045 §6.7) over UTF-8, lines of at most 76
    /// octets, CRLF between lines whatever the input used. A leading "." or
    /// "From " is escaped too, so that no relay or mbox can alter the line.
    static func quotedPrintable(_ text: String) -> String {
        var out: [UInt8] = []
        quotedPrintable(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Appends the encoding of `text` to `out` (no CRLF after the last line).
    static func quotedPrintable(_ text: String, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + text.utf8.count + text.utf8.count / 8 + 16)
        var firstLine = true
        var copy = text
        copy.withUTF8 { bytes in
            var lineStart = 0
            var index = 0
            let count = bytes.count
            while index <= count {
                if index == count || bytes[index] == 0x0D || bytes[index] == 0x0A {
                    if !firstLine {
                        out.append(0x0D)
                        out.append(0x0A)
                    }
                    firstLine = false
                    encodeLine(UnsafeBufferPointer(rebasing: bytes[lineStart..<index]), into: &out)
                    if index < count, bytes[index] == 0x0D, index + 1 < count, bytes[index + 1] == 0x0A { index += 1 }
                    index += 1
                    lineStart = index
                } else {
                    index += 1
                }
            }
        }
    }

    private static func encodeLine(_ line: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var length = 0
        let startsWithFrom = line.count >= 5 && line[0] == 0x46 && line[1] == 0x72 && line[2] == 0x6F && line[3] == 0x6D && line[4] == 0x20
        let last = line.count - 1
        func isLiteral(_ byte: UInt8, at index: Int) -> Bool {
            switch byte {
            case UInt8(ascii: "="): false
            case UInt8(ascii: " "), UInt8(ascii: "\t"): index != last
            case UInt8(ascii: "."): index != 0
            case UInt8(ascii: "F"): !(index == 0 && startsWithFrom)
            case 33...126: true
            default: false
            }
        }
        var index = 0
        while index < line.count {
            // A run of bytes that go as they are and fit on the line is
            // copied at once (a byte at a time was most of MIME's time).
            var run = index
            while run < line.count, length + (run - index) < 75, isLiteral(line[run], at: run) { run += 1 }
            if run > index {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: line[index..<run]))
                length += run - index
                index = run
                continue
            }
            let byte = line[index]
            var literal = isLiteral(byte, at: index)
            if length + (literal ? 1 : 3) > 75 {
                out.append(UInt8(ascii: "="))
                out.append(0x0D)
                out.append(0x0A)
                length = 0
                if byte == UInt8(ascii: ".") { literal = false }
            }
            if literal {
                out.append(byte)
                length += 1
            } else {
                out.append(UInt8(ascii: "="))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
                length += 3
            }
            index += 1
        }
    }
}

extension MIMEMessage {
    /// A message rendered elsewhere, sent as it is (the delivery ceiling).
    init(preRendered bytes: Data, envelopeFrom: String, envelopeTo: String) {
        self.envelopeFrom = envelopeFrom
        self.envelopeTo = envelopeTo
        self.boundary = nil
        self.bytes = bytes
    }
}
