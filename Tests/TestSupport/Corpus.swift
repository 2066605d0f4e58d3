import CampaignCore
import Foundation

/// The hostile and broken input corpus in `Tests/Corpus/FOLDER/`: one file
/// per case, and `expected.json` mapping each file name to what must happen
/// with it. Keys starting with `@` name cases the test generates (inputs too
/// big to commit); keys starting with `_` are comments. Adding a case is
/// adding a file and a line.
public enum Corpus {
    /// `Tests/Corpus`, found from this source file (no bundle resources needed).
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Corpus", isDirectory: true)

    /// The cases of `folder`, decoded with `Expectation`. A manifest that
    /// cannot be read gives one case carrying the problem, so that it is
    /// reported as a failing case rather than as no cases at all.
    public static func cases<Expectation: Decodable & Sendable>(_ folder: String, as: Expectation.Type = Expectation.self)
        -> [CorpusCase<Expectation>] {
        do {
            let directory = root.appendingPathComponent(folder, isDirectory: true)
            let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("expected.json")))
            guard let entries = manifest as? [String: Any] else { throw CorpusProblem("expected.json is not a JSON object") }
            return try entries.keys.filter { !$0.hasPrefix("_") }.sorted().map { name in
                let json = try JSONSerialization.data(withJSONObject: entries[name] as Any, options: [.fragmentsAllowed])
                let expectation: Expectation
                do {
                    expectation = try JSONDecoder().decode(Expectation.self, from: json)
                } catch {
                    throw CorpusProblem("\(folder)/expected.json: \(name): \(error)")
                }
                let file = directory.appendingPathComponent(name)
                return CorpusCase(folder: folder, name: name, file: name.hasPrefix("@") ? nil : file, expected: expectation)
            }
        } catch {
            return [CorpusCase(folder: folder, name: "expected.json", file: nil, expected: nil, problem: "\(error)")]
        }
    }

    /// Files of `folder` without a line in its manifest, and manifest lines
    /// (not generated ones) without a file: both mean a case is not checked.
    public static func coverageProblems(_ folder: String) throws -> [String] {
        let directory = root.appendingPathComponent(folder, isDirectory: true)
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: directory.path)).subtracting(["expected.json"])
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("expected.json")))
        let keys = Set((manifest as? [String: Any] ?? [:]).keys.filter { !$0.hasPrefix("_") && !$0.hasPrefix("@") })
        return files.subtracting(keys).sorted().map { "\(folder)/\($0) has no line in expected.json" }
            + keys.subtracting(files).sorted().map { "\(folder)/expected.json names \($0), which does not exist" }
    }

    /// The generated case names (`@…`) of `folder`.
    public static func generatedNames(_ folder: String) throws -> Set<String> {
        let directory = root.appendingPathComponent(folder, isDirectory: true)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("expected.json")))
        return Set((manifest as? [String: Any] ?? [:]).keys.filter { $0.hasPrefix("@") })
    }
}

public struct CorpusProblem: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// One case of the corpus: a file (or a generated input) and what must happen.
public struct CorpusCase<Expectation: Sendable>: Sendable, CustomStringConvertible {
    public let folder: String
    public let name: String
    /// nil for a generated case.
    public let file: URL?
    public let expected: Expectation?
    /// Why the manifest could not be read (the case then fails).
    public let problem: String?

    init(folder: String, name: String, file: URL?, expected: Expectation?, problem: String? = nil) {
        self.folder = folder
        self.name = name
        self.file = file
        self.expected = expected
        self.problem = problem
    }

    public var description: String { "\(folder)/\(name)" }

    /// The case's bytes (for a file case).
    public func data() throws -> Data {
        guard let file else { throw CorpusProblem("\(self) is generated: it has no file") }
        return try Data(contentsOf: file)
    }

    /// The expectation, or a thrown problem when the manifest is broken.
    public func expectation() throws -> Expectation {
        if let problem { throw CorpusProblem(problem) }
        guard let expected else { throw CorpusProblem("\(self) has no expectation") }
        return expected
    }
}

/// What `Tests/Corpus/envelopes/expected.json` says about one stream line.
public struct EnvelopeExpectation: Decodable, Sendable {
    /// A substring of the `EnvelopeFault` reason.
    public var refused: String?
    /// Envelope properties as text (`"nil"` when absent).
    public var accepted: [String: String]?
}

/// The envelope corpus: shared by the parser tests (CoreTests) and the
/// daemon-path tests (PipelineTests).
public enum EnvelopeCorpus {
    public static var cases: [CorpusCase<EnvelopeExpectation>] { Corpus.cases("envelopes", as: EnvelopeExpectation.self) }

    /// Inputs too big to commit, by their `@name` in the manifest.
    public static let generated: [String: @Sendable () -> Data] = [
        "@ten-megabyte-line": { padded(to: 10 << 20) },
        "@one-byte-over-the-limit": { padded(to: PipelineEnvelopeParser.maximumLineBytes + 1) },
        "@at-the-limit": { padded(to: PipelineEnvelopeParser.maximumLineBytes, partition: 3, offset: 4) },
        "@deep-nesting-arrays": {
            Data((#"{"envelopeType":"DATA","partition":1,"offset":1,"x":"# + String(repeating: "[", count: 100_000)
                + String(repeating: "]", count: 100_000) + "}").utf8)
        },
        "@deep-nesting-objects": {
            Data((#"{"envelopeType":"DATA","partition":1,"offset":1,"x":"# + String(repeating: #"{"a":"#, count: 100_000)
                + "1" + String(repeating: "}", count: 100_001)).utf8)
        },
        "@many-keys": {
            let keys = (0..<40_000).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
            return Data((#"{"envelopeType":"DATA","partition":1,"offset":9,"# + keys + "}").utf8)
        },
    ]

    /// A valid DATA line padded with a string field to exactly `size` bytes.
    public static func padded(to size: Int, partition: Int = 1, offset: Int = 2) -> Data {
        let head = #"{"envelopeType":"DATA","partition":\#(partition),"offset":\#(offset),"pad":""#
        let tail = #""}"#
        return Data((head + String(repeating: "a", count: size - head.utf8.count - tail.utf8.count) + tail).utf8)
    }

    /// The line of a case: its file without one trailing newline, or the generated bytes.
    public static func input(_ corpusCase: CorpusCase<EnvelopeExpectation>) throws -> Data {
        if corpusCase.file == nil {
            guard let generate = generated[corpusCase.name] else { throw CorpusProblem("no generator for \(corpusCase.name)") }
            return generate()
        }
        var data = try corpusCase.data()
        if data.last == 0x0A { data.removeLast() }
        return data
    }
}
