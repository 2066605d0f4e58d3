/// Text for a terminal or a line-based log: control characters and
/// bidirectional overrides written as `\u{1B}`, so that data from a trigger,
/// a template or a file cannot move the cursor, retitle the window, reorder
/// what an operator reads or (in a log) start a line of its own.
///
/// `keepingLineBreaks`: tabs, newlines and CRLF stay as they are (a report
/// of several lines); otherwise only tabs do (one log line).
public func visibleText(_ text: String, keepingLineBreaks: Bool) -> String {
    func hidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09: false
        case 0x0A: !keepingLineBreaks
        case 0x00...0x1F, 0x7F...0x9F: true  // C0 (a lone CR too), DEL, C1
        case 0x202A...0x202E, 0x2066...0x2069: true  // bidirectional embeddings, overrides and isolates
        default: false
        }
    }
    guard text.unicodeScalars.contains(where: hidden) else { return text }
    var out = String.UnicodeScalarView()
    var scalars = text.unicodeScalars.makeIterator()
    var next = scalars.next()
    while let scalar = next {
        next = scalars.next()
        if keepingLineBreaks && scalar == "\r" && next == "\n" || !hidden(scalar) {
            out.append(scalar)
        } else {
            out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
        }
    }
    return String(out)
}
