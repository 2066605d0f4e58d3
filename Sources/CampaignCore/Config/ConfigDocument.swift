import Foundation

/// One attribute of an element, as read from a config file.
public struct XMLAttribute: Sendable, Equatable, Codable {
    public var name: String
    /// The value with `&lt;`, `&amp;`, `&#10;`… decoded.
    public var value: String
    /// Where the attribute name starts (1-based line and column, columns in characters).
    public var line: Int
    public var column: Int
}

/// A campaignctl XML config file (`serverConf.xml`, `config-NAME.xml`) kept
/// byte for byte, with a strict well-formedness check and edits that touch
/// only the bytes of the attribute concerned.
///
/// Parsing refuses, with `file:LINE:COLUMN` in the message and exit status 65
/// (`ExitStatus.dataError`, "bad input data: … XML"), a file that is empty, not
/// valid UTF-8, not well-formed (unclosed or mismatched tags, bad attribute
/// syntax, duplicate attributes, `<` or a bare `&` in an attribute value, an
/// undefined entity, text or a second element after the root) or that carries
/// a DOCTYPE / DTD / entity declaration: no external entities, no entity
/// expansion. The five predefined entities and numeric character references
/// are decoded when read and written back escaped.
///
/// Comments, processing instructions, CDATA sections and whitespace are kept
/// as they are. An element path starts at the root: `["serverconf", "pipelined"]`;
/// when several siblings share a name, the first one is used.
public struct ConfigDocument: Sendable {
    /// The file name used in error messages.
    public let path: String
    public private(set) var bytes: [UInt8]
    var nodes: [Node]

    struct Node: Sendable {
        var name: String
        var parent: Int?
        var children: [Int] = []
        /// Offset of `<`.
        var start: Int
        /// Offset just after the element name in the start tag.
        var nameEnd: Int
        /// Offset just after the start tag's `>`.
        var startTagEnd: Int
        var selfClosing: Bool
        /// Offset of `</` of the end tag.
        var closeStart: Int?
        var attributes: [Attr] = []
    }

    struct Attr: Sendable {
        var name: String
        var value: String
        /// Start of the whitespace before the name.
        var leadingStart: Int
        var nameStart: Int
        /// Just after the opening quote.
        var valueStart: Int
        /// Offset of the closing quote.
        var valueEnd: Int
        var quote: UInt8
    }

    /// Parses `bytes`; `path` names the file in error messages.
    public init(bytes: [UInt8], path: String) throws {
        self.path = path
        self.bytes = bytes
        var lexer = Lexer(bytes: bytes, path: path)
        self.nodes = try lexer.parse()
    }

    public init(data: Data, path: String) throws {
        try self.init(bytes: [UInt8](data), path: path)
    }

    /// Reads and parses a file; a missing or unreadable file is `.notFound` (66).
    public init(contentsOf url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CampaignError.notFound("\(url.path) does not exist",
                                         hint: "create the instance with: campaignctl instance init NAME")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CampaignError.notFound("cannot read \(url.path): \(Self.reason(error))",
                                         hint: "check that the file exists and is readable")
        }
        try self.init(data: data, path: url.path)
    }

    public var data: Data { Data(bytes) }
    public var text: String { String(decoding: bytes, as: UTF8.self) }
    public var rootName: String { nodes[0].name }

    // MARK: Reading

    public func hasElement(_ elementPath: [String]) -> Bool {
        nodeIndex(elementPath) != nil
    }

    /// The decoded value of `name` on the element at `elementPath`, or nil.
    public func attribute(_ name: String, at elementPath: [String]) -> String? {
        guard let index = nodeIndex(elementPath) else { return nil }
        return nodes[index].attributes.first { $0.name == name }?.value
    }

    /// The attributes of the element at `elementPath` in file order, or nil
    /// when there is no such element.
    public func attributes(at elementPath: [String]) -> [XMLAttribute]? {
        guard let index = nodeIndex(elementPath) else { return nil }
        return nodes[index].attributes.map { attr in
            let (line, column) = Self.location(of: attr.nameStart, in: bytes)
            return XMLAttribute(name: attr.name, value: attr.value, line: line, column: column)
        }
    }

    /// Where the element at `elementPath` starts (1-based line, column).
    public func location(ofElement elementPath: [String]) -> (line: Int, column: Int)? {
        guard let index = nodeIndex(elementPath) else { return nil }
        return Self.location(of: nodes[index].start, in: bytes)
    }

    func nodeIndex(_ elementPath: [String]) -> Int? {
        guard let first = elementPath.first, nodes[0].name == first else { return nil }
        var index = 0
        for name in elementPath.dropFirst() {
            guard let child = nodes[index].children.first(where: { nodes[$0].name == name }) else { return nil }
            index = child
        }
        return index
    }

    // MARK: Editing

    /// Sets `name` to `value` on the element at `elementPath`. An existing
    /// value is replaced in place, keeping its quote style; a new attribute
    /// goes after the last one (copying its line break and indentation when
    /// attributes are one per line). Missing elements of the path are created
    /// before the parent's end tag with their siblings' indentation; a
    /// self-closing parent is expanded. Every other byte is kept.
    public mutating func setAttribute(_ name: String, to value: String, at elementPath: [String]) throws {
        try Self.requireName(name, what: "attribute name")
        for element in elementPath { try Self.requireName(element, what: "element name") }
        try checkRoot(elementPath)
        if let bad = value.unicodeScalars.first(where: { !Self.isXMLChar($0.value) }) {
            throw CampaignError.badInput("the value for '\(name)' contains the character U+\(String(bad.value, radix: 16, uppercase: true)), which XML does not allow")
        }
        var edited = bytes
        if let index = nodeIndex(elementPath) {
            let node = nodes[index]
            if let attr = node.attributes.first(where: { $0.name == name }) {
                let encoded = Self.escape(value, quote: attr.quote)
                edited.replaceSubrange(attr.valueStart..<attr.valueEnd, with: Array(encoded.utf8))
            } else {
                let insertAt: Int
                var leading = " "
                if let last = node.attributes.last {
                    insertAt = last.valueEnd + 1
                    let whitespace = String(decoding: bytes[last.leadingStart..<last.nameStart], as: UTF8.self)
                    if whitespace.contains("\n") { leading = whitespace }
                } else {
                    insertAt = node.nameEnd
                }
                let text = "\(leading)\(name)=\"\(Self.escape(value, quote: UInt8(ascii: "\"")))\""
                edited.insert(contentsOf: Array(text.utf8), at: insertAt)
            }
        } else {
            edited = insertElements(elementPath, attribute: name, value: value)
        }
        guard edited != bytes else { return }
        self = try ConfigDocument(bytes: edited, path: path)
    }

    /// Removes `name` and the whitespace before it from the element at
    /// `elementPath`; returns false (and changes nothing) when it is not there.
    @discardableResult
    public mutating func removeAttribute(_ name: String, at elementPath: [String]) throws -> Bool {
        guard let index = nodeIndex(elementPath),
              let attr = nodes[index].attributes.first(where: { $0.name == name })
        else { return false }
        var edited = bytes
        edited.removeSubrange(attr.leadingStart..<(attr.valueEnd + 1))
        self = try ConfigDocument(bytes: edited, path: path)
        return true
    }

    /// Rewrites the value of every attribute of every element: `transform`
    /// gets the decoded value and returns the new one, or nil to keep it.
    /// Only the bytes of changed values move; returns how many changed.
    @discardableResult
    public mutating func rewriteAttributeValues(_ transform: (String) throws -> String?) throws -> Int {
        var edits: [(range: Range<Int>, bytes: [UInt8])] = []
        for node in nodes {
            for attr in node.attributes {
                guard let value = try transform(attr.value), value != attr.value else { continue }
                if let bad = value.unicodeScalars.first(where: { !Self.isXMLChar($0.value) }) {
                    throw CampaignError.badInput("the new value for '\(attr.name)' contains the character U+\(String(bad.value, radix: 16, uppercase: true)), which XML does not allow")
                }
                edits.append((attr.valueStart..<attr.valueEnd, Array(Self.escape(value, quote: attr.quote).utf8)))
            }
        }
        guard !edits.isEmpty else { return 0 }
        var edited = bytes
        for edit in edits.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            edited.replaceSubrange(edit.range, with: edit.bytes)
        }
        self = try ConfigDocument(bytes: edited, path: path)
        return edits.count
    }

    private func checkRoot(_ elementPath: [String]) throws {
        guard let first = elementPath.first else {
            throw CampaignError.badInput("an element path needs at least the root element")
        }
        guard first == nodes[0].name else {
            throw CampaignError.badInput("\(path): the root element is <\(nodes[0].name)>, not <\(first)>",
                                         hint: "a campaignctl config file has <\(first)> as its root element")
        }
    }

    /// The bytes with the missing tail of `elementPath` created, holding the attribute.
    private func insertElements(_ elementPath: [String], attribute name: String, value: String) -> [UInt8] {
        var parent = 0
        var depth = 1
        while depth < elementPath.count,
              let child = nodes[parent].children.first(where: { nodes[$0].name == elementPath[depth] }) {
            parent = child
            depth += 1
        }
        let missing = Array(elementPath[depth...])
        let newline = containsCRLF ? "\r\n" : "\n"
        let unit = indentUnit()
        let node = nodes[parent]
        let parentIndent = indentation(at: node.start)
        let childIndent = node.children.lazy.compactMap { indentation(at: nodes[$0].start) }.first
            ?? (parentIndent ?? "") + unit

        func fragment(_ names: ArraySlice<String>, indent: String) -> String {
            let first = names.first!
            if names.count == 1 {
                return "<\(first) \(name)=\"\(Self.escape(value, quote: UInt8(ascii: "\"")))\"/>"
            }
            let inner = indent + unit
            return "<\(first)>" + newline + inner + fragment(names.dropFirst(), indent: inner) + newline + indent + "</\(first)>"
        }

        var edited = bytes
        if node.selfClosing {
            // `<web a="1" />` → `<web a="1">` + child + `</web>`
            var cut = node.startTagEnd - 2
            let floor = node.attributes.last.map { $0.valueEnd + 1 } ?? node.nameEnd
            while cut > floor, Lexer.isSpace(bytes[cut - 1]) { cut -= 1 }
            let replacement: String
            if let parentIndent {
                replacement = ">" + newline + childIndent + fragment(missing[...], indent: childIndent)
                    + newline + parentIndent + "</\(node.name)>"
            } else {
                replacement = ">" + fragment(missing[...], indent: childIndent) + "</\(node.name)>"
            }
            edited.replaceSubrange(cut..<node.startTagEnd, with: Array(replacement.utf8))
        } else {
            let close = node.closeStart!
            var lineStart = close
            while lineStart > node.startTagEnd, bytes[lineStart - 1] == 0x20 || bytes[lineStart - 1] == 0x09 { lineStart -= 1 }
            if lineStart > node.startTagEnd, bytes[lineStart - 1] == 0x0A {
                let text = childIndent + fragment(missing[...], indent: childIndent) + newline
                edited.insert(contentsOf: Array(text.utf8), at: lineStart)
            } else {
                edited.insert(contentsOf: Array(fragment(missing[...], indent: childIndent).utf8), at: close)
            }
        }
        return edited
    }

    private var containsCRLF: Bool {
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == 0x0D, bytes[i + 1] == 0x0A { return true }
            i += 1
        }
        return false
    }

    /// The spaces and tabs before `offset` when it is the first thing on its line.
    private func indentation(at offset: Int) -> String? {
        var i = offset
        while i > 0, bytes[i - 1] == 0x20 || bytes[i - 1] == 0x09 { i -= 1 }
        guard i == 0 || bytes[i - 1] == 0x0A else { return nil }
        return String(decoding: bytes[i..<offset], as: UTF8.self)
    }

    /// The indentation step of the file, from a child indented under its parent; two spaces if none.
    private func indentUnit() -> String {
        for node in nodes {
            guard let parent = node.parent,
                  let inner = indentation(at: node.start),
                  let outer = indentation(at: nodes[parent].start),
                  inner.count > outer.count, inner.hasPrefix(outer)
            else { continue }
            return String(inner.dropFirst(outer.count))
        }
        return "  "
    }

    // MARK: Helpers

    /// `value` escaped for an attribute delimited by `quote`.
    public static func escape(_ value: String, quote: UInt8 = UInt8(ascii: "\"")) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where quote == UInt8(ascii: "\""): out += "&quot;"
            case "'" where quote == UInt8(ascii: "'"): out += "&apos;"
            case "\t": out += "&#9;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func requireName(_ name: String, what: String) throws {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, Lexer.isNameStart(first), bytes.allSatisfy(Lexer.isNameByte) else {
            throw CampaignError.badInput("'\(name)' is not a valid XML \(what)")
        }
    }

    static func isXMLChar(_ value: UInt32) -> Bool {
        value == 0x9 || value == 0xA || value == 0xD || (0x20...0xD7FF).contains(value)
            || (0xE000...0xFFFD).contains(value) || (0x10000...0x10FFFF).contains(value)
    }

    /// 1-based line and column (in characters) of a byte offset.
    static func location(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1, column = 1
        var i = 0
        let end = min(offset, bytes.count)
        while i < end {
            if bytes[i] == 0x0A {
                line += 1
                column = 1
            } else if bytes[i] & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return (line, column)
    }

    static func reason(_ error: Error) -> String {
        if let cocoa = error as? CocoaError, let underlying = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError {
            return underlying.localizedDescription
        }
        return error.localizedDescription
    }
}

// MARK: - Lexer

/// A strict, non-validating XML 1.0 lexer for config files: no DTD, no
/// entities beyond the five predefined ones.
struct Lexer {
    let bytes: [UInt8]
    let path: String
    var pos = 0
    var nodes: [ConfigDocument.Node] = []

    init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    static func isNameStart(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte == 0x3A || byte >= 0x80
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        isNameStart(byte) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x2E
    }

    func fail(_ offset: Int, _ message: String) -> CampaignError {
        let (line, column) = ConfigDocument.location(of: offset, in: bytes)
        return CampaignError.badInput(
            "\(path):\(line):\(column): \(message)",
            hint: "nothing was changed; fix the file by hand: campaignctl only reads and edits well-formed XML without DOCTYPE or entity declarations")
    }

    func has(_ prefix: String) -> Bool {
        let p = Array(prefix.utf8)
        guard pos + p.count <= bytes.count else { return false }
        for (i, b) in p.enumerated() where bytes[pos + i] != b { return false }
        return true
    }

    func find(_ needle: String, from start: Int) -> Int? {
        let n = Array(needle.utf8)
        var i = start
        while i + n.count <= bytes.count {
            if bytes[i] == n[0] {
                var match = true
                for j in 1..<n.count where bytes[i + j] != n[j] { match = false; break }
                if match { return i }
            }
            i += 1
        }
        return nil
    }

    mutating func skipSpace() {
        while pos < bytes.count, Self.isSpace(bytes[pos]) { pos += 1 }
    }

    mutating func parse() throws -> [ConfigDocument.Node] {
        if bytes.allSatisfy(Self.isSpace) {
            throw fail(0, "the file is empty")
        }
        try checkUTF8()
        if has("\u{FEFF}") { pos = 3 }
        let documentStart = pos
        var stack: [Int] = []
        var rootClosed = false
        while pos < bytes.count {
            let byte = bytes[pos]
            if byte == UInt8(ascii: "<") {
                if has("<!--") {
                    try comment()
                } else if has("<![CDATA[") {
                    if stack.isEmpty { throw fail(pos, "a CDATA section is only allowed inside the root element") }
                    guard let end = find("]]>", from: pos + 9) else { throw fail(pos, "CDATA section is never closed (missing ']]>')") }
                    pos = end + 3
                } else if has("<!DOCTYPE") {
                    throw fail(pos, "DOCTYPE declarations are not allowed (no DTD, no entity declarations)")
                } else if has("<!ENTITY") {
                    throw fail(pos, "entity declarations are not allowed")
                } else if has("<!") {
                    throw fail(pos, "unexpected markup '<!'")
                } else if has("<?") {
                    try processingInstruction(atDocumentStart: pos == documentStart)
                } else if has("</") {
                    let start = pos
                    pos += 2
                    guard pos < bytes.count, Self.isNameStart(bytes[pos]) else { throw fail(pos, "expected an element name after '</'") }
                    let name = readName()
                    skipSpace()
                    guard pos < bytes.count, bytes[pos] == UInt8(ascii: ">") else {
                        throw fail(pos, "end tag </\(name)> is not closed with '>'")
                    }
                    pos += 1
                    guard let open = stack.last else { throw fail(start, "end tag </\(name)> has no matching start tag") }
                    guard nodes[open].name == name else {
                        let (line, column) = ConfigDocument.location(of: nodes[open].start, in: bytes)
                        throw fail(start, "end tag </\(name)> does not match <\(nodes[open].name)> opened at line \(line), column \(column)")
                    }
                    nodes[open].closeStart = start
                    stack.removeLast()
                    if stack.isEmpty { rootClosed = true }
                } else {
                    if rootClosed { throw fail(pos, "junk after the root element: a second element") }
                    let index = try startTag(parent: stack.last)
                    if let parent = stack.last { nodes[parent].children.append(index) }
                    if nodes[index].selfClosing {
                        if stack.isEmpty { rootClosed = true }
                    } else {
                        stack.append(index)
                    }
                }
            } else if stack.isEmpty {
                guard Self.isSpace(byte) else {
                    throw fail(pos, rootClosed ? "junk after the root element: text" : "text before the root element")
                }
                pos += 1
            } else if byte == UInt8(ascii: "&") {
                _ = try reference()
            } else if byte == UInt8(ascii: "]"), has("]]>") {
                throw fail(pos, "']]>' is not allowed in text")
            } else {
                pos += 1
            }
        }
        if let open = stack.last {
            throw fail(nodes[open].start, "element <\(nodes[open].name)> is never closed")
        }
        if nodes.isEmpty { throw fail(bytes.count, "no root element") }
        return nodes
    }

    mutating func checkUTF8() throws {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let extra: Int
            if b < 0x80 { extra = 0 } else if b & 0xE0 == 0xC0, b >= 0xC2 { extra = 1 } else if b & 0xF0 == 0xE0 { extra = 2 } else if b & 0xF8 == 0xF0, b <= 0xF4 { extra = 3 } else {
                throw fail(i, "the file is not valid UTF-8")
            }
            guard i + extra < bytes.count, (0..<extra).allSatisfy({ bytes[i + 1 + $0] & 0xC0 == 0x80 }) else {
                throw fail(i, "the file is not valid UTF-8")
            }
            if extra == 0, b < 0x20, !Self.isSpace(b) {
                throw fail(i, "control character 0x\(String(b, radix: 16)) is not allowed in XML")
            }
            i += extra + 1
        }
    }

    mutating func readName() -> String {
        let start = pos
        while pos < bytes.count, Self.isNameByte(bytes[pos]) { pos += 1 }
        return String(decoding: bytes[start..<pos], as: UTF8.self)
    }

    mutating func comment() throws {
        let start = pos
        guard let dashes = find("--", from: pos + 4) else { throw fail(start, "comment is never closed (missing '-->')") }
        guard dashes + 2 < bytes.count, bytes[dashes + 2] == UInt8(ascii: ">") else {
            throw fail(dashes, "'--' is not allowed inside a comment")
        }
        pos = dashes + 3
    }

    mutating func processingInstruction(atDocumentStart: Bool) throws {
        let start = pos
        pos += 2
        guard pos < bytes.count, Self.isNameStart(bytes[pos]) else { throw fail(pos, "expected a target name after '<?'") }
        let target = readName()
        if target.lowercased() == "xml", !atDocumentStart {
            throw fail(start, "the XML declaration '<?xml …?>' is only allowed at the very start of the file")
        }
        guard let end = find("?>", from: pos) else { throw fail(start, "processing instruction is never closed (missing '?>')") }
        pos = end + 2
    }

    /// Parses `&…;` at `pos`; returns the decoded bytes.
    mutating func reference() throws -> [UInt8] {
        let start = pos
        var end = pos + 1
        while end < bytes.count, end - start < 16, bytes[end] != UInt8(ascii: ";"),
              Self.isNameByte(bytes[end]) || bytes[end] == UInt8(ascii: "#") { end += 1 }
        guard end < bytes.count, bytes[end] == UInt8(ascii: ";"), end > start + 1 else {
            throw fail(start, "unescaped '&' (write &amp;)")
        }
        let name = String(decoding: bytes[(start + 1)..<end], as: UTF8.self)
        pos = end + 1
        switch name {
        case "lt": return [UInt8(ascii: "<")]
        case "gt": return [UInt8(ascii: ">")]
        case "amp": return [UInt8(ascii: "&")]
        case "quot": return [UInt8(ascii: "\"")]
        case "apos": return [UInt8(ascii: "'")]
        default:
            if name.hasPrefix("#") {
                let digits = name.dropFirst()
                let hex = digits.hasPrefix("x")
                let number = hex ? digits.dropFirst() : digits
                let allowed = hex ? "0123456789abcdefABCDEF" : "0123456789"
                let value = number.allSatisfy(allowed.contains) ? UInt32(number, radix: hex ? 16 : 10) : nil
                guard let value, ConfigDocument.isXMLChar(value), let scalar = Unicode.Scalar(value) else {
                    throw fail(start, "invalid character reference '&\(name);'")
                }
                return Array(String(Character(scalar)).utf8)
            }
            throw fail(start, "undefined entity '&\(name);' (only &lt; &gt; &amp; &quot; &apos; and &#N; are allowed)")
        }
    }

    mutating func startTag(parent: Int?) throws -> Int {
        let start = pos
        pos += 1
        guard pos < bytes.count, Self.isNameStart(bytes[pos]) else {
            throw fail(start, "unescaped '<' (expected an element name after '<'; write &lt; in text)")
        }
        let name = readName()
        let nameEnd = pos
        var attributes: [ConfigDocument.Attr] = []
        var selfClosing = false
        while true {
            let spaceStart = pos
            skipSpace()
            guard pos < bytes.count else { throw fail(start, "start tag <\(name)> is never closed (missing '>')") }
            if bytes[pos] == UInt8(ascii: ">") {
                pos += 1
                break
            }
            if has("/>") {
                pos += 2
                selfClosing = true
                break
            }
            guard Self.isNameStart(bytes[pos]) else {
                throw fail(pos, "bad attribute syntax in <\(name)>: expected an attribute name, '>' or '/>'")
            }
            guard pos > spaceStart else {
                throw fail(pos, "bad attribute syntax in <\(name)>: attributes must be separated by whitespace")
            }
            let nameStart = pos
            let attributeName = readName()
            skipSpace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: "=") else {
                throw fail(nameStart, "bad attribute syntax in <\(name)>: attribute '\(attributeName)' has no '=\"value\"'")
            }
            pos += 1
            skipSpace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") || bytes[pos] == UInt8(ascii: "'") else {
                throw fail(pos, "bad attribute syntax in <\(name)>: the value of '\(attributeName)' must be in quotes")
            }
            let quote = bytes[pos]
            pos += 1
            let valueStart = pos
            var decoded: [UInt8] = []
            while true {
                guard pos < bytes.count else {
                    throw fail(valueStart - 1, "the value of attribute '\(attributeName)' in <\(name)> is never closed")
                }
                let byte = bytes[pos]
                if byte == quote { break }
                switch byte {
                case UInt8(ascii: "<"):
                    throw fail(pos, "'<' is not allowed in the value of attribute '\(attributeName)' (write &lt;)")
                case UInt8(ascii: "&"):
                    decoded += try reference()
                case 0x0D:
                    // XML end-of-line and attribute-value normalization: CR LF, CR, LF, TAB → one space.
                    decoded.append(0x20)
                    pos += (pos + 1 < bytes.count && bytes[pos + 1] == 0x0A) ? 2 : 1
                case 0x0A, 0x09:
                    decoded.append(0x20)
                    pos += 1
                default:
                    decoded.append(byte)
                    pos += 1
                }
            }
            let valueEnd = pos
            pos += 1
            if attributes.contains(where: { $0.name == attributeName }) {
                throw fail(nameStart, "duplicate attribute '\(attributeName)' in <\(name)>")
            }
            attributes.append(.init(name: attributeName, value: String(decoding: decoded, as: UTF8.self),
                                    leadingStart: spaceStart, nameStart: nameStart,
                                    valueStart: valueStart, valueEnd: valueEnd, quote: quote))
        }
        nodes.append(.init(name: name, parent: parent, start: start, nameEnd: nameEnd, startTagEnd: pos,
                           selfClosing: selfClosing, closeStart: nil, attributes: attributes))
        return nodes.count - 1
    }
}
