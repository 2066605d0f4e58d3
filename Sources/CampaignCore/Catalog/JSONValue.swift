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
        var parser = JSONTextParser(Array(text.utf8))
        return try parser.parseDocument()
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
        var parser = JSONTextParser(bytes)
        return try parser.parseDocument(filter)
    }

    /// The same for text this parser has already accepted (an envelope the
    /// daemon checked when it stored it): the members not kept are passed
    /// over by their quotes and brackets, not checked again, and member
    /// names are not checked for duplicates. Checking every skipped member
    /// a second time was most of reading a stored event's fields
    /// (docs/performance.md). Text that was never checked gives an error or
    /// a wrong value, never a crash.
    public static func parse(checked bytes: [UInt8], keeping filter: JSONMemberFilter) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONTextParser(bytes, alreadyChecked: true)
        return try parser.parseDocument(filter)
    }
}

/// Works on the UTF-8 bytes (valid, as they come from a String): the daemon
/// parses every stored envelope, and scalars or characters cost several
/// times more. Columns in errors still count characters.
private struct JSONTextParser {
    let bytes: [UInt8]
    var index = 0
    var depth = 0
    /// See `parseObject`.
    var skippedNames: [String] = []
    /// See `JSONValue.parse(checked:keeping:)`.
    let alreadyChecked: Bool

    init(_ bytes: [UInt8], alreadyChecked: Bool = false) {
        self.bytes = bytes
        self.alreadyChecked = alreadyChecked
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
        return String(decoding: bytes[i..<end], as: UTF8.self).unicodeScalars.first ?? "\u{FFFD}"
    }

    func fail(_ reason: String, at: Int? = nil) -> JSONSyntaxError {
        let (line, column) = position(at ?? index)
        return JSONSyntaxError(line: line, column: column, reason: reason)
    }

    var current: Unicode.Scalar? { index < bytes.count ? scalar(at: index) : nil }

    func describe(_ s: Unicode.Scalar?) -> String {
        guard let s else { return "the end of the text" }
        if s.value < 0x20 || s.value == 0x7F { return "control character U+\(String(format: "%04X", s.value))" }
        return "'\(Character(s))'"
    }

    mutating func skipWhitespace() throws(JSONSyntaxError) {
        while let c = current {
            switch c {
            case " ", "\t", "\n", "\r": index += 1
            case "/":
                throw fail("comments are not allowed in JSON (remove the '//' or '/* */' text)")
            default: return
            }
        }
    }

    mutating func parseDocument(_ filter: JSONMemberFilter = .all) throws(JSONSyntaxError) -> JSONValue {
        try skipWhitespace()
        guard current != nil else {
            throw fail("the text is empty: a JSON document should start with '[' or '{'")
        }
        let value = try parseValue(filter) ?? .null
        try skipWhitespace()
        if let c = current {
            throw fail("unexpected \(describe(c)) after the end of the JSON document")
        }
        return value
    }

    /// One value: built whole (`.all`), an object with the members named
    /// (`.members`, other values built whole), or only checked (nil, which
    /// returns nil). The checks are the same in every case.
    mutating func parseValue(_ keep: JSONMemberFilter? = .all) throws(JSONSyntaxError) -> JSONValue? {
        try skipWhitespace()
        guard let c = current else { throw fail("unexpected end of the text: a value is missing") }
        switch c {
        case "{": return try parseObject(keep)
        case "[": return try parseArray(keep)
        case "\"":
            let text = try parseString(build: keep != nil)
            return keep == nil ? nil : .string(text)
        case "'": throw fail("strings must use double quotes (\"), not single quotes")
        case "t": return try parseLiteral("true", .bool(true), build: keep != nil)
        case "f": return try parseLiteral("false", .bool(false), build: keep != nil)
        case "n": return try parseLiteral("null", .null, build: keep != nil)
        case "-", "0"..."9": return try parseNumber(build: keep != nil)
        default: throw fail("unexpected \(describe(c)): expected a value (object, array, string, number, true, false or null)")
        }
    }

    mutating func parseLiteral(_ word: String, _ value: JSONValue, build: Bool) throws(JSONSyntaxError) -> JSONValue? {
        let start = index
        for expected in word.unicodeScalars {
            guard current == expected else { throw fail("invalid literal: expected '\(word)'", at: start) }
            index += 1
        }
        return build ? value : nil
    }

    mutating func parseNumber(build: Bool = true) throws(JSONSyntaxError) -> JSONValue? {
        let start = index
        if current == "-" { index += 1 }
        guard let first = current, ("0"..."9").contains(first) else { throw fail("invalid number: a digit must follow '-'") }
        if first == "0" {
            index += 1
            if let c = current, ("0"..."9").contains(c) { throw fail("invalid number: leading zeros are not allowed", at: start) }
        } else {
            while let c = current, ("0"..."9").contains(c) { index += 1 }
        }
        if current == "." {
            index += 1
            guard let c = current, ("0"..."9").contains(c) else { throw fail("invalid number: a digit must follow '.'") }
            while let c = current, ("0"..."9").contains(c) { index += 1 }
        }
        if current == "e" || current == "E" {
            index += 1
            if current == "+" || current == "-" { index += 1 }
            guard let c = current, ("0"..."9").contains(c) else { throw fail("invalid number: the exponent needs digits") }
            while let c = current, ("0"..."9").contains(c) { index += 1 }
        }
        guard build else { return nil }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text) else { throw fail("invalid number '\(text)'", at: start) }
        return .number(value)
    }

    /// A string; with `build` false it is checked and "" returned.
    mutating func parseString(build: Bool = true) throws(JSONSyntaxError) -> String {
        let start = index
        index += 1  // opening quote
        // Most strings (member names above all) hold no escape: made
        // straight from their bytes, without a buffer of their own.
        var end = index
        while end < bytes.count, case let byte = bytes[end], byte != 0x22, byte != 0x5C, byte >= 0x20 { end += 1 }
        if end < bytes.count && bytes[end] == 0x22 {
            let text = build ? String(decoding: bytes[index..<end], as: UTF8.self) : ""
            index = end + 1
            return text
        }
        var result: [UInt8] = []
        while true {
            guard let c = current else { throw fail("unterminated string (the closing '\"' is missing)", at: start) }
            if c == "\"" { index += 1; break }
            if c.value < 0x20 {
                throw fail(c == "\n" ? "unterminated string: a line break inside a string must be written \\n"
                                     : "\(describe(c)) inside a string must be escaped")
            }
            if c == "\\" {
                index += 1
                guard let e = current else { throw fail("unterminated string", at: start) }
                index += 1
                switch e {
                case "\"": result.append(UInt8(ascii: "\""))
                case "\\": result.append(UInt8(ascii: "\\"))
                case "/": result.append(UInt8(ascii: "/"))
                case "b": result.append(UInt8(ascii: "\u{08}"))
                case "f": result.append(UInt8(ascii: "\u{0C}"))
                case "n": result.append(UInt8(ascii: "\n"))
                case "r": result.append(UInt8(ascii: "\r"))
                case "t": result.append(UInt8(ascii: "\t"))
                case "u":
                    var code = try parseHex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard current == "\\", index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                            throw fail("invalid \\u escape: a high surrogate must be followed by a low surrogate")
                        }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("invalid \\u escape: expected a low surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw fail("invalid \\u escape: not a Unicode scalar") }
                    UTF8.encode(scalar) { result.append($0) }
                default:
                    throw fail("invalid escape '\\\(Character(e))' in a string", at: index - 2)
                }
                continue
            }
            // A run of plain characters is copied at once.
            let run = index
            while index < bytes.count, case let next = bytes[index], next != 0x22, next != 0x5C, next >= 0x20 { index += 1 }
            if build { result.append(contentsOf: bytes[run..<index]) }
        }
        return build ? String(decoding: result, as: UTF8.self) : ""
    }

    mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let c = current, let digit = Int(String(Character(c)), radix: 16) else {
                throw fail("invalid \\u escape: expected 4 hexadecimal digits")
            }
            value = value * 16 + UInt32(digit)
            index += 1
        }
        return value
    }

    mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > 512 { throw fail("the document nests deeper than 512 levels") }
    }

    mutating func parseObject(_ keep: JSONMemberFilter?) throws(JSONSyntaxError) -> JSONValue? {
        try enter()
        defer { depth -= 1 }
        index += 1
        var object: [String: JSONValue] = [:]
        // Names of the members checked but not built, for the duplicate
        // check: on a stack shared by all objects (no allocation per
        // object), in a set once an object has many.
        let namesBase = skippedNames.count
        var manyNames: Set<String>?
        defer { skippedNames.removeSubrange(namesBase...) }
        try skipWhitespace()
        if current == "}" { index += 1; return keep == nil ? nil : .object(object) }
        while true {
            try skipWhitespace()
            guard let c = current else { throw fail("unexpected end of the text: the object is not closed with '}'") }
            if c == "}" { throw fail("trailing comma before '}': remove the last ','") }
            if c == "'" { throw fail("object keys must use double quotes (\"), not single quotes") }
            guard c == "\"" else { throw fail("expected a member name in double quotes, found \(describe(c))") }
            let keyStart = index
            let key = try parseString()
            if !alreadyChecked {
                let seen = object[key] != nil || (manyNames?.contains(key) ?? skippedNames[namesBase...].contains(key))
                if seen { throw fail("duplicate member name \"\(key)\"", at: keyStart) }
            }
            try skipWhitespace()
            guard current == ":" else { throw fail("expected ':' after the member name \"\(key)\", found \(describe(current))") }
            index += 1
            let child: JSONMemberFilter? = switch keep {
            case .all?: .all
            case .members(let members)?: members[key]
            case nil: nil
            }
            if child == nil && alreadyChecked {
                try passValue()
            } else if let value = try parseValue(child) {
                object[key] = value
            } else if manyNames != nil {
                manyNames!.insert(key)
            } else {
                skippedNames.append(key)
                if skippedNames.count - namesBase > 16 { manyNames = Set(skippedNames[namesBase...]) }
            }
            try skipWhitespace()
            switch current {
            case ",": index += 1
            case "}": index += 1; return keep == nil ? nil : .object(object)
            case nil: throw fail("unexpected end of the text: the object is not closed with '}'")
            default: throw fail("expected ',' or '}' after the value of \"\(key)\", found \(describe(current))")
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
        if current == "]" { index += 1; return keep == nil ? nil : .array(array) }
        while true {
            try skipWhitespace()
            if current == "]" { throw fail("trailing comma before ']': remove the last ','") }
            if let value = try parseValue(element) { array.append(value) }
            try skipWhitespace()
            switch current {
            case ",": index += 1
            case "]": index += 1; return keep == nil ? nil : .array(array)
            case nil: throw fail("unexpected end of the text: the array is not closed with ']'")
            default: throw fail("expected ',' or ']' after an array element, found \(describe(current))")
            }
        }
    }
}
