import Foundation
@testable import Pipeline
import Testing
import TestSupport

@Suite struct MIMEMessageTests {
    @Test func multipartAlternativeRoundTripsThroughPythonEmail() async throws {
        let longLine = String(repeating: "é-abc=def ", count: 300) // ~3,300 octets, '=' and accents
        let text = "Bonjour Zoë,\n\(longLine)\n.starts with a dot\nFrom the shop\ntrailing spaces   \n\ttab\r\nCRLF line\rCR line\n🎉 done\n"
        let html = "<html><body><p>Bonjour Zoë 🎉</p><p>\(String(repeating: "x", count: 2_000))</p></body></html>"
        let email = OutgoingEmail(from: "Boutique Zoë <shop@example.com>", to: "\"Doe, Jane\" <jane@example.com>",
                                  replyTo: "Help Desk <help@example.com>", subject: "Your order", html: html, text: text,
                                  messageId: "evt-42.1@campaignctl.test", date: Date(timeIntervalSince1970: 1_795_000_000))
        let message = try MIMEMessage(email)
        let parsed = try await parseWithPython(message.bytes)

        #expect(parsed["content_type"] as? String == "multipart/alternative")
        #expect(parsed["boundary"] as? String == message.boundary)
        #expect((parsed["defects"] as? [String])?.isEmpty == true)
        let parts = try #require(parsed["parts"] as? [[String: Any]])
        #expect(parts.map { $0["type"] as? String } == ["text/plain", "text/html"])
        #expect(parts.allSatisfy { $0["charset"] as? String == "utf-8" && $0["cte"] as? String == "quoted-printable" })
        #expect(parts.allSatisfy { ($0["defects"] as? [String])?.isEmpty == true })
        let expectedText = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        #expect(parts[0]["content"] as? String == expectedText)
        #expect(parts[1]["content"] as? String == html)

        #expect(parsed["message_id"] as? String == "<evt-42.1@campaignctl.test>")
        #expect(parsed["date"] as? Double == 1_795_000_000)
        #expect(parsed["subject"] as? String == "Your order")
        #expect((parsed["from"] as? [[String]]) == [["Boutique Zoë", "shop@example.com"]])
        #expect((parsed["to"] as? [[String]]) == [["Doe, Jane", "jane@example.com"]])
        #expect((parsed["reply_to"] as? [[String]]) == [["Help Desk", "help@example.com"]])
        #expect(parsed["max_body_line"] as? Int ?? 999 <= 76)
        #expect(parsed["max_line"] as? Int ?? 999 <= 78)
        #expect(parsed["bare_newline"] as? Bool == false)
        #expect(parsed["non_ascii"] as? Bool == false)
        #expect(parsed["ends_with_crlf"] as? Bool == true)
        let names = try #require(parsed["header_names"] as? [String])
        #expect(names == ["Date", "From", "To", "Reply-To", "Subject", "Message-ID", "MIME-Version", "Content-Type"])
        #expect(message.envelopeFrom == "shop@example.com")
        #expect(message.envelopeTo == "jane@example.com")
    }

    @Test func nonASCIISubjectIsEncodedInShortWords() async throws {
        let subject = "Votre commande n°1234 est expédiée 🎉 — merci Zoë ! " + String(repeating: "Ünïcödé 👩‍👩‍👧 ", count: 8)
        let message = try MIMEMessage(sampleEmail(subject: subject))
        let parsed = try await parseWithPython(message.bytes)
        #expect(parsed["subject"] as? String == subject)
        let lines = try #require(parsed["raw_header_lines"] as? [String])
        let start = try #require(lines.firstIndex { $0.hasPrefix("Subject: ") })
        let subjectLines = [lines[start]] + lines[(start + 1)...].prefix { $0.hasPrefix(" ") }
        #expect(subjectLines.count > 3)
        for line in subjectLines {
            #expect(line.utf8.count <= 78)
            for word in line.split(separator: " ") where word != "Subject:" {
                #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
                #expect(word.utf8.count <= 75)
            }
        }
    }

    @Test func longASCIISubjectIsFoldedNotEncoded() async throws {
        let subject = (1...40).map { "word\($0)" }.joined(separator: " ")
        let message = try MIMEMessage(sampleEmail(subject: subject))
        let parsed = try await parseWithPython(message.bytes)
        #expect(parsed["subject"] as? String == subject)
        #expect(parsed["max_line"] as? Int ?? 999 <= 78)
        #expect(!String(decoding: message.bytes, as: UTF8.self).contains("=?UTF-8?"))
    }

    @Test func singleBodyGivesASinglePart() async throws {
        let textOnly = try await parseWithPython(try MIMEMessage(sampleEmail(html: nil, text: "Just text")).bytes)
        #expect(textOnly["content_type"] as? String == "text/plain")
        #expect((textOnly["parts"] as? [[String: Any]])?.first?["content"] as? String == "Just text\n", "a single part ends with the message's final CRLF")
        let htmlOnly = try MIMEMessage(sampleEmail(html: "<p>Only</p>", text: nil))
        #expect(htmlOnly.boundary == nil)
        let parsed = try await parseWithPython(htmlOnly.bytes)
        #expect(parsed["content_type"] as? String == "text/html")
        #expect((parsed["parts"] as? [[String: Any]])?.first?["content"] as? String == "<p>Only</p>\n")
    }

    @Test func headerInjectionInSubjectStaysInTheSubject() async throws {
        for subject in ["Hi\r\nBcc: evil@x", "Hi\nBcc: evil@x", "Hi\rBcc: evil@x\r\n\r\nbody", "Hé\r\nBcc: evil@x", "Hi\0\r\nBcc: evil@x"] {
            let message = try MIMEMessage(sampleEmail(subject: subject))
            let parsed = try await parseWithPython(message.bytes)
            let names = try #require(parsed["header_names"] as? [String])
            #expect(!names.contains { $0.lowercased() == "bcc" }, "subject \(subject.debugDescription)")
            #expect(names.count == 8)
            let decoded = try #require(parsed["subject"] as? String)
            #expect(!decoded.contains("\r") && !decoded.contains("\n"))
            #expect(decoded.hasSuffix("Bcc: evil@x") || decoded.hasSuffix("body"))
            #expect((parsed["parts"] as? [[String: Any]])?.count == 2)
        }
    }

    @Test func injectionInAddressesAndNamesIsRejected() throws {
        let attempts: [(String, String)] = [
            ("to", "jane@example.com\r\nBcc: evil@x"),
            ("to", "Jane\r\nBcc: evil@x <jane@example.com>"),
            ("to", "\"Hi\r\nBcc: evil@x\" <jane@example.com>"),
            ("to", "jane@example.com\nBcc: evil@x"),
            ("to", "jane@example.com\0"),
            ("to", "jane@example.com, evil@x"),
            ("to", "jane@exa mple.com"),
            ("to", "<jane@example.com>>"),
            ("to", "jane<x>@example.com"),
            ("to", "jané@example.com"),
            ("to", "no-at-sign"),
            ("to", ""),
            ("from", "Shop\r\nBcc: evil@x <shop@example.com>"),
            ("reply-to", "help@example.com\r\nX-Evil: 1"),
        ]
        for (field, value) in attempts {
            var email = sampleEmail()
            switch field {
            case "to": email.to = value
            case "from": email.from = value
            default: email.replyTo = value
            }
            #expect(throws: EmailRejected.self, "\(field) \(value.debugDescription)") { try MIMEMessage(email) }
            do {
                _ = try MIMEMessage(email)
            } catch {
                #expect(error.reason.hasPrefix(field), "\(error.reason)")
            }
        }
        do {
            _ = try MIMEMessage(sampleEmail(to: "Jane\r\nBcc: evil@x <jane@example.com>"))
        } catch {
            #expect(error.reason == #"to address "Jane\r\nBcc: evil@x <jane@example.com>" contains a line break"#)
        }
    }

    @Test func displayNamesAreQuotedOrEncoded() async throws {
        var email = sampleEmail(to: #"Jane "JJ" O\Doe <jane@example.com>"#)
        email.from = "Zoë 🎉 <shop@example.com>"
        email.replyTo = "\"=?UTF-8?B?ZXZpbA==?=\" <help@example.com>"
        let parsed = try await parseWithPython(try MIMEMessage(email).bytes)
        #expect((parsed["to"] as? [[String]]) == [[#"Jane "JJ" O\Doe"#, "jane@example.com"]])
        #expect((parsed["from"] as? [[String]]) == [["Zoë 🎉", "shop@example.com"]])
        #expect((parsed["reply_to"] as? [[String]]) == [["=?UTF-8?B?ZXZpbA==?=", "help@example.com"]])
    }

    @Test func messageIdMustBeASafeLeftAtRight() throws {
        for id in ["<evt@x>", "evt", "evt@", "@x", "a/b@x", "a b@x", "a@b@c", "evt@x\r\nBcc: y", ".hidden@x", ""] {
            #expect(throws: EmailRejected.self, "\(id.debugDescription)") { try MIMEMessage(sampleEmail(id: id)) }
        }
        #expect(try MIMEMessage(sampleEmail(id: "evt-1.2+x=y@instance.campaignctl")).bytes.count > 0)
    }

    @Test func anEmailWithoutBodiesIsRejected() {
        #expect(throws: EmailRejected("the email has neither a text nor an HTML body")) {
            try MIMEMessage(sampleEmail(html: nil, text: nil))
        }
    }

    @Test func boundaryIsRandomUnlessStable() throws {
        let email = sampleEmail()
        let first = try MIMEMessage(email), second = try MIMEMessage(email)
        #expect(first.boundary != second.boundary)
        #expect(first.boundary?.hasPrefix("=_") == true)
        let stable = MIMEMessage.stableBoundary(for: email)
        #expect(try MIMEMessage(email, boundary: stable).bytes == MIMEMessage(email, boundary: stable).bytes)
        // A boundary that occurs in a body is refused.
        #expect(throws: EmailRejected.self) { try MIMEMessage(sampleEmail(text: "abc SEP def"), boundary: "SEP") }
    }

    @Test func datesAreRFC5322InUTC() {
        #expect(MIMEMessage.rfc5322Date(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(MIMEMessage.rfc5322Date(Date(timeIntervalSince1970: 1_795_000_000)) == "Wed, 18 Nov 2026 11:06:40 +0000")
    }

    @Test func quotedPrintableKeepsLinesShortAndEscapes() {
        let encoded = MIMEMessage.quotedPrintable("a=b \n.dot\nFrom me\n" + String(repeating: "é", count: 100))
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines[0] == "a=3Db=20")
        #expect(lines[1] == "=2Edot")
        #expect(lines[2] == "=46rom me")
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        // A dot that a soft line break brings to the start of a line is escaped too.
        let wrapped = MIMEMessage.quotedPrintable(String(repeating: "a", count: 75) + ".b").components(separatedBy: "\r\n")
        #expect(wrapped == [String(repeating: "a", count: 75) + "=", "=2Eb"])
        #expect(!encoded.contains("\n.") && !encoded.unicodeScalars.contains { !$0.isASCII })
    }

    /// The encoder copies runs of plain bytes at once; it gives the bytes
    /// of the plain per-byte encoding below for any text.
    @Test func quotedPrintableMatchesAByteAtATimeEncoding() {
        func reference(_ text: String) -> String {
            var out: [UInt8] = []
            for (number, line) in text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
                .split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if number > 0 { out += [0x0D, 0x0A] }
                let bytes = Array(line.utf8)
                var length = 0
                for (index, byte) in bytes.enumerated() {
                    var literal: Bool
                    switch byte {
                    case UInt8(ascii: "="): literal = false
                    case UInt8(ascii: " "), UInt8(ascii: "\t"): literal = index != bytes.count - 1
                    case UInt8(ascii: "."): literal = index != 0
                    case UInt8(ascii: "F"): literal = !(index == 0 && bytes.starts(with: Array("From ".utf8)))
                    case 33...126: literal = true
                    default: literal = false
                    }
                    if length + (literal ? 1 : 3) > 75 {
                        out += Array("=\r\n".utf8)
                        length = 0
                        if byte == UInt8(ascii: ".") { literal = false }
                    }
                    if literal { out.append(byte); length += 1 } else { out += Array(String(format: "=%02X", byte).utf8); length += 3 }
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
        let pieces = ["a", "b", " ", "\t", ".", "=", "F", "From ", "é", "✓", "\n", "\r\n", "\r", "x.y", "   ", String(repeating: "z", count: 70)]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 0...60, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(MIMEMessage.quotedPrintable(text) == reference(text), "\(text.debugDescription)")
        }
    }
}
