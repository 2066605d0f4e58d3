import Foundation

/// A shopper the generator can attribute triggers to.
public struct GeneratedShopper: Sendable, Equatable {
    public var mcId: String
    public var customerId: String?
    public var email: String?
    public var firstName: String?

    public init(mcId: String, customerId: String?, email: String?, firstName: String?) {
        self.mcId = mcId
        self.customerId = customerId
        self.email = email
        self.firstName = firstName
    }
}

/// Realistic cart-abandonment triggers, each a pure function of
/// (seed, partition, offset): a consumer that resumes from any offset gets
/// exactly the messages it would have got, and a test can predict them.
public struct TriggerGenerator: Sendable {
    /// The TriggerType UID the emulator uses unless told otherwise (Adobe's documentation example).
    public static let defaultTriggerId = "3e8a2ba7-fccc-49bb-bdac-33ee33cf02bf"

    public var triggerId: String
    public var imsOrg: String
    public var seed: UInt64
    public var shoppers: [GeneratedShopper]

    static let catalog: [(sku: String, name: String, price: Double)] = [
        ("SKU-1001", "Trail running shoes", 129.90), ("SKU-1002", "Merino socks (3 pack)", 24.50),
        ("SKU-1003", "Rain jacket", 189.00), ("SKU-1004", "Water bottle 750 ml", 19.95),
        ("SKU-1005", "Headlamp", 44.00), ("SKU-1006", "Running cap", 22.00),
        ("SKU-1007", "Hydration vest", 99.00), ("SKU-1008", "Energy gels & chews", 12.40),
    ]

    public init(triggerId: String, imsOrg: String, seed: UInt64 = 42, shoppers: [GeneratedShopper] = []) {
        self.triggerId = triggerId
        self.imsOrg = imsOrg
        self.seed = seed
        self.shoppers = shoppers
    }

    /// The shopper of the message at (partition, offset).
    public func shopper(partition: Int, offset: Int64) -> GeneratedShopper {
        var rng = SplitMix(seed: mix(partition: partition, offset: offset))
        if !shoppers.isEmpty { return shoppers[Int(rng.next() % UInt64(shoppers.count))] }
        let n = rng.next() % 1_000_000
        return GeneratedShopper(mcId: padded(String(n &* 7_919), to: 38), customerId: "C\(n)",
                                email: "shopper\(n)@example.com", firstName: "Shopper")
    }

    /// The message id of the message at (partition, offset).
    public func messageId(partition: Int, offset: Int64) -> String {
        var rng = SplitMix(seed: mix(partition: partition, offset: offset) ^ 0x9E37_79B9)
        let a = rng.next(), b = rng.next()
        // String(format:) was most of the emulator's time; the text is the same.
        return hex(a >> 32, 8) + "-" + hex((a >> 16) & 0xFFFF, 4) + "-4" + hex(a & 0xFFF, 3) + "-8" + hex((b >> 48) & 0xFFF, 3)
            + "-" + hex(b & 0xFFFF_FFFF_FFFF, 12)
    }

    /// One DATA envelope line (no newline).
    public func envelope(topic: String, partition: Int, offset: Int64, createTime: Int64) -> Data {
        var rng = SplitMix(seed: mix(partition: partition, offset: offset))
        let shopper = shopper(partition: partition, offset: offset)
        let itemCount = Int(rng.next() % 3) + 1
        var items: [String] = []
        var totalCents = 0
        for _ in 0..<itemCount {
            let index = Int(rng.next() % UInt64(Self.catalog.count))
            let quantity = Int(rng.next() % 2) + 1
            totalCents += Self.catalogCents[index] * quantity
            items.append(Self.itemJSON[index][quantity - 1])
        }
        let triggerTimestamp = createTime - 2_000
        let email = shopper.email.map { #","eVar03":{"type":"string","data":[\#(jsonString($0))],"name":"eVar03","source":"session summary"}"# } ?? ""
        let customer = shopper.customerId.map { #","eVar01":{"type":"string","data":[\#(jsonString($0))],"name":"eVar01","source":"session summary"}"# } ?? ""
        let line = #"{"envelopeType":"DATA","partition":\#(partition),"offset":\#(offset),"createTime":\#(createTime),"topic":"\#(topic)","com.adobe.mcloud.pipeline.pipelineMessage":{"header":{"messageType":"TRIGGER","source":"triggers","sentTime":\#(createTime),"imsOrg":"\#(imsOrg)","messageId":"\#(messageId(partition: partition, offset: offset))","properties":[{"name":"triggerFiredTimestamp","value":"\#(triggerTimestamp)"}]},"com.adobe.mcloud.protocol.trigger":{"triggerId":"\#(triggerId)","triggerTimestamp":\#(triggerTimestamp),"mcId":"\#(shopper.mcId)","enrichments":{"analyticsHitSummary":{"dimensions":{"cartTotal":{"type":"string","data":["\#(Self.decimal(cents: totalCents))"],"name":"cartTotal","source":"session summary"},"pageName":{"type":"string","data":["home","cart"],"name":"pageName","source":"session summary"},"timeGMT":{"type":"int","data":[\#(triggerTimestamp / 1000 - 300),\#(triggerTimestamp / 1000)],"name":"timeGMT","source":"session summary"}\#(customer)\#(email)},"products":{"items":[\#(items.joined(separator: ","))]}}},"triggerPath":[{"timestamp":\#(triggerTimestamp),"stateId":"5","transition":"inactive_timeout -> 5"}]}}}"#
        return Data(line.utf8)
    }

    /// Prices in cents, and each product's item object for a quantity of 1
    /// and 2: the same text `String(format: "%.2f")` made, built once.
    static let catalogCents = catalog.map { Int(($0.price * 100).rounded()) }
    static let itemJSON: [[String]] = catalog.indices.map { index in
        let product = catalog[index]
        return (1...2).map { quantity in
            #"{"sku":"\#(product.sku)","name":\#(jsonString(product.name)),"price":\#(decimal(cents: catalogCents[index])),"quantity":\#(quantity),"url":"https://shop.example.com/p/\#(product.sku)","imageUrl":"https://shop.example.com/img/\#(product.sku).jpg"}"#
        }
    }

    /// `cents` as a decimal with two places (`15440` → `154.40`).
    static func decimal(cents: Int) -> String {
        let fraction = cents % 100
        return "\(cents / 100)." + (fraction < 10 ? "0" : "") + String(fraction)
    }

    private func mix(partition: Int, offset: Int64) -> UInt64 {
        seed ^ (UInt64(truncatingIfNeeded: partition) &* 0x100_0000_01B3) ^ (UInt64(bitPattern: offset) &* 0x9E37_79B9_7F4A_7C15)
    }
}

/// `value` in lowercase hexadecimal, zero-padded to `width` digits.
fileprivate func hex(_ value: UInt64, _ width: Int) -> String {
    padded(String(value, radix: 16), to: width)
}

fileprivate func padded(_ digits: String, to width: Int) -> String {
    digits.utf8.count >= width ? digits : String(repeating: "0", count: width - digits.utf8.count) + digits
}

func jsonString(_ value: String) -> String {
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

/// A tiny, fast, deterministic random number generator.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
