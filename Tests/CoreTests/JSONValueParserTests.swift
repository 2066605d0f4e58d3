import CampaignCore
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
}
