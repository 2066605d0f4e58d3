import CampaignCore
import Foundation

/// Writes each email as a `.eml` file (RFC 5322 + MIME, CRLF, base64 bodies)
/// into a folder. Files appear complete: each is written aside and renamed.
public struct BasicOutboxEmailConnector: EmailConnector {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    public func send(_ emails: [OutgoingEmail]) -> [DeliveryResult] {
        emails.map { email in
            OutboxFiles.write(Data(MIMEMessage.render(email).utf8), in: directory, id: email.messageId, extension: "eml")
        }
    }
}

/// Writes each SMS as one JSON file into a folder.
public struct BasicOutboxSMSConnector: SMSConnector {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    struct Record: Encodable {
        var to: String
        var from: String?
        var text: String
        var messageId: String
        var characters: Int
        var createdAt: Date
    }

    public func send(_ messages: [OutgoingSMS]) -> [DeliveryResult] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return messages.map { sms in
            let record = Record(to: sms.to, from: sms.from, text: sms.text, messageId: sms.messageId,
                                characters: sms.text.count, createdAt: Date())
            guard let data = try? encoder.encode(record) else { return .permanentFailure(reason: "cannot encode the SMS") }
            return OutboxFiles.write(data, in: directory, id: sms.messageId, extension: "json")
        }
    }
}

enum OutboxFiles {
    static func write(_ data: Data, in directory: URL, id: String, extension ext: String) -> DeliveryResult {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true)
            let safe = String(id.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) ? Character($0) : "_" })
            let stamp = Int64(Date().timeIntervalSince1970 * 1000)
            let target = directory.appendingPathComponent("\(stamp)-\(safe.prefix(120)).\(ext)")
            let temporary = directory.appendingPathComponent(".\(UUID().uuidString).tmp")
            try data.write(to: temporary)
            if fm.fileExists(atPath: target.path) { try fm.removeItem(at: target) }
            try fm.moveItem(at: temporary, to: target)
            return .sent(detail: target.path)
        } catch {
            return .temporaryFailure(reason: "cannot write to the outbox \(directory.path): \(error.localizedDescription)")
        }
    }
}

/// A minimal, correct MIME rendering of an `OutgoingEmail`.
enum MIMEMessage {
    static func render(_ email: OutgoingEmail) -> String {
        var headers: [(String, String)] = [
            ("From", address(email.from)),
            ("To", address(email.to)),
        ]
        if let replyTo = email.replyTo, !replyTo.isEmpty { headers.append(("Reply-To", address(replyTo))) }
        headers += [
            ("Subject", encodedWords(clean(email.subject))),
            ("Date", rfc5322Date(email.date)),
            ("Message-ID", "<\(clean(email.messageId))>"),
            ("MIME-Version", "1.0"),
        ]
        let parts = [("text/plain", email.text), ("text/html", email.html)].compactMap { type, body in body.map { (type, $0) } }
        var lines = headers.map { "\($0.0): \($0.1)" }
        if parts.count == 1 {
            lines += ["Content-Type: \(parts[0].0); charset=utf-8", "Content-Transfer-Encoding: base64", ""]
            lines += base64Lines(parts[0].1)
        } else {
            let boundary = "=_campaignctl_\(UUID().uuidString)"
            lines += ["Content-Type: multipart/alternative; boundary=\"\(boundary)\"", ""]
            for (type, body) in parts {
                lines += ["--\(boundary)", "Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: base64", ""]
                lines += base64Lines(body)
            }
            lines.append("--\(boundary)--")
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Header data never carries a line break or another control character.
    static func clean(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }

    static func address(_ text: String) -> String {
        let value = clean(text)
        guard !value.unicodeScalars.allSatisfy(\.isASCII), let open = value.lastIndex(of: "<") else { return value }
        let name = value[..<open].trimmingCharacters(in: .whitespaces)
        return "\(encodedWords(name)) \(value[open...])"
    }

    /// RFC 2047 encoded words (base64) for non-ASCII text, split on
    /// character boundaries so that no line is too long.
    static func encodedWords(_ text: String) -> String {
        guard !text.unicodeScalars.allSatisfy(\.isASCII) else { return text }
        var words: [String] = []
        var chunk = Data()
        for character in text {
            let bytes = Data(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=")
                chunk = Data()
            }
            chunk.append(bytes)
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    static func base64Lines(_ body: String) -> [String] {
        let encoded = Data(body.utf8).base64EncodedString()
        var lines: [String] = []
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[index..<end]))
            index = end
        }
        return lines
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }
}
