import CampaignCore
import Foundation
import Mustache
@testable import Pipeline
import Testing

/// The daemon renders through `RenderPlan`; swift-mustache is the reference.
/// Every case renders both ways and must give the same text, or the plan
/// must decline (nil) so that swift-mustache renders.
@Suite struct RenderPlanTests {
    static let values: [String: JSONValue] = [
        "text": .string("Trail <shoes> & \"socks\" 'n' more"),
        "combining": .string("\"\u{301}<\u{301}"),
        "empty": .string(""),
        "integer": .number(3),
        "decimal": .number(129.9),
        "negative": .number(-0.5),
        "huge": .number(1e20),
        "yes": .bool(true),
        "no": .bool(false),
        "nothing": .null,
        "items": .array([
            .object(["name": .string("Shoes"), "price": .number(129.9), "quantity": .number(1), "url": .string("https://x.example/1?a=1&b=2")]),
            .object(["name": .string("<Socks>"), "price": .number(24.5), "quantity": .number(2), "gift": .bool(true)]),
            .object(["name": .null, "tags": .array([.string("a"), .string("b")])]),
        ]),
        "strings": .array([.string("a"), .string("<b>"), .null, .number(2), .bool(false)]),
        "none": .array([]),
        "nested": .object(["inner": .object(["leaf": .string("deep & down")]), "name": .string("outer"), "nil": .null]),
        "unicode": .string("Zoë 👋🏽 ß"),
    ]

    static let templates: [String] = [
        "plain text, no tags",
        "{{event.text}}|{{{event.text}}}|{{&event.text}}",
        "{{event.combining}}{{event.empty}}{{event.integer}} {{event.decimal}} {{event.negative}} {{event.huge}}",
        "{{event.yes}} {{event.no}} [{{event.nothing}}] [{{event.missing}}] [{{event.nested.inner.leaf}}] [{{event.nested.nil.x}}]",
        "{{#event.items}}<li>{{name}} x {{quantity}} = {{price}} {{url}}{{#gift}} (gift){{/gift}}{{^gift}} -{{/gift}}</li>\n{{/event.items}}",
        "{{#event.items}}\n  - {{name}}\n{{/event.items}}\nTotal\n",
        "{{#event.strings}}[{{.}}]{{/event.strings}}",
        "{{#event.none}}never{{/event.none}}{{^event.none}}empty list{{/event.none}}",
        "{{#event.yes}}yes {{event.text}}{{/event.yes}}{{#event.no}}no{{/event.no}}{{^event.no}}not no{{/event.no}}",
        "{{#event.nothing}}x{{/event.nothing}}{{^event.nothing}}null is empty{{/event.nothing}}",
        "{{#event.missing}}x{{/event.missing}}{{^event.missing}}missing is empty{{/event.missing}}",
        "{{#event.empty}}[{{.}}] empty string is a value{{/event.empty}}{{^event.empty}}never{{/event.empty}}",
        "{{#event.text}}[{{.}}]{{/event.text}}{{#event.decimal}}[{{.}}]{{/event.decimal}}{{^event.text}}no{{/event.text}}",
        "{{#event.nested}}{{name}} {{inner.leaf}} {{event.text}} {{profile.firstName}}{{/event.nested}}",
        "{{#event.items}}{{#tags}}<{{.}}>{{/tags}}{{^tags}}none{{/tags}}|{{/event.items}}",
        "{{#event.items}}{{event.integer}}:{{name}}:{{unsubscribeUrl}}:{{trigger.label}}{{/event.items}}",
        "Hi {{profile.firstName}} {{profile.lastName}} <{{profile.email}}> {{profile.phone}} {{profile.locale}} {{profile.attributes.tier}} {{profile.attributes.points}}",
        "{{trigger.id}} / {{trigger.label}} / {{{unsubscribeUrl}}} / {{unsubscribeUrl}}",
        "  {{#event.items}}  \n  standalone lines vanish\n  {{/event.items}}  \n{{! a comment }}\n{{! standalone comment }}\nend",
        "{{ event.text }} {{# event.yes }}spaced{{/ event.yes }}",
        "{{event.unicode}} {{#event.strings}}{{#.}}truthy {{.}} {{/.}}{{^.}}falsy {{/.}}{{/event.strings}}",
        "{{^event.items}}none{{/event.items}}{{^event.nested}}none{{/event.nested}}{{^event.integer}}none{{/event.integer}}",
        "{{#event.nested}}{{#inner}}{{leaf}} {{name}}{{/inner}}{{/event.nested}}",
        "line one\r\nline two\r\n{{#event.yes}}\r\ninside\r\n{{/event.yes}}\r\nend",
    ]

    static let profile = RenderProfile(email: "ada@example.com", phone: "+447700900123", firstName: "Ada <&>", lastName: nil,
                                       locale: "en_GB", attributes: ["tier": .string("gold & co"), "points": .number(1200)])

    static func parse(_ source: String, html: Bool) throws -> MustacheTemplate {
        _ = TemplateChecker.registerContentTypes
        return try MustacheTemplate(string: (html ? TemplateChecker.htmlPragma : TemplateChecker.textPragma) + source)
    }

    static func compare(_ source: String, html: Bool, event: [String: JSONValue], profile: RenderProfile) throws -> (plan: String?, reference: String) {
        let template = try parse(source, html: html)
        let input = RenderInput(event: event, profile: profile, unsubscribeUrl: "https://u.example/u?p=1&t=cart")
        let reference = template.render(CompiledTemplate.context(input, triggerId: "cart", label: "Cart <abandonment>"))
        let plan = try #require(RenderPlan(template, escapesHTML: html), "no plan for \(source)")
        return (plan.render(CompiledTemplate.root(input, triggerId: "cart", label: "Cart <abandonment>")), reference)
    }

    @Test(arguments: templates)
    func rendersLikeSwiftMustache(_ source: String) throws {
        for html in [true, false] {
            for profile in [Self.profile, RenderProfile()] {
                let (plan, reference) = try Self.compare(source, html: html, event: Self.values, profile: profile)
                #expect(plan == reference, "html: \(html), template: \(source)")
            }
        }
    }

    @Test func declinesWhatItDoesNotRenderTheLibrarysWay() throws {
        // Transforms have no plan.
        #expect(RenderPlan(try Self.parse("{{uppercased(event.text)}}", html: true), escapesHTML: true) == nil)
        #expect(RenderPlan(try Self.parse("{{#reversed(event.items)}}x{{/reversed(event.items)}}", html: false), escapesHTML: false) == nil)
        // Names with a leading dot or empty segments are left to the library.
        #expect(RenderPlan(try Self.parse("{{#event.nested}}{{.name}}{{/event.nested}}", html: false), escapesHTML: false) == nil)
        // A list or an object printed as a variable renders as the library's description of it.
        for source in ["{{event.items}}", "{{event.nested}}", "{{.}}", "{{#event.none}}{{/event.none}}{{^event.none}}{{.}}{{/event.none}}"] {
            let (plan, reference) = try Self.compare(source, html: false, event: Self.values, profile: Self.profile)
            #expect(plan == nil, "\(source) rendered as \(plan ?? "")")
            #expect(!reference.isEmpty || source.contains("none"))
        }
    }

    /// Random templates over random values, from a fixed seed: any
    /// difference is printed with the template that shows it.
    @Test func randomTemplatesRenderLikeSwiftMustache() throws {
        // The emulator's generator: the same sequence on every run.
        var random = SplitMix(seed: 20261123)
        func pick(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
        let names = ["event.text", "event.integer", "event.yes", "event.no", "event.nothing", "event.missing", "event.items",
                     "event.strings", "event.none", "event.nested", "event.nested.inner", "name", "price", "gift", "tags", ".",
                     "profile.firstName", "profile.attributes.tier", "inner", "leaf", "unsubscribeUrl", "event.empty"]
        var compared = 0, declined = 0
        for _ in 0..<400 {
            func block(_ depth: Int) -> String {
                var out = ""
                for _ in 0..<pick(4) + 1 {
                    let name = names[pick(names.count)]
                    switch pick(depth < 3 ? 7 : 4) {
                    case 0: out += ["text ", "<b>", "\n", "  ", " & "][pick(5)]
                    case 1: out += "{{\(name)}}"
                    case 2: out += "{{{\(name)}}}"
                    case 3: out += "\n{{! note }}\n"
                    case 4: out += "{{#\(name)}}\(block(depth + 1)){{/\(name)}}"
                    case 5: out += "{{^\(name)}}\(block(depth + 1)){{/\(name)}}"
                    default: out += "\n  {{#\(name)}}\n\(block(depth + 1))\n  {{/\(name)}}\n"
                    }
                }
                return out
            }
            let source = block(0)
            let html = pick(2) == 0
            let (plan, reference) = try Self.compare(source, html: html, event: Self.values, profile: Self.profile)
            if let plan {
                compared += 1
                #expect(plan == reference, "html: \(html), template: \(source.debugDescription)")
            } else {
                declined += 1
            }
        }
        // Most random templates print no list or object, so most are compared.
        #expect(compared > 150, "compared \(compared), declined \(declined)")
    }

    @Test func compiledTemplatesUseThePlanAndFallBackWhenItDeclines() throws {
        let definition = TriggerDefinition(
            label: "Cart", analyticsTriggerId: "*", channel: .email, targeting: .event,
            fields: [TriggerField(name: "email", source: "eVar01"), TriggerField(name: "city", source: "eVar02"),
                     TriggerField(name: "products", source: "products", pick: .all)],
            emailField: "email")
        let content = TemplateContent(subject: "{{uppercased(event.city)}} for you", from: "shop@example.com",
                                      html: "<p>{{event.city}}</p>{{#event.products}}<i>{{name}}</i>{{/event.products}}",
                                      text: "{{event.products}}")
        let compiled = try CompiledTemplate(triggerId: "cart", definition: definition, content: content)
        #expect(compiled.plans[.subject] == nil)
        #expect(compiled.plans[.html] != nil)
        #expect(compiled.plans[.text] != nil)
        let message = compiled.render(RenderInput(event: ["city": .string("Lyon & co"), "products": .array([.object(["name": .string("<x>")])])]))
        #expect(message.subject == "LYON & CO for you")
        #expect(message.html == "<p>Lyon &amp; co</p><i>&lt;x&gt;</i>")
        // The plan declined the list printed as text: the library's rendering of it.
        let reference = try Self.parse("{{event.products}}", html: false)
            .render(CompiledTemplate.context(RenderInput(event: ["products": .array([.object(["name": .string("<x>")])])]), triggerId: "cart", label: "Cart"))
        #expect(message.text == reference)
        #expect(compiled.referenceRender(RenderInput(event: ["city": .string("Lyon & co"), "products": .array([.object(["name": .string("<x>")])])]))
                == message)
    }
}
