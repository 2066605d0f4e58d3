import Foundation
@testable import Pipeline
import Testing

/// The emulator's envelopes, written byte by byte, against the text the
/// generator produced by string interpolation before (kept here as the
/// reference): the same bytes for generated and for hostile shoppers.
@Suite struct TriggerGeneratorTests {
    /// The interpolated envelope, as `TriggerGenerator.envelope` wrote it until 2026-12-07.
    func reference(_ generator: TriggerGenerator, topic: String, partition: Int, offset: Int64, createTime: Int64) -> Data {
        var rng = SplitMix(seed: generator.seed ^ (UInt64(truncatingIfNeeded: partition) &* 0x100_0000_01B3)
                                 ^ (UInt64(bitPattern: offset) &* 0x9E37_79B9_7F4A_7C15))
        // The shopper as the generator chose it before (not through its code of today).
        var pick = SplitMix(seed: generator.seed ^ (UInt64(truncatingIfNeeded: partition) &* 0x100_0000_01B3)
                                  ^ (UInt64(bitPattern: offset) &* 0x9E37_79B9_7F4A_7C15))
        let shopper: GeneratedShopper
        if generator.shoppers.isEmpty {
            let n = pick.next() % 1_000_000
            let digits = String(n &* 7_919)
            shopper = GeneratedShopper(mcId: String(repeating: "0", count: max(0, 38 - digits.count)) + digits, customerId: "C\(n)",
                                       email: "shopper\(n)@example.com", firstName: "Shopper")
        } else {
            shopper = generator.shoppers[Int(pick.next() % UInt64(generator.shoppers.count))]
        }
        let itemCount = Int(rng.next() % 3) + 1
        var items: [String] = []
        var totalCents = 0
        for _ in 0..<itemCount {
            let index = Int(rng.next() % UInt64(TriggerGenerator.catalog.count))
            let quantity = Int(rng.next() % 2) + 1
            totalCents += TriggerGenerator.catalogCents[index] * quantity
            items.append(TriggerGenerator.itemJSON[index][quantity - 1])
        }
        let triggerTimestamp = createTime - 2_000
        let email = shopper.email.map { #","eVar03":{"type":"string","data":[\#(referenceJSONString($0))],"name":"eVar03","source":"session summary"}"# } ?? ""
        let customer = shopper.customerId.map { #","eVar01":{"type":"string","data":[\#(referenceJSONString($0))],"name":"eVar01","source":"session summary"}"# } ?? ""
        let messageId = referenceMessageId(generator, partition: partition, offset: offset)
        let line = #"{"envelopeType":"DATA","partition":\#(partition),"offset":\#(offset),"createTime":\#(createTime),"topic":"\#(topic)","com.adobe.mcloud.pipeline.pipelineMessage":{"header":{"messageType":"TRIGGER","source":"triggers","sentTime":\#(createTime),"imsOrg":"\#(generator.imsOrg)","messageId":"\#(messageId)","properties":[{"name":"triggerFiredTimestamp","value":"\#(triggerTimestamp)"}]},"com.adobe.mcloud.protocol.trigger":{"triggerId":"\#(generator.triggerId)","triggerTimestamp":\#(triggerTimestamp),"mcId":"\#(shopper.mcId)","enrichments":{"analyticsHitSummary":{"dimensions":{"cartTotal":{"type":"string","data":["\#(TriggerGenerator.decimal(cents: totalCents))"],"name":"cartTotal","source":"session summary"},"pageName":{"type":"string","data":["home","cart"],"name":"pageName","source":"session summary"},"timeGMT":{"type":"int","data":[\#(triggerTimestamp / 1000 - 300),\#(triggerTimestamp / 1000)],"name":"timeGMT","source":"session summary"}\#(customer)\#(email)},"products":{"items":[\#(items.joined(separator: ","))]}}},"triggerPath":[{"timestamp":\#(triggerTimestamp),"stateId":"5","transition":"inactive_timeout -> 5"}]}}}"#
        return Data(line.utf8)
    }

    func referenceMessageId(_ generator: TriggerGenerator, partition: Int, offset: Int64) -> String {
        let mix = generator.seed ^ (UInt64(truncatingIfNeeded: partition) &* 0x100_0000_01B3) ^ (UInt64(bitPattern: offset) &* 0x9E37_79B9_7F4A_7C15)
        var rng = SplitMix(seed: mix ^ 0x9E37_79B9)
        let a = rng.next(), b = rng.next()
        func hex(_ value: UInt64, _ width: Int) -> String {
            let digits = String(value, radix: 16)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return hex(a >> 32, 8) + "-" + hex((a >> 16) & 0xFFFF, 4) + "-4" + hex(a & 0xFFF, 3) + "-8" + hex((b >> 48) & 0xFFF, 3)
            + "-" + hex(b & 0xFFFF_FFFF_FFFF, 12)
    }

    func referenceJSONString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    func pick(_ generator: TriggerGenerator, _ partition: Int, _ offset: Int64) -> UInt64 {
        var rng = SplitMix(seed: generator.seed ^ (UInt64(truncatingIfNeeded: partition) &* 0x100_0000_01B3)
                                 ^ (UInt64(bitPattern: offset) &* 0x9E37_79B9_7F4A_7C15))
        return rng.next() % 1_000_000
    }

    @Test func envelopesAreTheInterpolatedTextByteForByte() {
        let hostile = [
            GeneratedShopper(mcId: "1", customerId: "C\"1\\", email: "zoë@exämple.com", firstName: nil),
            GeneratedShopper(mcId: "2", customerId: nil, email: "tab\there\u{1}\u{1F}\n\r\u{7F}", firstName: "x"),
            GeneratedShopper(mcId: "3", customerId: "🎉", email: nil, firstName: nil),
        ]
        let generators = [TriggerGenerator(triggerId: TriggerGenerator.defaultTriggerId, imsOrg: "ORG@AdobeOrg"),
                          TriggerGenerator(triggerId: "x", imsOrg: "BENCH@AdobeOrg", seed: 7, shoppers: hostile)]
        var rng = SplitMix(seed: 2026)
        var compared = 0
        for generator in generators {
            for _ in 0..<2_000 {
                let partition = Int(rng.next() % 64), offset = Int64(rng.next() % 10_000_000)
                let createTime = [0, 999, 1_796_615_163_170, -5_000, Int64(rng.next() % 4_000_000_000_000)][Int(rng.next() % 5)]
                let made = generator.envelope(topic: "triggers", partition: partition, offset: offset, createTime: createTime)
                let expected = reference(generator, topic: "triggers", partition: partition, offset: offset, createTime: createTime)
                #expect(made == expected, "partition \(partition) offset \(offset) createTime \(createTime)")
                #expect(generator.messageId(partition: partition, offset: offset) == referenceMessageId(generator, partition: partition, offset: offset))
                let n = pick(generator, partition, offset)
                if generator.shoppers.isEmpty {
                    #expect(generator.shopper(partition: partition, offset: offset).email == "shopper\(n)@example.com")
                }
                compared += 1
                if made != expected { return }
            }
        }
        #expect(compared == 4_000)
    }
}
