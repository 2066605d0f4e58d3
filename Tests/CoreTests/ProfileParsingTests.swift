import CampaignCore
import Foundation
import Testing

@Suite struct CSVReaderTests {
    /// Reads every record, with tiny chunks so quotes, CRLF and the BOM
    /// straddle chunk boundaries.
    func records(_ bytes: [UInt8], chunk: Int = 3) throws -> [CSVRecord] {
        var reader = CSVReader(ByteReader(bytes: bytes, chunkSize: chunk))
        var out: [CSVRecord] = []
        while let record = try reader.next() { out.append(record) }
        return out
    }

    func text(_ record: CSVRecord) -> [String] { record.fields.map { String(decoding: $0, as: UTF8.self) } }

    @Test(arguments: [1, 2, 3, 7, 65536])
    func quotedFieldsWithCommasQuotesAndNewlinesKeepLineNumbers(chunk: Int) throws {
        let csv = "email,note\n\"a@x.io\",\"one, two\"\nb@x.io,\"say \"\"hi\"\"\"\nc@x.io,\"multi\nline\r\nnote\"\nd@x.io,last\n"
        let found = try records(Array(csv.utf8), chunk: chunk)
        #expect(found.map(text) == [["email", "note"], ["a@x.io", "one, two"], ["b@x.io", "say \"hi\""],
                                    ["c@x.io", "multi\nline\r\nnote"], ["d@x.io", "last"]])
        #expect(found.map(\.line) == [1, 2, 3, 4, 7])
        #expect(found.allSatisfy { $0.problem == nil })
        #expect(String(decoding: found[2].raw, as: UTF8.self) == "b@x.io,\"say \"\"hi\"\"\"")
    }

    @Test func byteOrderMarkCRLFAndEmptyLinesAndEmptyFields() throws {
        let found = try records([0xEF, 0xBB, 0xBF] + Array("email,phone\r\n\r\na@x.io,\r\n,\"\"\r\nlast@x.io,1".utf8))
        #expect(found.map(text) == [["email", "phone"], ["a@x.io", ""], ["", ""], ["last@x.io", "1"]])
        #expect(found.map(\.line) == [1, 3, 4, 5])
    }

    @Test func syntaxProblemsAreReportedPerRecord() throws {
        let found = try records(Array("a,b\n\"x\"y,z\nok,ok\n\"open,never closed\n".utf8))
        #expect(found[1].problem == "field 1 has text after its closing quote")
        #expect(found[2].problem == nil)
        #expect(found[3].problem == "the quoted field 1 is not closed")
        #expect(found[3].line == 4)
    }

    @Test func aRunawayQuoteStopsTheReadWithItsStartLine() throws {
        var reader = CSVReader(ByteReader(bytes: Array("a\n\"".utf8) + Array(repeating: UInt8(ascii: "x"), count: 5000)),
                               maxRecordBytes: 1024)
        _ = try reader.next()
        #expect(throws: CampaignError.self) { try reader.next() }
        var again = CSVReader(ByteReader(bytes: Array("a\n\"".utf8) + Array(repeating: UInt8(ascii: "x"), count: 5000)), maxRecordBytes: 1024)
        _ = try again.next()
        do { _ = try again.next() } catch let error as CampaignError { #expect(error.message.hasPrefix("line 2:")) }
    }

    @Test func lineReaderSkipsBlankLinesAndStripsCR() throws {
        var reader = LineReader(ByteReader(bytes: [0xEF, 0xBB, 0xBF] + Array("{\"a\":1}\r\n\n  \n{\"b\":2}".utf8), chunkSize: 2))
        var lines: [TextLine] = []
        while let line = try reader.next() { lines.append(line) }
        #expect(lines.map(\.line) == [1, 4])
        #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["{\"a\":1}", "{\"b\":2}"])
    }
}

@Suite struct ProfileValidationTests {
    func parser(_ header: String, key: ProfileAlias = .email) throws -> CSVProfileParser {
        var reader = CSVReader(ByteReader(bytes: Array(header.utf8)))
        return try CSVProfileParser(header: reader.next(), key: key)
    }

    func record(_ text: String, line: Int = 2) -> CSVRecord {
        var reader = CSVReader(ByteReader(bytes: Array(text.utf8)))
        var record = try! reader.next()!
        record.line = line
        return record
    }

    @Test func knownColumnsMatchWithoutCaseAndOthersBecomeAttributes() throws {
        let parser = try parser("EMAIL,First_Name,phone,Customer-ID,tier\n")
        let input = try parser.parse(record("Ada@Example.COM, Ada ,+33 6 12-34-56-78,C1,gold")).get()
        #expect(input.value(.email) == "ada@example.com")
        #expect(input.value(.firstName) == "Ada")
        #expect(input.value(.phone) == "+33612345678")
        #expect(input.value(.customerId) == "C1")
        #expect(input.attributes == ["tier": .string("gold")])
    }

    @Test func badRowsNameTheirLineAndField() throws {
        let parser = try parser("email,phone\n")
        let badEmail = parser.parse(record("not-an-email,", line: 7))
        #expect(throws: ProfileRecordErrors([RecordProblem(line: 7, field: "email", message: "'not-an-email' is not a valid email address")])) {
            try badEmail.get()
        }
        let badPhone = parser.parse(record("a@x.io,12ab", line: 3))
        #expect(throws: ProfileRecordErrors.self) { try badPhone.get() }
        if case .failure(let errors) = badPhone { #expect(errors.problems.first?.field == "phone") }
        let columns = parser.parse(record("a@x.io,1,2", line: 9))
        if case .failure(let errors) = columns {
            #expect(errors.problems == [RecordProblem(line: 9, message: "3 fields, but the header has 2 columns")])
        } else { Issue.record("expected a column-count problem") }
        let missingKey = parser.parse(record(",+4912345678", line: 4))
        if case .failure(let errors) = missingKey { #expect(errors.problems.first?.field == "email") } else { Issue.record("missing key accepted") }
        var broken = record("a@x.io,x", line: 5)
        broken.fields[1] = [0x31, 0xFF, 0xFE]
        if case .failure(let errors) = parser.parse(broken) {
            #expect(errors.problems == [RecordProblem(line: 5, field: "phone", message: "is not valid UTF-8")])
        } else { Issue.record("broken UTF-8 accepted") }
    }

    @Test func headerProblemsStopTheImport() throws {
        #expect(throws: CampaignError.self) { try parser("email,Email\n") }
        #expect(throws: CampaignError.self) { try parser("firstName,lastName\n") }  // no key column
        #expect(throws: CampaignError.self) { try CSVProfileParser(header: nil, key: .email) }
        _ = try parser("customerId,firstName\n", key: .customerId)
    }

    @Test func emailAndPhoneRules() {
        for good in ["a@b.co", "first.last+tag@sub.example.org", "x_y@exa-mple.io", "émile@exemple.fr"] {
            #expect(ContactAddress.isValidEmail(good), "\(good)")
        }
        for bad in ["", "a", "a@", "@b.co", "a@b", "a b@c.io", "a@b..co", "a@-b.co", "a@b.c", ".a@b.co", "a@@b.co"] {
            #expect(!ContactAddress.isValidEmail(bad), "\(bad)")
        }
        #expect(ContactAddress.normalisedPhone("+1 (555) 010-9999") == "+15550109999")
        #expect(ContactAddress.normalisedPhone("0612345678") == "0612345678")
        #expect(ContactAddress.normalisedPhone("12345") == nil)
        #expect(ContactAddress.normalisedPhone("1234567890123456") == nil)
        #expect(ContactAddress.normalisedPhone("06+12345678") == nil)
        #expect(ContactAddress.denylistKey(" Ada@Example.COM ")! == ("ada@example.com", ContactChannel.email))
        #expect(ContactAddress.denylistKey("06 12 34 56 78")! == ("+0612345678", ContactChannel.sms))
        #expect(ContactAddress.denylistKey("nope") == nil)
    }

    @Test func jsonLinesRecords() throws {
        let parser = JSONLinesProfileParser(key: .customerId)
        let input = try parser.parse(TextLine(line: 3, bytes: Array(#"{"customerId": 1001, "Email": "A@x.io", "tier": {"level": 2}, "lastName": null}"#.utf8))).get()
        #expect(input.value(.customerId) == "1001")
        #expect(input.value(.email) == "a@x.io")
        #expect(input.values[ProfileField.lastName] == String??.some(nil))
        #expect(input.attributes == ["tier": .object(["level": .integer(2)])])
        if case .failure(let errors) = parser.parse(TextLine(line: 8, bytes: Array("[1,2]".utf8))) {
            #expect(errors.problems == [RecordProblem(line: 8, message: "is not a JSON object")])
        } else { Issue.record("array accepted") }
        if case .failure(let errors) = parser.parse(TextLine(line: 9, bytes: [0x7B, 0xC3, 0x28, 0x7D])) {
            #expect(errors.problems == [RecordProblem(line: 9, message: "is not valid UTF-8")])
        } else { Issue.record("broken UTF-8 accepted") }
        if case .failure(let errors) = parser.parse(TextLine(line: 2, bytes: Array(#"{"customerId":"c","firstName":3}"#.utf8))) {
            #expect(errors.problems.map(\.field) == ["firstName"])
        } else { Issue.record("number as name accepted") }
    }

    @Test func attributeJSONText() {
        let value: [String: AttributeValue] = ["b": .string("q\"\n\u{1}"), "a": .array([.integer(1), .bool(true), .null, .number(1.5)])]
        #expect(AttributeValue.jsonText(of: value) == #"{"a":[1,true,null,1.5],"b":"q\"\n\u0001"}"#)
    }
}
