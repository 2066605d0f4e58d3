import Foundation
import Testing
import TestSupport

struct ConfigExpectation: Decodable, Sendable {
    /// Exit status of `config validate` and of `config set`.
    var status: Int32
    /// Exit status of `config validate` when it differs (78: a readable file with problems).
    var validate: Int32?
    /// A substring of stderr (refused files).
    var message: String?
    /// `config get KEY` → value, for accepted files.
    var get: [String: String]?
}

/// Every hostile or broken config file through the real binary: refused
/// with file:line:col and the file left byte for byte, or read correctly.
/// Nothing is ever fetched or expanded (no DTD, no entities).
@Suite struct ConfigCorpusTests {
    static let cases = Corpus.cases("config-xml", as: ConfigExpectation.self)

    static let generated: [String: @Sendable () -> Data] = [
        "@huge-attribute": {
            Data(("<serverconf>\n  <pipelined args=\"" + String(repeating: "x", count: 8 << 20) + "\" autoStart=\"true\"/>\n</serverconf>\n").utf8)
        },
        "@huge-attribute-never-closed": {
            Data(("<serverconf>\n  <pipelined args=\"" + String(repeating: "x", count: 8 << 20)).utf8)
        },
        "@many-attributes": {
            let attributes = (0..<20_000).map { " a\($0)=\"\($0)\"" }.joined()
            return Data(("<serverconf>\n<pipelined" + attributes + " a19999=\"again\"/>\n</serverconf>\n").utf8)
        },
        "@deep-elements": {
            Data(("<serverconf>" + String(repeating: "<x>", count: 50_000) + String(repeating: "</x>", count: 50_000)
                + "<pipelined autoStart=\"true\"/></serverconf>\n").utf8)
        },
    ]

    @Test func everyFileHasAnExpectationAndEveryGeneratorIsListed() throws {
        #expect(try Corpus.coverageProblems("config-xml") == [])
        #expect(try Corpus.generatedNames("config-xml") == Set(Self.generated.keys))
    }

    @Test(arguments: cases)
    func configFileIsRefusedUntouchedOrReadCorrectly(_ corpusCase: CorpusCase<ConfigExpectation>) async throws {
        let expected = try corpusCase.expectation()
        let bytes: Data
        if corpusCase.file == nil {
            let generate = try #require(Self.generated[corpusCase.name], "no generator for \(corpusCase.name)")
            bytes = generate()
        } else {
            bytes = try corpusCase.data()
        }
        let home = CLIHome()
        try await home.initInstance("test")
        let url = home.file("conf/config-test.xml")
        try bytes.write(to: url)

        let validate = try await home.run("config", "validate")
        let set = try await home.run("config", "set", "pipelined.autoStart", "false")
        for (what, result, status) in [("validate", validate, expected.validate ?? expected.status), ("set", set, expected.status)] {
            #expect(result.status == status, "\(corpusCase): config \(what): \(result)")
            if let message = expected.message {
                #expect((result.stdout + result.stderr).contains(message), "\(corpusCase): config \(what): \(result.stderr.prefix(2_000))")
            }
            if result.status != 0 { #expect(result.stderr.contains("hint: "), "\(corpusCase): config \(what)") }
            // An error names a position, and never echoes megabytes of the file.
            #expect(result.stderr.utf8.count < 4_096, "\(corpusCase): config \(what) printed \(result.stderr.utf8.count) bytes")
        }
        if expected.status != 0 {
            #expect(try Data(contentsOf: url) == bytes, "\(corpusCase): the file changed")
            #expect(!FileManager.default.fileExists(atPath: home.file("conf/config-test.xml.bak").path), "\(corpusCase)")
            return
        }
        let after = try await home.run("config", "get", "pipelined.autoStart")
        #expect(after.stdout == "false\n", "\(corpusCase): \(after)")
        for (key, value) in expected.get ?? [:] where key != "pipelined.autoStart" {
            let result = try await home.run("config", "get", key)
            #expect(result.status == 0 && result.stdout == value + "\n", "\(corpusCase): get \(key): \(result)")
        }
        #expect(try Data(contentsOf: home.file("conf/config-test.xml.bak")) == bytes, "\(corpusCase): the backup is the original")
    }
}
