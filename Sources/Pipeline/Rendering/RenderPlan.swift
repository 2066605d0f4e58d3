import CampaignCore
import Mustache

/// One template part as swift-mustache parsed it, rendered straight from
/// the message's JSON values: the daemon's hot path.
///
/// swift-mustache resolves every name through `Any`, protocol casts and
/// `Mirror`; with three parts per message that was the largest cost of the
/// daemon's processing (docs/performance.md). The plan is read once per
/// template version from the token tree the library produced, so the
/// parsing rules (standalone lines, whitespace) are the library's own, and
/// it renders with the library's semantics for the values a message
/// context holds: strings, numbers (as their display text), booleans,
/// null, arrays and objects.
///
/// What it does not cover, it declines, and the caller renders with
/// swift-mustache: a part using transforms (`{{uppercased(x)}}`) or
/// anything else than text, variables, sections and inverted sections has
/// no plan; a variable that resolves to an array or an object (whose text
/// is the library's `description` of it) makes `render` return nil.
/// `RenderPlanTests` renders both ways and compares.
struct RenderPlan: Sendable {
    indirect enum Node: Sendable {
        case text(String)
        case variable(Name, escaped: Bool)
        case section(Name, [Node])
        case inverted(Name, [Node])
    }

    /// `.` (the current value), or a dotted path whose first segment is
    /// looked up through the context stack, the rest in what it found.
    enum Name: Sendable {
        case current
        case path([String])

        init?(_ text: String) {
            if text == "." { self = .current; return }
            let segments = text.split(separator: ".", omittingEmptySubsequences: false)
            // The library drops empty segments and gives a leading dot its
            // own meaning; such names are left to it.
            guard !segments.isEmpty, segments.allSatisfy({ !$0.isEmpty }) else { return nil }
            self = .path(segments.map(String.init))
        }
    }

    let nodes: [Node]
    /// HTML escaping (the HTML part), as `ScalarHTMLContentType` does it.
    let escapesHTML: Bool

    /// The plan of a parsed part, or nil when the part uses something the
    /// plan does not render the way the library does.
    init?(_ template: MustacheTemplate, escapesHTML: Bool) {
        guard let nodes = Self.nodes(of: template, topLevel: true) else { return nil }
        self.nodes = nodes
        self.escapesHTML = escapesHTML
    }

    /// Renders with `root` as the context (an object); nil when a value
    /// met on the way has no rendering here (see the type's comment).
    func render(_ root: JSONValue) -> String? {
        var output = ""
        output.reserveCapacity(2048)
        var stack: [JSONValue] = [root]
        stack.reserveCapacity(8)
        guard Self.render(nodes, stack: &stack, escapesHTML: escapesHTML, into: &output) else { return nil }
        return output
    }

    // MARK: - Reading the library's token tree

    /// The tokens through `Mirror`: `MustacheTemplate.tokens` is not public.
    /// Any shape not recognised gives nil, never a wrong plan.
    private static func nodes(of template: MustacheTemplate, topLevel: Bool) -> [Node]? {
        guard let tokens = Mirror(reflecting: template).children.first(where: { $0.label == "tokens" })?.value as? [Any] else {
            return nil
        }
        var nodes: [Node] = []
        for (index, token) in tokens.enumerated() {
            guard let (kind, payload) = Mirror(reflecting: token).children.first.map({ ($0.label, $0.value) }),
                  let kind else { return nil }
            let fields = Dictionary(Mirror(reflecting: payload).children.compactMap { child in child.label.map { ($0, child.value) } },
                                    uniquingKeysWith: { a, _ in a })
            switch kind {
            case "text":
                guard let text = payload as? String else { return nil }
                nodes.append(.text(text))
            case "contentType":
                // Only the pragma the checker puts first; the caller knows which one it is.
                guard topLevel, index == 0 else { return nil }
            case "variable", "unescapedVariable":
                guard let name = plainName(fields) else { return nil }
                nodes.append(.variable(name, escaped: kind == "variable"))
            case "section", "invertedSection":
                guard let name = plainName(fields), let inner = fields["template"] as? MustacheTemplate,
                      let children = Self.nodes(of: inner, topLevel: false) else { return nil }
                nodes.append(kind == "section" ? .section(name, children) : .inverted(name, children))
            default:
                return nil
            }
        }
        return nodes
    }

    private static func plainName(_ fields: [String: Any]) -> Name? {
        guard let text = fields["name"] as? String, let transforms = fields["transforms"] as? [String], transforms.isEmpty else {
            return nil
        }
        return Name(text)
    }

    // MARK: - Rendering

    private static func render(_ nodes: [Node], stack: inout [JSONValue], escapesHTML: Bool, into output: inout String) -> Bool {
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
            case .variable(let name, let escaped):
                switch lookup(name, in: stack) {
                case nil, .null?:
                    continue
                case .string(let text)?:
                    append(text, escape: escaped && escapesHTML, to: &output)
                case .number(let value)?:
                    append(JSONValue.number(value).displayText, escape: escaped && escapesHTML, to: &output)
                case .bool(let flag)?:
                    output += flag ? "true" : "false"
                case .array?, .object?:
                    return false
                }
            case .section(let name, let children):
                switch lookup(name, in: stack) {
                case nil, .null?, .bool(false)?:
                    continue
                case .bool(true)?:
                    guard render(children, stack: &stack, escapesHTML: escapesHTML, into: &output) else { return false }
                case .array(let items)?:
                    for item in items {
                        stack.append(item)
                        defer { stack.removeLast() }
                        guard render(children, stack: &stack, escapesHTML: escapesHTML, into: &output) else { return false }
                    }
                case let value?:
                    stack.append(value)
                    defer { stack.removeLast() }
                    guard render(children, stack: &stack, escapesHTML: escapesHTML, into: &output) else { return false }
                }
            case .inverted(let name, let children):
                let value = lookup(name, in: stack)
                switch value {
                case nil, .null?, .bool(false)?:
                    guard render(children, stack: &stack, escapesHTML: escapesHTML, into: &output) else { return false }
                case .array(let items)? where items.isEmpty:
                    // The library renders an empty list's inverted section with the list pushed.
                    stack.append(.array([]))
                    defer { stack.removeLast() }
                    guard render(children, stack: &stack, escapesHTML: escapesHTML, into: &output) else { return false }
                default:
                    continue
                }
            }
        }
        return true
    }

    /// The library's lookup: the first value of the stack (top down) that
    /// has the first segment decides; the rest is looked up in it alone.
    /// Only objects have members; null counts as absent.
    private static func lookup(_ name: Name, in stack: [JSONValue]) -> JSONValue? {
        switch name {
        case .current:
            return stack.last
        case .path(let segments):
            var found: JSONValue?
            for value in stack.reversed() {
                if case .object(let members) = value, let member = members[segments[0]] {
                    found = member
                    break
                }
            }
            guard var value = found else { return nil }
            for segment in segments.dropFirst() {
                guard case .object(let members) = value, let member = members[segment] else { return nil }
                value = member
            }
            return value
        }
    }

    private static func append(_ text: String, escape: Bool, to output: inout String) {
        if escape {
            output += ScalarHTMLContentType.escape(text)
        } else {
            output += text
        }
    }
}
