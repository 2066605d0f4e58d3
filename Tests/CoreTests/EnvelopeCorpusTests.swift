import CampaignCore
import Foundation
import Testing
import TestSupport

/// Every line of the envelope corpus through the real parser: a clear
/// refusal or the expected envelope, never a crash or a stack overflow.
@Suite struct EnvelopeCorpusTests {
    static let cases = EnvelopeCorpus.cases

    static func properties(_ envelope: PipelineEnvelope) -> [String: String] {
        let kind = switch envelope.kind {
        case .data: "data"
        case .ping: "ping"
        case .unknown(let type): "unknown(\(type))"
        }
        return ["kind": kind, "topic": envelope.topic ?? "nil", "partition": "\(envelope.partition)", "offset": "\(envelope.offset)",
                "createTime": envelope.createTime.map(String.init) ?? "nil", "messageId": envelope.messageId ?? "nil",
                "sentTime": envelope.sentTime.map(String.init) ?? "nil",
                "analyticsTriggerId": envelope.analyticsTriggerId ?? "nil"]
    }

    @Test func everyFileHasAnExpectationAndEveryGeneratorIsListed() throws {
        #expect(try Corpus.coverageProblems("envelopes") == [])
        #expect(try Corpus.generatedNames("envelopes") == Set(EnvelopeCorpus.generated.keys))
    }

    @Test(arguments: cases)
    func lineIsRefusedOrParsedAsExpected(_ corpusCase: CorpusCase<EnvelopeExpectation>) throws {
        let expected = try corpusCase.expectation()
        let line = try EnvelopeCorpus.input(corpusCase)
        #expect((expected.refused == nil) != (expected.accepted == nil), "\(corpusCase): say either refused or accepted")
        do {
            let envelope = try PipelineEnvelopeParser.parse(line)
            guard let accepted = expected.accepted else {
                Issue.record("\(corpusCase) was accepted as \(Self.properties(envelope)), expected refused: \(expected.refused ?? "")")
                return
            }
            let actual = Self.properties(envelope)
            for (key, value) in accepted {
                #expect(actual[key] == value, "\(corpusCase): \(key)")
            }
            #expect(envelope.raw == line, "\(corpusCase): the raw line is kept as received")
        } catch {
            guard let refused = expected.refused else {
                Issue.record("\(corpusCase) was refused (\(error.reason)), expected accepted")
                return
            }
            #expect(error.reason.contains(refused), "\(corpusCase): \(error.reason)")
        }
    }
}
