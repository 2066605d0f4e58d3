import CampaignCore
import Foundation
import Testing

@Suite struct JSONValueParserTests {
    @Test func readsStringsEscapesAndNonASCII() throws {
        let value = try JSONValue.parse(#"{"a": "caf\u00e9 \"q\" \\ \/ \n", "b": "Zoë 😀 ok", "c": "\ud83d\ude00", "n": -1.5e2, "t": [true, false, null]}"#)
        #expect(value["a"] == .string("café \"q\" \\ / \n"))
        #expect(value["b"] == .string("Zoë 😀 ok"))
        #expect(value["c"] == .string("😀"))
        #expect(value["n"] == .number(-150))
        #expect(value["t"] == .array([.bool(true), .bool(false), .null]))
    }

    @Test(arguments: [
        ("{\"é\": 1,}", 1, 9, "trailing comma"),
        ("{\n  \"ü😀\": tru }", 2, 9, "invalid literal"),
        ("{\"a\": \"x\ny\"}", 1, 9, "line break inside a string"),
        ("{\"a\": 1, \"a\": 2}", 1, 10, "duplicate member name \"a\""),
        ("[\"\\q\"]", 1, 3, "invalid escape"),
    ])
    func errorsNameLineAndCharacterColumn(text: String, line: Int, column: Int, reason: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(text) }
        do {
            _ = try JSONValue.parse(text)
        } catch {
            #expect(error.line == line && error.column == column, "\(error)")
            #expect(error.reason.contains(reason), "\(error)")
        }
    }

    @Test func aFilterBuildsOnlyTheNamedMembersAndReadsOverTheRest() throws {
        let text = #"{"skip": {"deep": [1, {"x": "a\"}b"}, [], {}], "s": "\u00e9"}, "keep": {"a": {"b": [1, 2], "c": 3}, "d": "no"}, "all": {"z": [true, null]}, "n": -1.5e2}"#
        var filter = JSONMemberFilter.members([:])
        filter.include(["keep", "a", "b"])
        filter.include(["all"])
        let value = try JSONValue.parse(Array(text.utf8), keeping: filter)
        #expect(value == .object(["keep": .object(["a": .object(["b": .array([.number(1), .number(2)])])]),
                                  "all": .object(["z": .array([.bool(true), .null])])]))
        // Where the document has no object, the value is taken whole.
        var scalar = JSONMemberFilter.members([:])
        scalar.include(["n", "x"])
        #expect(try JSONValue.parse(Array(text.utf8), keeping: scalar) == .object(["n": .number(-150)]))
        // The full parse and a filter naming everything agree.
        #expect(try JSONValue.parse(Array(text.utf8), keeping: .all) == JSONValue.parse(text))
    }

    /// Text already checked is read for the same kept members without
    /// checking the rest again; text that was never checked does not crash it.
    @Test func checkedTextGivesTheSameMembersAndBrokenTextNoCrash() throws {
        let text = #"{"skip": {"deep": [1, {"x": "a\"}b]"}, [], {}], "s": "\u00e9", "e": "\\"}, "t": true, "keep": {"a": {"b": [1, 2], "c": 3}, "d": "no"}, "u": [[["]"]]], "all": {"z": [true, null]}, "n": -1.5e2}"#
        var filter = JSONMemberFilter.members([:])
        filter.include(["keep", "a", "b"])
        filter.include(["all"])
        filter.include(["n"])
        let bytes = Array(text.utf8)
        #expect(try JSONValue.parse(checked: bytes, keeping: filter) == JSONValue.parse(bytes, keeping: filter))
        #expect(try JSONValue.parse(checked: bytes, keeping: .all) == JSONValue.parse(text))
        // Every envelope of the corpus the strict parser accepts reads the same both ways.
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Corpus/envelopes")
        var envelope = JSONMemberFilter.members([:])
        envelope.include([PipelineEnvelopeParser.messageKey, PipelineEnvelopeParser.triggerKey, "enrichments"])
        envelope.include(["partition"])
        var compared = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name != "expected.json" {
            let corpus = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
            guard let strict = try? JSONValue.parse(corpus, keeping: envelope) else { continue }
            #expect(try JSONValue.parse(checked: corpus, keeping: envelope) == strict, "\(name)")
            compared += 1
        }
        #expect(compared >= 3)
        // Every cut of the text, and every byte replaced, either reads or throws.
        for end in 0..<bytes.count { _ = try? JSONValue.parse(checked: Array(bytes[..<end]), keeping: filter) }
        for position in bytes.indices {
            for byte: UInt8 in [0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C] {
                var broken = bytes
                broken[position] = byte
                _ = try? JSONValue.parse(checked: broken, keeping: filter)
            }
        }
    }

    @Test(arguments: [
        #"{"skip": [1, 2"#, #"{"skip": "open}"#, #"{"skip": {"a" 1}}"#, #"{"skip": [1 2]}"#, #"{"skip": tru}"#, #"{"skip": 1} x"#,
        #"{"skip": {"a": 1, "a": 2}}"#, #"{"skip": 1, "skip": 2}"#, #"{"skip": [1,]}"#, #"{"skip": "\q"}"#, #"{"skip": 01}"#,
        #"{"skip": "\ud800"}"#, #"{"keep": 1, "keep": 2}"#,
    ])
    func aFilteredParseStillRefusesBrokenSyntax(_ text: String) {
        var filter = JSONMemberFilter.members([:])
        filter.include(["keep"])
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(Array(text.utf8), keeping: filter) }
        // With the same error as the full parse.
        var full: JSONSyntaxError?, filtered: JSONSyntaxError?
        do { _ = try JSONValue.parse(text) } catch { full = error }
        do { _ = try JSONValue.parse(Array(text.utf8), keeping: filter) } catch { filtered = error }
        #expect(full != nil && full?.description == filtered?.description)
    }

    /// Member names are compared as the keys of the built objects compare
    /// them: after escapes are decoded, and canonically equivalent text is
    /// one name, in objects built, only checked, small or large.
    @Test(arguments: [
        #"{"a": 1, "\u0061": 2}"#, #"{"\u0061": 1, "a": 2}"#, #"{"K": 1, "\u212A": 2}"#, #"{"\u212A": 1, "K": 2}"#,
        "{\"\u{E9}\": 1, \"e\u{301}\": 2}", #"{"\"": 1, "\u0022": 2}"#,
    ])
    func duplicateNamesAreFoundHoweverTheyAreWritten(_ object: String) {
        let filler = (0..<20).map { "\"m\($0)\": \($0)" }.joined(separator: ", ")
        let large = "{" + filler + ", " + object.dropFirst()
        for text in [object, large, "{\"skip\": \(object)}", "{\"skip\": \(large)}"] {
            var filter = JSONMemberFilter.members([:])
            filter.include(["keep"])
            #expect(throws: JSONSyntaxError.self, "\(text)") { try JSONValue.parse(text) }
            #expect(throws: JSONSyntaxError.self, "\(text)") { try JSONValue.parse(Array(text.utf8), keeping: filter) }
        }
        // Distinct names that share a prefix or a length are not duplicates.
        #expect(throws: Never.self) { try JSONValue.parse(#"{"ab": 1, "ba": 2, "a": 3, "abc": 4, "\u00e9": 5, "e": 6}"#) }
    }

    @Test func aFilterFindsMembersWrittenWithEscapesOrAsEquivalentText() throws {
        var filter = JSONMemberFilter.members([:])
        filter.include(["keep", "x"])
        filter.include(["\u{212A}"])
        filter.include([""])
        let text = #"{"k\u0065ep": {"x": 1, "y": 2}, "K": 3, "other": 4, "": 5}"#
        let kept = JSONValue.object(["keep": .object(["x": .number(1)]), "K": .number(3), "": .number(5)])
        #expect(try JSONValue.parse(Array(text.utf8), keeping: filter) == kept)
        #expect(try JSONValue.parse(checked: Array(text.utf8), keeping: filter) == kept)
    }

    /// The value a path leads to in a fully parsed document, as
    /// `JSONValue.members(of:at:)` should give it.
    static func walk(_ value: JSONValue, _ path: [String]) -> JSONValue? {
        path.reduce(value as JSONValue?) { value, name in value?.objectValue?[name] }
    }

    static func members(_ text: String, _ paths: JSONMemberPaths) throws(JSONSyntaxError) -> JSONMembers {
        let result: Result<JSONMembers, JSONSyntaxError> = Array(text.utf8).withUnsafeBufferPointer { bytes in
            do throws(JSONSyntaxError) { return .success(try JSONValue.members(of: bytes, at: paths)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    @Test(arguments: [
        #"{"a": {"b": "x\"y", "c": [1, {"d": 2}]}, "n": -0, "big": 12345678901234567, "e": 1.5e3, "skip": {"b": 1}}"#,
        #"{"\u0061": {"\u0062": 1}, "K": 2, "": {"": null}, "n": true}"#,
        #"{"\u212A": "kelvin", "a": "not an object", "n": {"whole": [1, 2]}}"#,
        #"{"a": {"c": 3}}"#,
        #"[{"a": {"b": 1}}]"#,
        #""just a string""#,
    ])
    func membersReadThePathsAsTheFullParseDoes(_ text: String) throws {
        let list = [["a", "b"], ["a", "c"], ["n"], ["K"], ["", ""], ["big"], ["e"], ["missing", "x"]]
        let members = try Self.members(text, JSONMemberPaths(list))
        let whole = try JSONValue.parse(text)
        #expect(members.isObject == (whole.objectValue != nil))
        for (index, path) in list.enumerated() {
            #expect(members[index] == Self.walk(whole, path), "\(path) in \(text)")
        }
    }

    @Test func membersFindNamesWrittenWithEscapesOrAsEquivalentTextAndRefuseWhatTheFullParseRefuses() throws {
        let members = try Self.members(#"{"\u212A": 1, "h\u00e9": {"x": 2}, "e\u0301": 3}"#, JSONMemberPaths([["K"], ["hé", "x"], ["é"]]))
        #expect(members.values == [.number(1), .number(2), .number(3)])
        for text in [#"{"a": {"b": 1, "\u0062": 2}}"#, #"{"a": {"b": 1}, "a": 2}"#, #"{"a": {"b": 1,}}"#, #"{"a": {"b": 01}}"#, #"{"a": 1} x"#, ""] {
            var whole: JSONSyntaxError?, read: JSONSyntaxError?
            do { _ = try JSONValue.parse(text) } catch { whole = error }
            do { _ = try Self.members(text, JSONMemberPaths([["a", "b"]])) } catch { read = error }
            #expect(whole != nil && whole?.description == read?.description, "\(text)")
        }
    }

    /// Strings are read eight bytes at a time up to the first quote,
    /// backslash or control character: whichever byte of a word it is.
    @Test func stringsAreReadWholeWhereverTheirSpecialCharactersFall() throws {
        let specials: [(json: String, text: String)] = [(#"\""#, "\""), (#"\\"#, "\\"), (#"\n"#, "\n"), ("é", "é"), ("😀", "😀"), (#"\u00e9"#, "é")]
        for length in 0...19 {
            for position in 0...length {
                for special in specials {
                    let before = String(repeating: "a", count: position), after = String(repeating: "b", count: length - position)
                    let value = try JSONValue.parse("[\"" + before + special.json + after + "\", 1]")
                    #expect(value == .array([.string(before + special.text + after), .number(1)]), "\(length) \(position) \(special)")
                }
                // A raw control character or an unclosed string is found where it is.
                let control = "[\"" + String(repeating: "a", count: position) + "\u{01}" + String(repeating: "b", count: length - position) + "\"]"
                #expect(throws: JSONSyntaxError(line: 1, column: 3 + position, reason: "control character U+0001 inside a string must be escaped")) {
                    try JSONValue.parse(control)
                }
                #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("[\"" + String(repeating: "a", count: length)) }
            }
        }
        // A name with a byte above ASCII in any place of a word is compared as text.
        for position in 0...9 {
            let name = String(repeating: "x", count: position) + "\u{212A}" + String(repeating: "y", count: 9 - position)
            let equivalent = String(repeating: "x", count: position) + "K" + String(repeating: "y", count: 9 - position)
            #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("{\"\(name)\": 1, \"\(equivalent)\": 2}") }
        }
    }

    @Test(arguments: ["0", "-0", "7", "-42", "123456789012345", "-999999999999999", "1234567890123456", "12345678901234567890", "1.5", "-2e3", "1E+2"])
    func numbersAreTheDoublesOfTheirText(_ text: String) throws {
        let value = try JSONValue.parse("[" + text + "]")
        guard case .array(let elements) = value, case .number(let number)? = elements.first else {
            Issue.record("not a number: \(value)")
            return
        }
        #expect(number == Double(text)! && number.sign == Double(text)!.sign, "\(text)")
    }
}
