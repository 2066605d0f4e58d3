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
        func text(_ field: (UInt64, inout [UInt8]) -> Void) -> String {
            var bytes: [UInt8] = []
            field(n, &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
        return GeneratedShopper(mcId: text(Self.appendMcId), customerId: text(Self.appendCustomerId),
                                email: text(Self.appendEmail), firstName: "Shopper")
    }

    // A generated shopper's fields, from its number (plain ASCII: no JSON escaping needed).
    static func appendMcId(_ n: UInt64, to out: inout [UInt8]) {
        appendDecimal(Int64(n &* 7_919), width: 38, to: &out)
    }

    static func appendCustomerId(_ n: UInt64, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "C"))
        appendDecimal(Int64(n), to: &out)
    }

    static func appendEmail(_ n: UInt64, to out: inout [UInt8]) {
        out += "shopper".utf8
        appendDecimal(Int64(n), to: &out)
        out += "@example.com".utf8
    }

    /// The message id of the message at (partition, offset).
    public func messageId(partition: Int, offset: Int64) -> String {
        var bytes: [UInt8] = []
        appendMessageId(partition: partition, offset: offset, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The message id, written into `out`: a UUID (version 4 layout) from the generator's numbers.
    func appendMessageId(partition: Int, offset: Int64, to out: inout [UInt8]) {
        var rng = SplitMix(seed: mix(partition: partition, offset: offset) ^ 0x9E37_79B9)
        let a = rng.next(), b = rng.next()
        appendHex(a >> 32, 8, to: &out)
        out.append(UInt8(ascii: "-"))
        appendHex((a >> 16) & 0xFFFF, 4, to: &out)
        out += "-4".utf8
        appendHex(a & 0xFFF, 3, to: &out)
        out += "-8".utf8
        appendHex((b >> 48) & 0xFFF, 3, to: &out)
        out.append(UInt8(ascii: "-"))
        appendHex(b & 0xFFFF_FFFF_FFFF, 12, to: &out)
    }

    /// One DATA envelope line (no newline), written byte by byte into one
    /// buffer: the emulator shares the machine with the daemon it feeds, and
    /// string interpolation of ~40 pieces was most of its time.
    /// `TriggerGeneratorTests` compares it with the interpolated text.
    public func envelope(topic: String, partition: Int, offset: Int64, createTime: Int64) -> Data {
        var rng = SplitMix(seed: mix(partition: partition, offset: offset))
        // The shopper, as `shopper(partition:offset:)` chooses it; a generated
        // one is written from its number without making its strings.
        var shopperRNG = rng
        let chosen = shoppers.isEmpty ? nil : shoppers[Int(shopperRNG.next() % UInt64(shoppers.count))]
        let number = chosen == nil ? shopperRNG.next() % 1_000_000 : 0
        let itemCount = Int(rng.next() % 3) + 1
        var items: [Int] = []
        var totalCents = 0
        for _ in 0..<itemCount {
            let index = Int(rng.next() % UInt64(Self.catalog.count))
            let quantity = Int(rng.next() % 2) + 1
            totalCents += Self.catalogCents[index] * quantity
            items.append(index * 2 + quantity - 1)
        }
        let triggerTimestamp = createTime - 2_000
        var out: [UInt8] = []
        out.reserveCapacity(2048)
        out += #"{"envelopeType":"DATA","partition":"#.utf8
        appendDecimal(Int64(partition), to: &out)
        out += #","offset":"#.utf8
        appendDecimal(offset, to: &out)
        out += #","createTime":"#.utf8
        appendDecimal(createTime, to: &out)
        out += #","topic":""#.utf8
        out += topic.utf8
        out += #"","com.adobe.mcloud.pipeline.pipelineMessage":{"header":{"messageType":"TRIGGER","source":"triggers","sentTime":"#.utf8
        appendDecimal(createTime, to: &out)
        out += #","imsOrg":""#.utf8
        out += imsOrg.utf8
        out += #"","messageId":""#.utf8
        appendMessageId(partition: partition, offset: offset, to: &out)
        out += #"","properties":[{"name":"triggerFiredTimestamp","value":""#.utf8
        appendDecimal(triggerTimestamp, to: &out)
        out += #""}]},"com.adobe.mcloud.protocol.trigger":{"triggerId":""#.utf8
        out += triggerId.utf8
        out += #"","triggerTimestamp":"#.utf8
        appendDecimal(triggerTimestamp, to: &out)
        out += #","mcId":""#.utf8
        if let chosen { out += chosen.mcId.utf8 } else { Self.appendMcId(number, to: &out) }
        out += #"","enrichments":{"analyticsHitSummary":{"dimensions":{"cartTotal":{"type":"string","data":[""#.utf8
        Self.appendPrice(cents: totalCents, to: &out)
        out += #""],"name":"cartTotal","source":"session summary"},"pageName":{"type":"string","data":["home","cart"],"name":"pageName","source":"session summary"},"timeGMT":{"type":"int","data":["#.utf8
        appendDecimal(triggerTimestamp / 1000 - 300, to: &out)
        out.append(UInt8(ascii: ","))
        appendDecimal(triggerTimestamp / 1000, to: &out)
        out += #"],"name":"timeGMT","source":"session summary"}"#.utf8
        if chosen == nil || chosen?.customerId != nil {
            out += #","eVar01":{"type":"string","data":["#.utf8
            if let chosen { appendJSONString(chosen.customerId!, to: &out) } else {
                out.append(UInt8(ascii: "\""))
                Self.appendCustomerId(number, to: &out)
                out.append(UInt8(ascii: "\""))
            }
            out += #"],"name":"eVar01","source":"session summary"}"#.utf8
        }
        if chosen == nil || chosen?.email != nil {
            out += #","eVar03":{"type":"string","data":["#.utf8
            if let chosen { appendJSONString(chosen.email!, to: &out) } else {
                out.append(UInt8(ascii: "\""))
                Self.appendEmail(number, to: &out)
                out.append(UInt8(ascii: "\""))
            }
            out += #"],"name":"eVar03","source":"session summary"}"#.utf8
        }
        out += #"},"products":{"items":["#.utf8
        for (n, item) in items.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            out += Self.itemBytes[item]
        }
        out += #"]}}},"triggerPath":[{"timestamp":"#.utf8
        appendDecimal(triggerTimestamp, to: &out)
        out += #","stateId":"5","transition":"inactive_timeout -> 5"}]}}}"#.utf8
        return Data(out)
    }

    /// The item objects of `itemJSON` as bytes, product by product, quantity 1 then 2.
    static let itemBytes: [[UInt8]] = itemJSON.flatMap { $0.map { Array($0.utf8) } }

    /// Prices in cents, and each product's item object for a quantity of 1
    /// and 2: the same text `String(format: "%.2f")` made, built once.
    static let catalogCents = catalog.map { Int(($0.price * 100).rounded()) }
    static let itemJSON: [[String]] = catalog.indices.map { index in
        let product = catalog[index]
        return (1...2).map { quantity in
            #"{"sku":"\#(product.sku)","name":\#(jsonString(product.name)),"price":\#(decimal(cents: catalogCents[index])),"quantity":\#(quantity),"url":"https://shop.example.com/p/\#(product.sku)","imageUrl":"https://shop.example.com/img/\#(product.sku).jpg"}"#
        }
    }

    /// `cents` as a decimal with two places (`15440` → `154.40`), as `decimal(cents:)` writes it.
    static func appendPrice(cents: Int, to out: inout [UInt8]) {
        appendDecimal(Int64(cents / 100), to: &out)
        out.append(UInt8(ascii: "."))
        appendDecimal(Int64(cents % 100), width: 2, to: &out)
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

/// Appends `value` in decimal, as `String(value)` writes it.
fileprivate func appendDecimal(_ value: Int64, width: Int = 1, to out: inout [UInt8]) {
    if value < 0 { out.append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    // Written from the end of a buffer on the stack: the generator runs on
    // the daemon's cores, and its allocations were a tenth of its time.
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { digits in
        var start = digits.count
        repeat {
            start -= 1
            digits[start] = UInt8(ascii: "0") &+ UInt8(magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        while digits.count - start < min(width, digits.count) {
            start -= 1
            digits[start] = UInt8(ascii: "0")
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
    }
}

/// Appends `value` in lowercase hexadecimal, zero-padded to `width` digits
/// (more when it needs more), as `String(value, radix: 16)` writes it.
fileprivate func appendHex(_ value: UInt64, _ width: Int, to out: inout [UInt8]) {
    var digits = 1
    while digits < 16 && value >> (4 * UInt64(digits)) != 0 { digits += 1 }
    for position in stride(from: max(width, digits) - 1, through: 0, by: -1) {
        let nibble = position < 16 ? UInt8((value >> (4 * UInt64(position))) & 0xF) : 0
        out.append(hexDigit(nibble))
    }
}

@inline(__always)
private func hexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &+ nibble &- 10
}

/// `value` as a JSON string, quotes included.
func jsonString(_ value: String) -> String {
    var bytes: [UInt8] = []
    appendJSONString(value, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
}

/// Appends `value` as a JSON string: quotes and backslashes escaped, control
/// characters as \n, \r, \t or \u00XX, everything else as its UTF-8.
func appendJSONString(_ value: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    // Most values need no escape: copied at once.
    if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
        out += value.utf8
        out.append(UInt8(ascii: "\""))
        return
    }
    for byte in value.utf8 {
        switch byte {
        case UInt8(ascii: "\""): out += #"\""#.utf8
        case UInt8(ascii: "\\"): out += #"\\"#.utf8
        case 0x0A: out += #"\n"#.utf8
        case 0x0D: out += #"\r"#.utf8
        case 0x09: out += #"\t"#.utf8
        case ..<0x20:
            out += #"\u00"#.utf8
            out.append(hexDigit(byte >> 4))
            out.append(hexDigit(byte & 0xF))
        default: out.append(byte)
        }
    }
    out.append(UInt8(ascii: "\""))
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
