import Foundation
import Testing
import TestSupport

struct ProfileImportExpectation: Decodable, Sendable {
    var status: Int32
    /// Substrings of stderr.
    var messages: [String]?
    /// The profile total afterwards (the instance starts with one).
    var profiles: Int
    /// `profile show KEY --json`: field → value (`attributes.NAME` for an attribute).
    var show: [String: [String: String]]?
}

/// Every broken or hostile import file through the real binary: a clear
/// error naming line and field with the store unchanged, or a correct
/// import that stores the data literally.
@Suite struct ProfileCorpusTests {
    static let cases = Corpus.cases("profiles", as: ProfileImportExpectation.self)

    static let generated: [String: @Sendable () -> Data] = [
        "@deep-nesting.jsonl": {
            Data((#"{"email":"a@example.com"}"# + "\n" + #"{"email":"b@example.com","x":"# + String(repeating: "[", count: 100_000)
                + String(repeating: "]", count: 100_000) + "}\n").utf8)
        },
        "@long-field.csv": {
            Data(("email,lastName\nada@example.com," + String(repeating: "L", count: 2 << 20) + "\n").utf8)
        },
    ]

    @Test func everyFileHasAnExpectationAndEveryGeneratorIsListed() throws {
        #expect(try Corpus.coverageProblems("profiles") == [])
        #expect(try Corpus.generatedNames("profiles") == Set(Self.generated.keys))
    }

    func total(_ home: CLIHome) async throws -> Int {
        let list = try await home.run("profile", "list", "--json")
        return try #require(try list.json()["total"] as? Int, "\(list)")
    }

    @Test(arguments: cases)
    func importIsRefusedWholeOrStoredLiterally(_ corpusCase: CorpusCase<ProfileImportExpectation>) async throws {
        let expected = try corpusCase.expectation()
        let home = CLIHome()
        try await home.initInstance()
        let keep = try home.directory.write("keep.csv", "email,firstName\nkeep@example.com,Keep\n")
        #expect(try await home.run("profile", "import", keep).status == 0)

        let name = corpusCase.name.hasPrefix("@") ? String(corpusCase.name.dropFirst()) : corpusCase.name
        let bytes: Data
        if corpusCase.file == nil {
            let generate = try #require(Self.generated[corpusCase.name], "no generator for \(corpusCase.name)")
            bytes = generate()
        } else {
            bytes = try corpusCase.data()
        }
        let path = home.directory.file(name)
        try bytes.write(to: path)

        let result = try await home.run("profile", "import", path.path)
        #expect(result.status == expected.status, "\(corpusCase): \(result)")
        for message in expected.messages ?? [] {
            #expect(result.stderr.contains(message), "\(corpusCase): lacks \(message.debugDescription): \(result.stderr.prefix(2_000))")
        }
        if result.status != 0 { #expect(result.stderr.contains("hint: "), "\(corpusCase): \(result.stderr.prefix(2_000))") }
        await #expect(try total(home) == expected.profiles, "\(corpusCase)")
        let keepShown = try await home.run("profile", "show", "keep@example.com", "--json")
        #expect((try keepShown.json()["profile"] as? [String: Any])?["firstName"] as? String == "Keep", "\(corpusCase): \(keepShown)")

        for (key, fields) in expected.show ?? [:] {
            let shown = try await home.run("profile", "show", key, "--json")
            let profile = try #require(try shown.json()["profile"] as? [String: Any], "\(corpusCase): show \(key): \(shown)")
            for (field, value) in fields {
                let actual: Any? = field.hasPrefix("attributes.")
                    ? (profile["attributes"] as? [String: Any])?[String(field.dropFirst("attributes.".count))]
                    : profile[field]
                #expect(actual as? String == value, "\(corpusCase): \(key).\(field) is \(String(describing: actual))")
            }
        }
    }
}
