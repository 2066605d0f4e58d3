import CampaignCore
import Foundation
import Mustache

/// The part of a template an issue is in.
public enum TemplatePart: String, Sendable, Codable {
    case subject
    case from
    case replyTo
    case html
    case text
    case sms

    var label: String {
        switch self {
        case .subject: "subject"
        case .from: "sender (--from)"
        case .replyTo: "reply-to"
        case .html: "HTML part"
        case .text: "text part"
        case .sms: "SMS text"
        }
    }
}

/// One finding of the checks run before a proof or a publish.
public struct TemplateIssue: Error, Sendable, Codable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable { case error, warning }
    public var severity: Severity
    public var part: TemplatePart
    /// 1-based line in that part, when the issue has one.
    public var line: Int?
    public var column: Int?
    public var message: String

    public var description: String {
        var place = part.label
        if let line { place += ", line \(line)" + (column.map { ", column \($0)" } ?? "") }
        return "\(place): \(message)"
    }
}

/// The result of Adobe's control rules and the personalization lint on a
/// template's content for one trigger.
public struct TemplateCheck: Sendable, Codable, Equatable {
    public var issues: [TemplateIssue]
    /// Characters of the SMS text as written (before personalization).
    public var smsCharacters: Int?
    /// Its encoding (GSM-7 or UCS-2) and length in segments, as written.
    public var sms: SMSAnalysis?

    public var errors: [TemplateIssue] { issues.filter { $0.severity == .error } }
    public var warnings: [TemplateIssue] { issues.filter { $0.severity == .warning } }

    /// Throws a bad-input error listing every error, if there is any.
    public func requireNoErrors(_ triggerId: String, action: String) throws {
        let errors = errors
        guard let first = errors.first else { return }
        let rest = errors.dropFirst().map { "\n  \($0)" }.joined()
        throw CampaignError.badInput("cannot \(action) template '\(triggerId)': \(first)\(rest)",
                                     hint: "fix the draft with: campaignctl template edit \(triggerId) …")
    }
}

/// A `{{…}}` tag found in a template, with its line.
struct MustacheTag {
    enum Kind { case variable, unescaped, section, inverted, close, comment, partial, delimiter, pragma, block }
    var kind: Kind
    var name: String
    var line: Int
    var column: Int
}

enum TemplateScanner {
    /// The tags of a template that parses, in order (the Mustache parser has
    /// already accepted its structure).
    static func tags(_ text: String) -> [MustacheTag] {
        var tags: [MustacheTag] = []
        let chars = Array(text)
        var i = 0, line = 1, column = 1
        func advance(_ n: Int) {
            for _ in 0..<n where i < chars.count {
                if chars[i] == "\n" { line += 1; column = 1 } else { column += 1 }
                i += 1
            }
        }
        func starts(_ s: String, at j: Int) -> Bool {
            let sc = Array(s)
            guard j + sc.count <= chars.count else { return false }
            return Array(chars[j..<(j + sc.count)]) == sc
        }
        while i < chars.count {
            guard starts("{{", at: i) else { advance(1); continue }
            let (tagLine, tagColumn) = (line, column)
            let triple = starts("{{{", at: i)
            let close = triple ? "}}}" : "}}"
            advance(triple ? 3 : 2)
            var body = ""
            while i < chars.count, !starts(close, at: i) { body.append(chars[i]); advance(1) }
            advance(close.count)
            var trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
            var kind = MustacheTag.Kind.variable
            if triple { kind = .unescaped } else if let sigil = trimmed.first {
                switch sigil {
                case "#": kind = .section
                case "^": kind = .inverted
                case "/": kind = .close
                case "!": kind = .comment
                case "&": kind = .unescaped
                case ">": kind = .partial
                case "=": kind = .delimiter
                case "%": kind = .pragma
                case "$", "<": kind = .block
                default: break
                }
                if kind != .variable { trimmed = String(trimmed.dropFirst()).trimmingCharacters(in: .whitespaces) }
            }
            tags.append(MustacheTag(kind: kind, name: variableName(trimmed), line: tagLine, column: tagColumn))
        }
        return tags
    }

    /// The variable of a tag, without a transform: `uppercased(event.city)` → `event.city`.
    static func variableName(_ text: String) -> String {
        guard let open = text.lastIndex(of: "("), let close = text.firstIndex(of: ")"), open < close else { return text }
        return String(text[text.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
    }
}

/// HTML escaping by Unicode scalar, for `{{…}}` in the HTML part.
///
/// swift-mustache's own HTML content type escapes by Character: a quote or
/// `<` followed by a combining mark (`"\u{301}`) is one Character, is not
/// escaped, and reaches the HTML as a raw `"`, which closes the attribute
/// whatever follows it, so event data could add attributes. Here every byte
/// is looked at (the five characters are ASCII, and an ASCII byte is never
/// part of a longer UTF-8 sequence), with the library's entities.
struct ScalarHTMLContentType: MustacheContentType {
    static let name = "CAMPAIGNCTL_HTML"

    func escapeText(_ text: String) -> String { Self.escape(text) }

    static func escape(_ text: String) -> String {
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == 0x3C || $0 == 0x3E || $0 == 0x26 || $0 == 0x22 || $0 == 0x27 }) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 32)
        for byte in utf8 {
            switch byte {
            case 0x3C: out += Array("&lt;".utf8)
            case 0x3E: out += Array("&gt;".utf8)
            case 0x26: out += Array("&amp;".utf8)
            case 0x22: out += Array("&quot;".utf8)
            case 0x27: out += Array("&#39;".utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

enum TemplateChecker {
    static let textPragma = "{{%CONTENT_TYPE:TEXT}}"
    static let htmlPragma = "{{%CONTENT_TYPE:\(ScalarHTMLContentType.name)}}"
    /// Registered once, before the first HTML part is parsed.
    static let registerContentTypes: Void = MustacheContentTypes.register(ScalarHTMLContentType(), named: ScalarHTMLContentType.name)

    /// Parses one part with the Mustache parser; nil and an issue on a syntax error.
    static func compile(_ source: String, part: TemplatePart, html: Bool) -> Result<MustacheTemplate, TemplateIssue> {
        _ = registerContentTypes
        let pragma = html ? htmlPragma : textPragma
        do {
            return .success(try MustacheTemplate(string: pragma + source))
        } catch let error as MustacheTemplate.ParserError {
            var column = error.context.columnNumber
            if error.context.lineNumber == 1 { column = max(1, column - pragma.count) }
            return .failure(TemplateIssue(severity: .error, part: part, line: error.context.lineNumber, column: column,
                                          message: "template syntax error: \(describe(error.error))"))
        } catch {
            return .failure(TemplateIssue(severity: .error, part: part, line: nil, column: nil, message: "template syntax error: \(error)"))
        }
    }

    static func describe(_ error: Error) -> String {
        guard let e = error as? MustacheTemplate.Error else { return "\(error)" }
        switch e {
        case .sectionCloseNameIncorrect: return "this closing tag does not match the section opened before it"
        case .unfinishedName: return "unfinished tag: '}}' is missing or the name has characters that are not allowed"
        case .expectedSectionEnd: return "a section is never closed: add {{/NAME}}"
        case .invalidSetDelimiter: return "invalid set-delimiter tag"
        case .transformAppliedToInheritanceSection: return "a transform cannot apply to an inheritance section"
        case .illegalTokenInsideInheritSection: return "illegal tag inside an inheritance section"
        case .textInsideInheritSection: return "text inside an inheritance section"
        case .invalidConfigVariableSyntax: return "invalid {{% … }} pragma"
        case .unrecognisedConfigVariable: return "unknown {{% … }} pragma"
        }
    }

    /// Checks the names a part uses against the trigger's fields and the
    /// profile schema, and returns whether it references `unsubscribeUrl`.
    static func lintNames(_ source: String, part: TemplatePart, triggerId: String, definition: TriggerDefinition,
                          issues: inout [TemplateIssue]) -> Bool {
        var stack: [(name: String, isList: Bool)] = []
        var unsubscribe = false
        func error(_ tag: MustacheTag, _ message: String) {
            issues.append(TemplateIssue(severity: .error, part: part, line: tag.line, column: tag.column, message: message))
        }
        func check(_ tag: MustacheTag) -> Bool? {  // returns isList for sections
            let name = tag.name
            if name == "." {
                if stack.isEmpty { error(tag, "'{{.}}' is only meaningful inside a section such as {{#event.products}}") }
                return false
            }
            let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            let inList = stack.contains { $0.isList }
            switch parts[0] {
            case "event":
                guard parts.count == 2, let field = definition.field(named: parts[1]) else {
                    let fields = definition.fields.map(\.name)
                    error(tag, "unknown field '\(name)': trigger '\(triggerId)' does not define it"
                          + (fields.isEmpty ? " (it has no fields)" : " (fields: \(fields.joined(separator: ", ")))"))
                    return nil
                }
                return field.isList
            case "profile":
                let ok = (parts.count == 2 && ProfileFields.names.contains(parts[1]))
                    || (parts.count == 3 && parts[1] == "attributes" && !parts[2].isEmpty)
                guard ok else {
                    error(tag, "unknown field '\(name)': profiles have \(ProfileFields.names.map { "profile.\($0)" }.joined(separator: ", ")) and profile.attributes.NAME")
                    return nil
                }
                return false
            case "trigger":
                guard parts.count == 2, ["id", "label"].contains(parts[1]) else {
                    error(tag, "unknown field '\(name)': use trigger.id or trigger.label")
                    return nil
                }
                return false
            case "unsubscribeUrl":
                guard parts.count == 1 else { error(tag, "unknown field '\(name)'"); return nil }
                unsubscribe = true
                return false
            default:
                if inList { return false }  // a property of the list item
                error(tag, "unknown field '\(name)': use event.NAME (trigger fields), profile.NAME, trigger.id, trigger.label or unsubscribeUrl")
                return nil
            }
        }
        for tag in TemplateScanner.tags(source) {
            switch tag.kind {
            case .comment:
                continue
            case .partial:
                error(tag, "partials ({{> \(tag.name)}}) are not supported")
            case .delimiter:
                error(tag, "changing the delimiters ({{= … =}}) is not supported")
            case .pragma:
                error(tag, "pragmas ({{% … }}) are not supported")
            case .block:
                error(tag, "blocks ({{$ … }} / {{< … }}) are not supported")
            case .variable, .unescaped:
                _ = check(tag)
                if tag.kind == .unescaped, part == .html, tag.name != "unsubscribeUrl" {
                    issues.append(TemplateIssue(severity: .warning, part: part, line: tag.line, column: tag.column,
                                                message: "'\(tag.name)' is inserted without HTML escaping"))
                }
            case .section, .inverted:
                let isList = check(tag) ?? false
                stack.append((tag.name, tag.kind == .section && isList))
            case .close:
                if !stack.isEmpty { stack.removeLast() }
            }
        }
        return unsubscribe
    }

    /// Checks every `href` and `src` of an HTML part: absolute http(s),
    /// mailto, tel or sms URLs, or an anchor, and no spaces.
    static func lintURLs(_ html: String, issues: inout [TemplateIssue]) {
        let lines = html.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, lineText) in lines.enumerated() {
            var rest = Substring(lineText)
            while let range = rest.range(of: #"\b(href|src)\s*=\s*("[^"]*"|'[^']*')"#, options: [.regularExpression, .caseInsensitive]) {
                let attribute = rest[range]
                rest = rest[range.upperBound...]
                guard let quote = attribute.firstIndex(where: { $0 == "\"" || $0 == "'" }) else { continue }
                let value = String(attribute[attribute.index(after: quote)..<attribute.index(before: attribute.endIndex)])
                if let problem = urlProblem(value) {
                    issues.append(TemplateIssue(severity: .error, part: .html, line: index + 1, column: nil,
                                                message: "malformed URL \"\(value)\": \(problem)"))
                }
            }
        }
    }

    static func urlProblem(_ value: String) -> String? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return "it is empty" }
        if trimmed.hasPrefix("{{") { return trimmed.contains(" ") && !trimmed.hasSuffix("}}") ? "it contains a space" : nil }
        if trimmed.hasPrefix("#") { return nil }
        let literal = trimmed.replacingOccurrences(of: #"\{\{\{?[^}]*\}?\}\}"#, with: "x", options: .regularExpression)
        if literal.contains(where: { $0.isWhitespace }) { return "it contains whitespace (encode it as %20)" }
        guard let components = URLComponents(string: literal), let scheme = components.scheme?.lowercased() else {
            return literal.hasPrefix("/") ? "a relative URL cannot work in an email: use an absolute https:// URL"
                                          : "it is not an absolute URL (expected https://…, mailto:, tel: or sms:)"
        }
        switch scheme {
        case "http", "https":
            guard let host = components.host, !host.isEmpty else { return "it has no host" }
            return nil
        case "mailto", "tel", "sms", "cid": return nil
        default: return "the scheme '\(scheme):' is not allowed (use https, http, mailto, tel or sms)"
        }
    }

    static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    static func isAddress(_ text: String) -> Bool {
        var address = text.trimmingCharacters(in: .whitespaces)
        if let open = address.lastIndex(of: "<"), address.hasSuffix(">") {
            address = String(address[address.index(after: open)..<address.index(before: address.endIndex)])
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        return !address.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," })
            && (parts[1].contains(".") || parts[1] == "localhost")
    }

    /// Every check, with the compiled parts of the content that parse.
    static func run(triggerId: String, definition: TriggerDefinition, content: TemplateContent)
        -> (TemplateCheck, [TemplatePart: MustacheTemplate]) {
        var issues: [TemplateIssue] = []
        var compiled: [TemplatePart: MustacheTemplate] = [:]
        func err(_ part: TemplatePart, _ message: String) {
            issues.append(TemplateIssue(severity: .error, part: part, line: nil, column: nil, message: message))
        }
        func present(_ s: String?) -> String? {
            guard let s, !s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
            return s
        }
        var parts: [(TemplatePart, String)] = []
        var smsCharacters: Int?
        var smsAnalysis: SMSAnalysis?
        switch definition.channel {
        case .email:
            if let subject = present(content.subject) {
                if hasControlCharacters(subject) { err(.subject, "the subject contains a control character (line break, tab…)") }
                parts.append((.subject, subject))
            } else {
                err(.subject, "the subject is missing (set it with --subject)")
            }
            if let from = present(content.from) {
                if hasControlCharacters(from) || !isAddress(from) {
                    err(.from, "\"\(from)\" is not an email address (expected name@example.com or Name <name@example.com>)")
                }
            } else {
                err(.from, "the sender is missing (set it with --from)")
            }
            if let replyTo = present(content.replyTo), hasControlCharacters(replyTo) || !isAddress(replyTo) {
                err(.replyTo, "\"\(replyTo)\" is not an email address")
            }
            let html = present(content.html), text = present(content.text)
            if html == nil && text == nil {
                err(.html, "the email has no body: give an HTML part (--html-file) and/or a text part (--text-file)")
            }
            if let html { parts.append((.html, html)) }
            if let text { parts.append((.text, text)) }
        case .sms:
            if let sms = present(content.smsText) {
                parts.append((.sms, sms))
                smsCharacters = sms.count
                smsAnalysis = SMSText.analyse(sms)
            } else {
                err(.sms, "the SMS text is missing (set it with --sms-text-file)")
            }
            if let from = content.from, hasControlCharacters(from) { err(.from, "the sender id contains a control character") }
        }
        for (part, source) in parts {
            switch compile(source, part: part, html: part == .html) {
            case .failure(let issue):
                issues.append(issue)
            case .success(let template):
                compiled[part] = template
                let unsubscribe = lintNames(source, part: part, triggerId: triggerId, definition: definition, issues: &issues)
                if part == .html { lintURLs(source, issues: &issues) }
                if definition.targeting == .profile, part == .html || part == .text, !unsubscribe {
                    err(part, "the \(part.label) has no unsubscribe link: add {{unsubscribeUrl}} (required in every email part when targeting profiles)")
                }
            }
        }
        return (TemplateCheck(issues: issues, smsCharacters: smsCharacters, sms: smsAnalysis), compiled)
    }
}
