import Foundation
import Testing
import TestSupport

struct NameCaseFile: Decodable {
    var args: [String]
    var env: [String: String]?
    /// A command run after `args` (e.g. to read back what was stored).
    var then: [String]?
}

struct NameExpectation: Decodable, Sendable {
    var status: Int32
    var message: String?
    /// Substrings of the `then` command's stdout.
    var stdout: [String]?
}

/// Path traversal and SQL metacharacters in names, ids and file arguments:
/// refused with a usage error or stored literally, and nothing is ever
/// created or changed outside the campaignctl home.
@Suite struct NameCorpusTests {
    static let cases = Corpus.cases("names", as: NameExpectation.self)

    @Test func everyFileHasAnExpectation() throws {
        #expect(try Corpus.coverageProblems("names") == [])
        #expect(try Corpus.generatedNames("names").isEmpty)
    }

    /// Every path under `root` except those under `excluded`, with its size and modification time.
    static func snapshot(_ root: URL, excluding excluded: String) -> [String: String] {
        var result: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.fileSizeKey, .contentModificationDateKey])
        while let url = enumerator?.nextObject() as? URL {
            let path = url.path
            if path.hasPrefix(excluded + "/") { continue }
            let values = try? url.resourceValues(forKeys: [.fileSizeKey, .contentModificationDateKey])
            result[path] = "\(values?.fileSize ?? -1) \(values?.contentModificationDate?.timeIntervalSince1970 ?? 0)"
        }
        return result
    }

    @Test(arguments: cases)
    func nameIsRefusedOrStoredLiterally(_ corpusCase: CorpusCase<NameExpectation>) async throws {
        let expected = try corpusCase.expectation()
        let command = try JSONDecoder().decode(NameCaseFile.self, from: corpusCase.data())
        let scratch = CLIHome()
        // The home two levels down: '..' twice from it still lands in the scratch folder, where it is seen.
        let home = scratch.file("a/b/home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let base = ["CAMPAIGNCTL_HOME": home.path]
        #expect(try await scratch.run(["instance", "init", "test"], environment: base).status == 0)
        let before = Self.snapshot(scratch.directory.url, excluding: home.path)

        let result = try await scratch.run(command.args, environment: base.merging(command.env ?? [:]) { $1 })
        #expect(result.status == expected.status, "\(corpusCase): \(result)")
        if let message = expected.message {
            #expect(result.stderr.contains(message), "\(corpusCase): \(result.stderr)")
        }
        if result.status != 0 { #expect(result.stderr.lowercased().hasPrefix("error: "), "\(corpusCase): \(result.stderr)") }
        if let then = command.then {
            let after = try await scratch.run(then, environment: base)
            for piece in expected.stdout ?? [] {
                #expect(after.stdout.contains(piece), "\(corpusCase): \(after)")
            }
        }
        #expect(Self.snapshot(scratch.directory.url, excluding: home.path) == before, "\(corpusCase): something changed outside the home")
    }
}
