import CampaignCore
import Foundation
import Testing

@Suite struct PipelineEnvelopeTests {
    let adobeSample = #"""
    {"envelopeType":"DATA","partition":13,"offset":438465548,"createTime":1516324157242,"topic":"triggers","com.adobe.mcloud.pipeline.pipelineMessage":{"header":{"messageType":"TRIGGER","source":"triggers","sentTime":1516324157242,"imsOrg":"ABC@AdobeOrg","messageId":"5f2b4c5e-8a0e-4b4e-9c7f-1f1e2d3c4b5a","properties":[]},"com.adobe.mcloud.protocol.trigger":{"triggerId":"3e8a2ba7-fccc-49bb-bdac-33ee33cf02bf","triggerTimestamp":1516324145000,"mcId":"12345678901234567890123456789012345678","enrichments":{"analyticsHitSummary":{"dimensions":{"eVar01":{"type":"string","data":["PI4INE1"],"name":"eVar01","source":"session summary"}},"products":{}}},"triggerPath":[]}}}
    """#

    @Test func parsesAdobesSample() throws {
        let envelope = try PipelineEnvelopeParser.parse(Data(adobeSample.utf8))
        #expect(envelope.kind == .data)
        #expect(envelope.partition == 13)
        #expect(envelope.offset == 438_465_548)
        #expect(envelope.createTime == 1_516_324_157_242)
        #expect(envelope.topic == "triggers")
        #expect(envelope.messageId == "5f2b4c5e-8a0e-4b4e-9c7f-1f1e2d3c4b5a")
        #expect(envelope.sentTime == 1_516_324_157_242)
        #expect(envelope.analyticsTriggerId == "3e8a2ba7-fccc-49bb-bdac-33ee33cf02bf")
        #expect(envelope.raw == Data(adobeSample.utf8))
    }

    /// A line is checked for UTF-8 eight bytes at a time: a character
    /// beyond ASCII, or a byte that is not UTF-8, is found in any place of
    /// a word and in the bytes after the last whole word.
    @Test func textBeyondASCIIIsReadAndBrokenUTF8RefusedWhereverItIs() throws {
        for padding in 0..<16 {
            let name = String(repeating: "x", count: padding)
            let valid = try PipelineEnvelopeParser.parse(Data(#"{"envelopeType":"PING","topic":"\#(name)é"}"#.utf8))
            #expect(valid.topic == name + "é")
            var broken = Array(#"{"envelopeType":"PING","topic":"\#(name)"}"#.utf8)
            broken.insert(0xFF, at: broken.count - 2)
            #expect(throws: EnvelopeFault("not valid JSON: the line is not valid UTF-8"), "\(padding)") {
                try PipelineEnvelopeParser.parse(Data(broken))
            }
        }
    }

    @Test func parsesPingsAndUnknownTypes() throws {
        let ping = try PipelineEnvelopeParser.parse(Data(#"{"envelopeType":"PING","createTime":5}"#.utf8))
        #expect(ping.kind == .ping)
        let other = try PipelineEnvelopeParser.parse(Data(#"{"envelopeType":"CONTROL","partition":1,"offset":2}"#.utf8))
        #expect(other.kind == .unknown("CONTROL"))
    }

    @Test(arguments: [
        ("", "empty line"),
        ("not json", "not valid JSON"),
        (#"{"envelopeType":"DATA","partition":1"#, "not valid JSON"),
        ("[1,2]", "not a JSON object"),
        (#"{"partition":1,"offset":2}"#, "no envelopeType"),
        (#"{"envelopeType":"DATA","offset":2}"#, "DATA envelope without a valid partition"),
        (#"{"envelopeType":"DATA","partition":"1","offset":2}"#, "DATA envelope without a valid partition"),
        (#"{"envelopeType":"DATA","partition":-1,"offset":2}"#, "DATA envelope without a valid partition"),
        (#"{"envelopeType":"DATA","partition":true,"offset":2}"#, "DATA envelope without a valid partition"),
        (#"{"envelopeType":"DATA","partition":1,"offset":-5}"#, "DATA envelope without a valid offset"),
        (#"{"envelopeType":"DATA","partition":1,"offset":1.5}"#, "DATA envelope without a valid offset"),
        (#"{"envelopeType":"DATA","partition":1,"offset":1e300}"#, "DATA envelope without a valid offset"),
        (#"{"envelopeType":"DATA","partition":99999999999,"offset":1}"#, "DATA envelope without a valid partition"),
    ])
    func refusesBrokenLines(line: String, reason: String) {
        let fault = #expect(throws: EnvelopeFault.self) { try PipelineEnvelopeParser.parse(Data(line.utf8)) }
        #expect(fault?.reason.hasPrefix(reason) == true, "\(String(describing: fault))")
    }

    @Test func syntaxFaultsGiveTheirColumn() {
        let fault = #expect(throws: EnvelopeFault.self) {
            try PipelineEnvelopeParser.parse(Data(#"{"envelopeType":"DATA","partition":1,"offset":2,"envelopeType":"PING"}"#.utf8))
        }
        #expect(fault?.reason == #"not valid JSON: column 49: duplicate member name "envelopeType""#)
    }

    @Test func refusesInvalidUTF8AndHugeLines() {
        #expect(throws: EnvelopeFault.self) { try PipelineEnvelopeParser.parse(Data([0x7B, 0xFF, 0xFE, 0x7D])) }
        let huge = Data(repeating: 0x20, count: PipelineEnvelopeParser.maximumLineBytes + 1)
        #expect(throws: EnvelopeFault("line of \(huge.count) bytes exceeds the \(PipelineEnvelopeParser.maximumLineBytes)-byte limit")) {
            try PipelineEnvelopeParser.parse(huge)
        }
    }

    @Test func survivesDeepNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let line = #"{"envelopeType":"DATA","partition":1,"offset":1,"x":"# + deep + "}"
        // Refused as a fault (the JSON parser limits depth); never a crash.
        #expect(throws: EnvelopeFault("not valid JSON: column 564: the document nests deeper than 512 levels")) {
            try PipelineEnvelopeParser.parse(Data(line.utf8))
        }
    }
}
