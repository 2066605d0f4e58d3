import Foundation

/// Links in rendered HTML that would run script when clicked or loaded:
/// `javascript:`, `vbscript:` and `data:` URLs (but images) in the URL
/// attributes of tags. The template's own links are checked when it is
/// edited (`TemplateChecker.lintURLs` allows https, http, mailto, tel, sms,
/// cid and anchors); these come from data — `href="{{event.productUrl}}"`
/// with a product URL a web page set to `javascript:…` — and are replaced
/// by `#unsafe-link-removed` in every rendered message, preview and proof.
enum ScriptLinks {
    static let replacement = Array("#unsafe-link-removed".utf8)

    /// The attributes whose value a browser or mail client follows or loads as a URL.
    static let urlAttributes = ["href", "src", "action", "formaction", "background", "poster", "cite",
                                "xlink:href", "longdesc", "lowsrc", "dynsrc", "data", "codebase"].map { Array($0.utf8) }
    /// Elements whose content is raw text, up to their end tag.
    static let rawTextElements = ["script", "style", "textarea", "title"].map { Array($0.utf8) }

    /// `html` with each script link's value replaced; the same text when there is none.
    static func removed(from html: String) -> String {
        var html = html
        let found = html.withUTF8 { values(in: $0) }
        guard !found.isEmpty else { return html }
        var bytes = Array(html.utf8)
        for range in found.reversed() { bytes.replaceSubrange(range, with: replacement) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The ranges of the script links' values, in order. A tolerant reading
    /// of tags and attributes (quoted, unquoted, without value), skipping
    /// comments, declarations and the raw text of script, style, textarea
    /// and title elements.
    static func values(in html: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var found: [Range<Int>] = []
        let n = html.count
        var i = 0
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D }
        /// The name of `names` that `range` spells in any case.
        func named(_ range: Range<Int>, _ names: [[UInt8]]) -> [UInt8]? {
            for name in names where name.count == range.count {
                var k = 0
                while k < name.count {
                    let byte = html[range.lowerBound + k]
                    if name[k] != (byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte) { break }
                    k += 1
                }
                if k == name.count { return name }
            }
            return nil
        }
        func find(_ needle: [UInt8], from start: Int, caseInsensitive: Bool = false) -> Int? {
            guard needle.count <= n else { return nil }
            var j = start
            while j + needle.count <= n {
                var k = 0
                while k < needle.count {
                    var byte = html[j + k]
                    if caseInsensitive && byte >= 0x41 && byte <= 0x5A { byte += 0x20 }
                    if byte != needle[k] { break }
                    k += 1
                }
                if k == needle.count { return j }
                j += 1
            }
            return nil
        }
        while i < n {
            guard let base = html.baseAddress, let open = memchr(base + i, 0x3C, n - i) else { break }  // '<'
            i = base.distance(to: open.assumingMemoryBound(to: UInt8.self)) + 1
            guard i < n else { break }
            if html[i] == UInt8(ascii: "!") || html[i] == UInt8(ascii: "?") {
                if find(Array("!--".utf8), from: i) == i {
                    i = (find(Array("-->".utf8), from: i + 3)).map { $0 + 3 } ?? n
                } else {
                    i = html[i...].firstIndex(of: UInt8(ascii: ">")).map { $0 + 1 } ?? n
                }
                continue
            }
            let closing = html[i] == UInt8(ascii: "/")
            if closing { i += 1 }
            guard i < n, case let first = html[i] | 0x20, first >= 0x61 && first <= 0x7A else { continue }  // a '<' in text
            let nameStart = i
            while i < n, !isSpace(html[i]), html[i] != UInt8(ascii: ">"), html[i] != UInt8(ascii: "/") { i += 1 }
            let rawText = closing ? nil : named(nameStart..<i, rawTextElements)
            while i < n {
                while i < n, isSpace(html[i]) || html[i] == UInt8(ascii: "/") { i += 1 }
                guard i < n else { break }
                if html[i] == UInt8(ascii: ">") { i += 1; break }
                let attributeStart = i
                i += 1  // a name's first character may be '='
                while i < n, !isSpace(html[i]), html[i] != UInt8(ascii: "="), html[i] != UInt8(ascii: ">"), html[i] != UInt8(ascii: "/") { i += 1 }
                let attribute = closing ? nil : named(attributeStart..<i, urlAttributes)
                while i < n, isSpace(html[i]) { i += 1 }
                guard i < n, html[i] == UInt8(ascii: "=") else { continue }
                i += 1
                while i < n, isSpace(html[i]) { i += 1 }
                guard i < n else { break }
                let value: Range<Int>
                if html[i] == UInt8(ascii: "\"") || html[i] == UInt8(ascii: "'") {
                    let quote = html[i]
                    let start = i + 1
                    let end = html[start...].firstIndex(of: quote) ?? n
                    value = start..<end
                    i = min(end + 1, n)
                } else {
                    let start = i
                    while i < n, !isSpace(html[i]), html[i] != UInt8(ascii: ">") { i += 1 }
                    value = start..<i
                }
                if let attribute, runsScript(Array(html[value].prefix(64))[...], attribute: String(decoding: attribute, as: UTF8.self)) {
                    found.append(value)
                }
            }
            if let rawText {
                i = find(Array("</".utf8) + rawText, from: i, caseInsensitive: true) ?? n
            }
        }
        return found
    }

    /// Whether a URL attribute's value (as written in the HTML) is a script
    /// link: read as a browser reads it — character references decoded, tabs
    /// and line breaks removed, leading spaces and controls ignored, the
    /// scheme in any case.
    static func runsScript(_ value: ArraySlice<UInt8>, attribute: String) -> Bool {
        var scheme: [UInt8] = []
        var rest: [UInt8] = []
        var i = value.startIndex
        var leading = true
        while i < value.endIndex, rest.count < 16 {
            var byte = value[i]
            i += 1
            if byte == UInt8(ascii: "&"), let (decoded, next) = characterReference(value, at: i) {
                byte = decoded
                i = next
            }
            if byte == 0x09 || byte == 0x0A || byte == 0x0D { continue }
            if leading && byte <= 0x20 { continue }
            leading = false
            if scheme.last == UInt8(ascii: ":") { rest.append(byte | (byte >= 0x41 && byte <= 0x5A ? 0x20 : 0)); continue }
            let lower = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
            scheme.append(lower)
            if lower == UInt8(ascii: ":") { continue }
            let isSchemeCharacter = (lower >= 0x61 && lower <= 0x7A) || (lower >= 0x30 && lower <= 0x39)
                || lower == UInt8(ascii: "+") || lower == UInt8(ascii: "-") || lower == UInt8(ascii: ".")
            if !isSchemeCharacter || scheme.count > 16 { return false }
        }
        switch String(decoding: scheme, as: UTF8.self) {
        case "javascript:", "vbscript:": return true
        case "data:": return !(["src", "poster", "background", "lowsrc", "dynsrc"].contains(attribute) && rest.starts(with: Array("image/".utf8)))
        default: return false
        }
    }

    /// The ASCII character of a character reference starting after its `&`
    /// (`&#58;`, `&#x3A;`, `&colon;`…, the `;` optional as browsers allow
    /// for numbers), and the index after it; nil for anything else.
    static func characterReference(_ value: ArraySlice<UInt8>, at start: Int) -> (UInt8, Int)? {
        var i = start
        if i < value.endIndex, value[i] == UInt8(ascii: "#") {
            i += 1
            let hex = i < value.endIndex && (value[i] | 0x20) == UInt8(ascii: "x")
            if hex { i += 1 }
            var code = 0, digits = 0
            while i < value.endIndex, digits < 8 {
                let byte = value[i] | (hex ? 0x20 : 0)
                let digit: Int
                if byte >= 0x30 && byte <= 0x39 { digit = Int(byte - 0x30) }
                else if hex && byte >= 0x61 && byte <= 0x66 { digit = Int(byte - 0x61 + 10) }
                else { break }
                code = code * (hex ? 16 : 10) + digit
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            if i < value.endIndex, value[i] == UInt8(ascii: ";") { i += 1 }
            return code < 0x80 ? (UInt8(code), i) : (0x80, i)
        }
        for (name, byte) in namedReferences {
            let end = i + name.count
            if end <= value.endIndex, value[i..<end].elementsEqual(name) { return (byte, end) }
        }
        return nil
    }

    static let namedReferences: [([UInt8], UInt8)] = [
        ("colon;", ":"), ("Tab;", "\t"), ("NewLine;", "\n"), ("lpar;", "("), ("rpar;", ")"),
        ("amp;", "&"), ("sol;", "/"), ("period;", "."), ("quot;", "\""), ("apos;", "'"),
    ].map { (Array($0.0.utf8), UInt8(ascii: $0.1)) }
}
