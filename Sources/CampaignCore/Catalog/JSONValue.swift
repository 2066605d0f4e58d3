import Foundation

/// A JSON document as a value: test-profile event data, rendered event
/// fields, option values. Objects keep no key order (they are encoded with
/// sorted keys).
public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let b = try? container.decode(Bool.self) { self = .bool(b) }
        else if let n = try? container.decode(Double.self) { self = .number(n) }
        else if let s = try? container.decode(String.self) { self = .string(s) }
        else if let a = try? container.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .number(let n):
            if n.rounded() == n, abs(n) < 1e15 { try container.encode(Int64(n)) } else { try container.encode(n) }
        case .string(let s): try container.encode(s)
        case .array(let a): try container.encode(a)
        case .object(let o): try container.encode(o)
        }
    }

    public var objectValue: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }

    public subscript(key: String) -> JSONValue? { objectValue?[key] }

    /// The value as text, the way a template prints it: integers without a
    /// decimal point, null as empty.
    public var displayText: String {
        switch self {
        case .null: ""
        case .bool(let b): b ? "true" : "false"
        case .number(let n): (n.rounded() == n && abs(n) < 1e15) ? String(Int64(n)) : String(n)
        case .string(let s): s
        case .array, .object: (try? JSONValue.compactText(self)) ?? ""
        }
    }

    /// One-line JSON text with sorted keys.
    public static func compactText(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Pretty JSON text with sorted keys.
    public static func prettyText(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// Where and why a JSON text is not valid JSON.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var reason: String

    public init(line: Int, column: Int, reason: String) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String { "line \(line), column \(column): \(reason)" }
}

extension JSONValue {
    /// Parses strict JSON (RFC 8259), reporting the line and column of the
    /// first fault and what is wrong there: comments, trailing commas, single
    /// quotes and an empty text are named as such.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try JSONTextParser.parse(Array(text.utf8), .all, alreadyChecked: false)
    }
}

/// Which members of a document to build; the rest is checked as strictly
/// (syntax, duplicate member names) but not built.
public indirect enum JSONMemberFilter: Sendable, Equatable {
    /// The whole value.
    case all
    /// Of an object, these members, each with its own filter; any other value whole.
    case members([String: JSONMemberFilter])

    /// Adds `path` (member names from the root) to the filter.
    public mutating func include(_ path: ArraySlice<String>) {
        guard let first = path.first else { self = .all; return }
        guard case .members(var members) = self else { return }
        var child = members[first] ?? .members([:])
        child.include(path.dropFirst())
        members[first] = child
        self = .members(members)
    }
}

extension JSONValue {
    /// Parses strict JSON like `parse(_:)`, with the same checks and errors
    /// everywhere in the document, but builds only the members `filter`
    /// names: reading a few fields of a large envelope costs a scan, not a tree.
    public static func parse(_ bytes: [UInt8], keeping filter: JSONMemberFilter) throws(JSONSyntaxError) -> JSONValue {
        try JSONTextParser.parse(bytes, filter, alreadyChecked: false)
    }

    /// The same for text this parser has already accepted (an envelope the
    /// daemon checked when it stored it): the members not kept are passed
    /// over by their quotes and brackets, not checked again, and member
    /// names are not checked for duplicates. Checking every skipped member
    /// a second time was most of reading a stored event's fields
    /// (docs/performance.md). Text that was never checked gives an error or
    /// a wrong value, never a crash.
    public static func parse(checked bytes: [UInt8], keeping filter: JSONMemberFilter) throws(JSONSyntaxError) -> JSONValue {
        try JSONTextParser.parse(bytes, filter, alreadyChecked: true)
    }
}

/// Members to read from a document without building it
/// (`JSONValue.members(of:at:)`): their paths from the root, compiled once
/// into a tree whose children are found by comparing bytes.
public struct JSONMemberPaths: Sendable {
    /// Per node (node 0 is the root): its member name, as a range of
    /// `nameBytes` and as text (for names that are not ASCII), its children
    /// (a range of node numbers) and its place among the paths (-1 for a
    /// node that is not the end of one).
    fileprivate var nameRanges: [Range<Int>] = [0..<0]
    fileprivate var nameTexts: [String] = [""]
    fileprivate var nameIsASCII: [Bool] = [true]
    fileprivate var nameBytes: [UInt8] = []
    fileprivate var children: [Range<Int>] = [0..<0]
    fileprivate var slots: [Int] = [-1]
    /// How many paths there are.
    public let count: Int

    /// `paths` are lists of member names from the root; none may be empty
    /// or lead through another.
    public init(_ paths: [[String]]) {
        count = paths.count
        // Breadth first, so that the children of a node are consecutive nodes.
        var level: [(node: Int, paths: [(slot: Int, names: ArraySlice<String>)])] =
            [(0, paths.enumerated().map { ($0.offset, $0.element[...]) })]
        while !level.isEmpty {
            var next: [(node: Int, paths: [(slot: Int, names: ArraySlice<String>)])] = []
            for (node, nodePaths) in level {
                var names: [String] = []
                var grouped: [String: [(slot: Int, names: ArraySlice<String>)]] = [:]
                for path in nodePaths {
                    guard let name = path.names.first else { preconditionFailure("a member path is empty or leads through another") }
                    if grouped[name] == nil { names.append(name) }
                    grouped[name, default: []].append((path.slot, path.names.dropFirst()))
                }
                let first = slots.count
                for name in names {
                    let child = slots.count
                    let start = nameBytes.count
                    nameBytes += name.utf8
                    nameRanges.append(start..<nameBytes.count)
                    nameTexts.append(name)
                    nameIsASCII.append(name.utf8.allSatisfy { $0 < 0x80 })
                    children.append(0..<0)
                    let ends = grouped[name]!.filter { $0.names.isEmpty }
                    precondition(ends.count <= 1 && (ends.isEmpty || grouped[name]!.count == 1),
                                 "a member path is given twice or leads through another")
                    slots.append(ends.first?.slot ?? -1)
                    if ends.isEmpty { next.append((child, grouped[name]!)) }
                }
                children[node] = first..<slots.count
            }
            level = next
        }
    }
}

/// The members `JSONValue.members(of:at:)` read.
public struct JSONMembers: Sendable {
    /// Whether the document is an object; when it is not, every value is nil.
    public var isObject: Bool
    /// The value of each path, in the order of the paths: nil where the
    /// document has no such member.
    public var values: [JSONValue?]

    public subscript(_ path: Int) -> JSONValue? { values[path] }
}

extension JSONValue {
    /// Checks strict JSON like `parse(_:)`, with the same checks and errors
    /// everywhere in the document, and builds only the values at `paths`
    /// (each whole), nothing around them: the daemon reads eight members of
    /// every envelope it receives, and building the objects that hold them
    /// cost as much as checking the whole envelope (docs/performance.md).
    /// `bytes` must be valid UTF-8.
    public static func members(of bytes: UnsafeBufferPointer<UInt8>, at paths: JSONMemberPaths) throws(JSONSyntaxError) -> JSONMembers {
        var parser = JSONTextParser(bytes, alreadyChecked: false, paths: paths)
        let isObject = try parser.parseDocument(nil, node: 0).isObject
        return JSONMembers(isObject: isObject, values: parser.captured)
    }
}

/// Works on the UTF-8 bytes (valid, as they come from a String), through a
/// pointer: the daemon parses every envelope it receives and every stored
/// one it processes, and scalars, characters, array bounds checks and a
/// String per member name cost several times more (docs/performance.md).
/// Every read is behind an `index < count` check. Columns in errors still
/// count characters.
private struct JSONTextParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var depth = 0
    /// The member names of the objects being read, for the duplicate check:
    /// on one stack shared by all objects (no allocation per object), in a
    /// set once an object has many.
    var names: [Name] = []
    /// The decoded text of names written with escapes (`Name.decoded`).
    var decodedNames: [UInt8] = []
    /// See `JSONValue.parse(checked:keeping:)`.
    let alreadyChecked: Bool
    /// The members to capture (`JSONValue.members(of:at:)`), and what was.
    let paths: JSONMemberPaths
    var captured: [JSONValue?]

    /// A member name: a range of the text, or of `decodedNames` for a name
    /// with escapes. ASCII names are compared byte for byte; any other is
    /// compared as a String, whose equality (canonical equivalence: "K" and
    /// the Kelvin sign are one name) is what the objects' keys use.
    struct Name {
        var start: Int
        var end: Int
        var decoded: Bool
        var ascii: Bool
    }

    static func parse(_ bytes: [UInt8], _ filter: JSONMemberFilter, alreadyChecked: Bool) throws(JSONSyntaxError) -> JSONValue {
        let result: Result<JSONValue, JSONSyntaxError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONTextParser(buffer, alreadyChecked: alreadyChecked)
            do throws(JSONSyntaxError) { return .success(try parser.parseDocument(filter).value) } catch { return .failure(error) }
        }
        return try result.get()
    }

    static let noPaths = JSONMemberPaths([])

    init(_ bytes: UnsafeBufferPointer<UInt8>, alreadyChecked: Bool, paths: JSONMemberPaths = noPaths) {
        self.bytes = bytes
        self.alreadyChecked = alreadyChecked
        self.paths = paths
        captured = Array(repeating: nil, count: paths.count)
        names.reserveCapacity(32)
    }

    func position(_ at: Int) -> (Int, Int) {
        var line = 1, column = 1
        var i = 0
        while i < at && i < bytes.count {
            if bytes[i] == 0x0A { line += 1; column = 1 } else if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return (line, column)
    }

    func scalar(at i: Int) -> Unicode.Scalar {
        let byte = bytes[i]
        if byte < 0x80 { return Unicode.Scalar(byte) }
        var end = i + 1
        while end < bytes.count, end - i < 4, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<end]), as: UTF8.self).unicodeScalars.first ?? "\u{FFFD}"
    }

    func fail(_ reason: String, at: Int? = nil) -> JSONSyntaxError {
        let (line, column) = position(at ?? index)
        return JSONSyntaxError(line: line, column: column, reason: reason)
    }

    /// The character at `index`, for messages.
    var current: Unicode.Scalar? { index < bytes.count ? scalar(at: index) : nil }

    /// The byte at `index`.
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    func describe(_ s: Unicode.Scalar?) -> String {
        guard let s else { return "the end of the text" }
        if s.value < 0x20 || s.value == 0x7F { return "control character U+\(String(format: "%04X", s.value))" }
        return "'\(Character(s))'"
    }

    /// Most values of compact JSON start right where the last one ended.
    @inline(__always)
    mutating func skipWhitespace() throws(JSONSyntaxError) {
        if index < bytes.count, case let byte = bytes[index], byte > 0x20, byte != UInt8(ascii: "/") { return }
        try skipWhitespaceAndComments()
    }

    mutating func skipWhitespaceAndComments() throws(JSONSyntaxError) {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            case UInt8(ascii: "/"):
                throw fail("comments are not allowed in JSON (remove the '//' or '/* */' text)")
            default: return
            }
        }
    }

    /// The document, built as `filter` says, or (with `node` 0 and no
    /// filter) only its members at `paths` captured; whether it is an object.
    mutating func parseDocument(_ filter: JSONMemberFilter?, node: Int = -1) throws(JSONSyntaxError) -> (value: JSONValue, isObject: Bool) {
        try skipWhitespace()
        guard let first = peek else {
            throw fail("the text is empty: a JSON document should start with '[' or '{'")
        }
        let value = try parseValue(filter, node: node) ?? .null
        try skipWhitespace()
        if let c = current {
            throw fail("unexpected \(describe(c)) after the end of the JSON document")
        }
        return (value, first == UInt8(ascii: "{"))
    }

    /// One value: built whole (`.all`), an object with the members named
    /// (`.members`, other values built whole), or only checked (nil, which
    /// returns nil). The checks are the same in every case. A `node` of
    /// `paths` (with `keep` nil) captures the value at the end of a path, or
    /// looks for the rest of the paths among an object's members.
    mutating func parseValue(_ keep: JSONMemberFilter? = .all, node: Int = -1) throws(JSONSyntaxError) -> JSONValue? {
        try skipWhitespace()
        guard let c = peek else { throw fail("unexpected end of the text: a value is missing") }
        if node >= 0, case let slot = paths.slots[node], slot >= 0 {
            captured[slot] = try parseValue(.all)
            return nil
        }
        switch c {
        case UInt8(ascii: "{"): return try parseObject(keep, node: node)
        case UInt8(ascii: "["): return try parseArray(keep)
        case UInt8(ascii: "\""):
            let string = try scanString()
            return keep == nil ? nil : .string(text(of: string))
        case UInt8(ascii: "'"): throw fail("strings must use double quotes (\"), not single quotes")
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true), build: keep != nil)
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false), build: keep != nil)
        case UInt8(ascii: "n"): return try parseLiteral("null", .null, build: keep != nil)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber(build: keep != nil)
        default: throw fail("unexpected \(describe(current)): expected a value (object, array, string, number, true, false or null)")
        }
    }

    mutating func parseLiteral(_ word: StaticString, _ value: JSONValue, build: Bool) throws(JSONSyntaxError) -> JSONValue? {
        let start = index
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for byte in expected {
            guard peek == byte else { throw fail("invalid literal: expected '\(word)'", at: start) }
            index += 1
        }
        return build ? value : nil
    }

    var atDigit: Bool { index < bytes.count && bytes[index] &- 0x30 < 10 }

    mutating func parseNumber(build: Bool = true) throws(JSONSyntaxError) -> JSONValue? {
        let start = index
        if peek == UInt8(ascii: "-") { index += 1 }
        guard atDigit else { throw fail("invalid number: a digit must follow '-'") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if atDigit { throw fail("invalid number: leading zeros are not allowed", at: start) }
        } else {
            while atDigit { index += 1 }
        }
        if peek == UInt8(ascii: ".") {
            index += 1
            guard atDigit else { throw fail("invalid number: a digit must follow '.'") }
            while atDigit { index += 1 }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard atDigit else { throw fail("invalid number: the exponent needs digits") }
            while atDigit { index += 1 }
        }
        guard build else { return nil }
        // An integer of up to 15 digits is exact in a Double: no text to
        // make and convert (offsets, partitions and times are such).
        let negative = bytes[start] == UInt8(ascii: "-")
        let digits = start + (negative ? 1 : 0)..<index
        if digits.count <= 15, !bytes[digits].contains(where: { $0 &- 0x30 >= 10 }) {
            let magnitude = bytes[digits].reduce(0 as Int64) { $0 * 10 + Int64($1 &- 0x30) }
            return .number(negative ? -Double(magnitude) : Double(magnitude))
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text) else { throw fail("invalid number '\(text)'", at: start) }
        return .number(value)
    }

    /// A string checked in place: its content's range, and whether it holds
    /// escapes (then `text(of:)` decodes it) or only ASCII.
    struct ScannedString {
        var content: Range<Int>
        var escaped: Bool
        var ascii: Bool
    }

    /// Checks the string at `index` (its opening quote) and moves past it.
    mutating func scanString() throws(JSONSyntaxError) -> ScannedString {
        let start = index
        index += 1  // opening quote
        let contentStart = index
        var escaped = false
        var high: UInt8 = 0
        while true {
            // A run of plain characters, the whole string for most: eight
            // bytes at a time, then byte by byte to the one that ends it.
            high |= skipPlainWords()
            while index < bytes.count, case let byte = bytes[index], byte != 0x22, byte != 0x5C, byte >= 0x20 {
                high |= byte
                index += 1
            }
            guard index < bytes.count else { throw fail("unterminated string (the closing '\"' is missing)", at: start) }
            let byte = bytes[index]
            if byte == 0x22 {
                index += 1
                return ScannedString(content: contentStart..<index - 1, escaped: escaped, ascii: high < 0x80)
            }
            if byte < 0x20 {
                throw fail(byte == 0x0A ? "unterminated string: a line break inside a string must be written \\n"
                                        : "\(describe(current)) inside a string must be escaped")
            }
            // A backslash.
            escaped = true
            index += 1
            guard index < bytes.count else { throw fail("unterminated string", at: start) }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                 UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                continue
            case UInt8(ascii: "u"):
                let code = try parseHex4()
                if (0xD800...0xDBFF).contains(code) {
                    guard peek == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                        throw fail("invalid \\u escape: a high surrogate must be followed by a low surrogate")
                    }
                    index += 2
                    let low = try parseHex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("invalid \\u escape: expected a low surrogate") }
                } else if Unicode.Scalar(code) == nil {
                    throw fail("invalid \\u escape: not a Unicode scalar")
                }
            default:
                index -= 1
                throw fail("invalid escape '\\\(Character(current ?? "?"))' in a string", at: index - 1)
            }
        }
    }

    /// Moves `index` over whole 8-byte words holding no '"', no '\\' and no
    /// control character, and up to the first such byte of the word that
    /// holds one; returns the high bits of the bytes passed (non-zero when one
    /// is not ASCII). Each test flags the bytes that match (zero after an
    /// exclusive or, or below 0x20) and, past a real match, maybe bytes
    /// above it: the lowest flag is always a real one.
    @inline(__always)
    mutating func skipPlainWords() -> UInt8 {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        var high: UInt64 = 0
        while index &+ 8 <= bytes.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self))
            let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
            let special = ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash | (word &- ones &* 0x20) & ~word) & highs
            guard special == 0 else {
                let plain = special.trailingZeroBitCount >> 3
                high |= word & highs & (plain == 0 ? 0 : ~0 >> (64 - plain * 8))
                index &+= plain
                break
            }
            high |= word & highs
            index &+= 8
        }
        return high == 0 ? 0 : 0x80
    }

    /// The text of a string `scanString` accepted.
    func text(of string: ScannedString) -> String {
        if !string.escaped { return String(decoding: UnsafeBufferPointer(rebasing: bytes[string.content]), as: UTF8.self) }
        var decoded: [UInt8] = []
        decode(string.content, into: &decoded)
        return String(decoding: decoded, as: UTF8.self)
    }

    /// Appends the decoded bytes of the content of a string `scanString` accepted.
    func decode(_ content: Range<Int>, into result: inout [UInt8]) {
        var i = content.lowerBound
        while i < content.upperBound {
            let byte = bytes[i]
            guard byte == 0x5C else {
                let run = i
                while i < content.upperBound, bytes[i] != 0x5C { i += 1 }
                result.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                continue
            }
            let e = bytes[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): result.append(0x08)
            case UInt8(ascii: "f"): result.append(0x0C)
            case UInt8(ascii: "n"): result.append(0x0A)
            case UInt8(ascii: "r"): result.append(0x0D)
            case UInt8(ascii: "t"): result.append(0x09)
            case UInt8(ascii: "u"):
                var code = hex4(at: i)
                i += 4
                if (0xD800...0xDBFF).contains(code) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (hex4(at: i + 2) - 0xDC00)
                    i += 6
                }
                UTF8.encode(Unicode.Scalar(code) ?? "\u{FFFD}") { result.append($0) }
            default: result.append(e)  // '"', '\' and '/' stand for themselves
            }
        }
    }

    static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Four hexadecimal digits `parseHex4` accepted.
    func hex4(at i: Int) -> UInt32 {
        (i..<i + 4).reduce(0) { $0 * 16 + (Self.hexDigit(bytes[$1]) ?? 0) }
    }

    mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek, let digit = Self.hexDigit(byte) else {
                throw fail("invalid \\u escape: expected 4 hexadecimal digits")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > 512 { throw fail("the document nests deeper than 512 levels") }
    }

    /// A member name as the stack keeps it.
    mutating func name(of string: ScannedString) -> Name {
        guard string.escaped else {
            return Name(start: string.content.lowerBound, end: string.content.upperBound, decoded: false, ascii: string.ascii)
        }
        let start = decodedNames.count
        decode(string.content, into: &decodedNames)
        let ascii = decodedNames[start...].allSatisfy { $0 < 0x80 }
        return Name(start: start, end: decodedNames.count, decoded: true, ascii: ascii)
    }

    func text(of name: Name) -> String {
        if name.decoded { return String(decoding: decodedNames[name.start..<name.end], as: UTF8.self) }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[name.start..<name.end]), as: UTF8.self)
    }

    /// Whether two names are the same (mutating only so that the parser
    /// is not copied for each comparison).
    mutating func same(_ a: Name, _ b: Name) -> Bool {
        guard a.ascii && b.ascii else { return text(of: a) == text(of: b) }
        guard a.end - a.start == b.end - b.start else { return false }
        if !a.decoded && !b.decoded {
            // Most names that differ do so in their first byte.
            guard a.end == a.start || bytes[a.start] == bytes[b.start] else { return false }
            return memcmp(bytes.baseAddress! + a.start, bytes.baseAddress! + b.start, a.end - a.start) == 0
        }
        let texts = [a, b].map { $0.decoded ? Array(decodedNames[$0.start..<$0.end]) : Array(UnsafeBufferPointer(rebasing: bytes[$0.start..<$0.end])) }
        return texts[0] == texts[1]
    }

    /// The filter of the member named `name`, if `members` names it.
    mutating func member(_ members: [String: JSONMemberFilter], named name: Name) -> JSONMemberFilter? {
        guard name.ascii, !name.decoded, members.count <= 8 else { return members[text(of: name)] }
        let count = name.end - name.start
        for (candidate, filter) in members where candidate.utf8.count == count {
            // An empty buffer need not have an address.
            let equal = candidate.utf8.withContiguousStorageIfAvailable {
                count == 0 || memcmp($0.baseAddress!, bytes.baseAddress! + name.start, count) == 0
            }
            if equal ?? candidate.utf8.elementsEqual(UnsafeBufferPointer(rebasing: bytes[name.start..<name.end])) { return filter }
        }
        // A non-ASCII filter name can still be canonically equal to an ASCII one.
        if members.keys.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }) { return nil }
        return members[text(of: name)]
    }

    /// The child of `node` named `name`, or -1.
    mutating func child(of node: Int, named name: Name) -> Int {
        for candidate in paths.children[node] {
            let range = paths.nameRanges[candidate]
            if name.ascii && paths.nameIsASCII[candidate] {
                guard name.end - name.start == range.count else { continue }
                let equal = paths.nameBytes.withUnsafeBufferPointer { names in
                    if name.decoded {
                        return decodedNames[name.start..<name.end].elementsEqual(names[range])
                    }
                    return range.isEmpty || memcmp(names.baseAddress! + range.lowerBound, bytes.baseAddress! + name.start, range.count) == 0
                }
                if equal { return candidate }
            } else if text(of: name) == paths.nameTexts[candidate] {
                return candidate
            }
        }
        return -1
    }

    mutating func parseObject(_ keep: JSONMemberFilter?, node: Int = -1) throws(JSONSyntaxError) -> JSONValue? {
        try enter()
        defer { depth -= 1 }
        index += 1
        var object: [String: JSONValue] = [:]
        if case .members(let members)? = keep { object.reserveCapacity(members.count) }
        let namesBase = names.count, decodedBase = decodedNames.count
        var manyNames: Set<String>?
        defer {
            while names.count > namesBase { names.removeLast() }
            if decodedNames.count > decodedBase { decodedNames.removeLast(decodedNames.count - decodedBase) }
        }
        try skipWhitespace()
        if peek == UInt8(ascii: "}") { index += 1; return keep == nil ? nil : .object(object) }
        while true {
            try skipWhitespace()
            guard let c = peek else { throw fail("unexpected end of the text: the object is not closed with '}'") }
            if c == UInt8(ascii: "}") { throw fail("trailing comma before '}': remove the last ','") }
            if c == UInt8(ascii: "'") { throw fail("object keys must use double quotes (\"), not single quotes") }
            guard c == UInt8(ascii: "\"") else { throw fail("expected a member name in double quotes, found \(describe(current))") }
            let keyStart = index
            let key = name(of: try scanString())
            if !alreadyChecked {
                if manyNames != nil {
                    guard manyNames!.insert(text(of: key)).inserted else {
                        throw fail("duplicate member name \"\(text(of: key))\"", at: keyStart)
                    }
                } else {
                    var earlier = namesBase
                    while earlier < names.count {
                        if same(names[earlier], key) { throw fail("duplicate member name \"\(text(of: key))\"", at: keyStart) }
                        earlier += 1
                    }
                    names.append(key)
                    if names.count - namesBase > 16 { manyNames = Set(names[namesBase...].map { text(of: $0) }) }
                }
            }
            try skipWhitespace()
            guard peek == UInt8(ascii: ":") else {
                throw fail("expected ':' after the member name \"\(text(of: key))\", found \(describe(current))")
            }
            index += 1
            let child: JSONMemberFilter? = switch keep {
            case .all?: .all
            case .members(let members)?: member(members, named: key)
            case nil: nil
            }
            if child == nil && alreadyChecked {
                try passValue()
            } else if node >= 0 {
                _ = try parseValue(nil, node: self.child(of: node, named: key))
            } else if let value = try parseValue(child) {
                object[text(of: key)] = value
            }
            try skipWhitespace()
            switch peek {
            case UInt8(ascii: ",")?: index += 1
            case UInt8(ascii: "}")?: index += 1; return keep == nil ? nil : .object(object)
            case nil: throw fail("unexpected end of the text: the object is not closed with '}'")
            default: throw fail("expected ',' or '}' after the value of \"\(text(of: key))\", found \(describe(current))")
            }
        }
    }

    /// Moves past one value of already-checked text by its quotes and
    /// brackets alone, up to the ',', '}' or ']' after it.
    mutating func passValue() throws(JSONSyntaxError) {
        try skipWhitespace()
        var open = 0
        while index < bytes.count {
            switch bytes[index] {
            case 0x22:  // a string: to its closing quote, past escapes
                index += 1
                while index < bytes.count {
                    let byte = bytes[index]
                    index += byte == 0x5C ? 2 : 1
                    if byte == 0x22 { break }
                }
                if open == 0 { return }
            case 0x7B, 0x5B:
                open += 1
                index += 1
            case 0x7D, 0x5D:
                if open == 0 { return }  // the end of the container holding a number or literal
                open -= 1
                index += 1
                if open == 0 { return }
            case 0x2C:
                if open == 0 { return }
                index += 1
            default:
                index += 1
            }
        }
        if open > 0 { throw fail("unexpected end of the text inside a value") }
    }

    mutating func parseArray(_ keep: JSONMemberFilter?) throws(JSONSyntaxError) -> JSONValue? {
        try enter()
        defer { depth -= 1 }
        index += 1
        // The elements of a kept array are kept whole.
        let element: JSONMemberFilter? = keep == nil ? nil : .all
        var array: [JSONValue] = []
        try skipWhitespace()
        if peek == UInt8(ascii: "]") { index += 1; return keep == nil ? nil : .array(array) }
        while true {
            try skipWhitespace()
            if peek == UInt8(ascii: "]") { throw fail("trailing comma before ']': remove the last ','") }
            if let value = try parseValue(element) { array.append(value) }
            try skipWhitespace()
            switch peek {
            case UInt8(ascii: ",")?: index += 1
            case UInt8(ascii: "]")?: index += 1; return keep == nil ? nil : .array(array)
            case nil: throw fail("unexpected end of the text: the array is not closed with ']'")
            default: throw fail("expected ',' or ']' after an array element, found \(describe(current))")
            }
        }
    }
}
