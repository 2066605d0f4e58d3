import CampaignCore
import Foundation
import Pipeline
import Testing
import TestSupport

@Suite struct RenderingTests {
    static let definition = TriggerDefinition(
        label: "Cart abandonment", analyticsTriggerId: "*", channel: .email, targeting: .event,
        fields: [TriggerField(name: "email", source: "eVar01"), TriggerField(name: "productName", source: "eVar02"),
                 TriggerField(name: "products", source: "products", pick: .all)],
        emailField: "email")

    static func content(subject: String = "You left {{event.productName}}", html: String? = "<p>{{event.productName}}</p>",
                        text: String? = "Hi {{profile.firstName}}, {{event.productName}}") -> TemplateContent {
        TemplateContent(subject: subject, from: "Shop <shop@example.com>", html: html, text: text)
    }

    func compile(_ content: TemplateContent, definition: TriggerDefinition = Self.definition) throws -> CompiledTemplate {
        try CompiledTemplate(triggerId: "cart", definition: definition, content: content)
    }

    @Test func escapesHTMLInTheHTMLPartOnly() throws {
        let template = try compile(Self.content())
        let message = template.render(RenderInput(event: ["productName": .string("<script>alert(1)</script> & co")],
                                                  profile: RenderProfile(firstName: "<b>Al</b>")))
        #expect(message.html == "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</p>")
        #expect(message.text == "Hi <b>Al</b>, <script>alert(1)</script> & co")
        #expect(message.subject == "You left <script>alert(1)</script> & co")
    }

    @Test func subjectLosesLineBreaksFromData() throws {
        let template = try compile(Self.content())
        let email = template.email(RenderInput(event: ["productName": .string("x\r\nBcc: evil@example.com")]),
                                   to: "a@example.com", messageId: "m1@test", subjectPrefix: "[Proof #1] ")
        #expect(email.subject == "[Proof #1] You left x  Bcc: evil@example.com")
        #expect(!email.subject.contains("\n"))
        // C1 controls (U+0080–009F) too; other non-ASCII text stays as it is.
        let c1 = template.email(RenderInput(event: ["productName": .string("a\u{85}b\u{9B}c é ✓")]), to: "a@example.com", messageId: "m2@test")
        #expect(c1.subject == "You left a b c é ✓")
    }

    @Test func loopsOverProducts() throws {
        let html = "<ul>{{#event.products}}<li>{{name}} ({{price}}) {{event.productName}}</li>{{/event.products}}</ul>{{^event.products}}none{{/event.products}}"
        let template = try compile(Self.content(html: html))
        let input = RenderInput(event: ["productName": .string("P"), "products": .array([
            .object(["name": .string("Shoes"), "price": .number(59)]),
            .object(["name": .string("Hat<>"), "price": .number(12.5)]),
        ])])
        #expect(template.render(input).html == "<ul><li>Shoes (59) P</li><li>Hat&lt;&gt; (12.5) P</li></ul>")
        #expect(template.render(RenderInput(event: ["products": .array([])])).html == "<ul></ul>none")
    }

    @Test func unknownFieldIsAnErrorWithItsLineAndPart() throws {
        let html = "<p>\n  Hello\n  {{event.colour}}\n</p>"
        let error = #expect(throws: CampaignError.self) { try compile(Self.content(html: html)) }
        let message = error?.message ?? ""
        #expect(message.contains("HTML part, line 3"), "\(message)")
        #expect(message.contains("event.colour"))
        #expect(error?.status == .dataError)

        let profileError = #expect(throws: CampaignError.self) {
            try compile(Self.content(text: "line one\n{{profile.shoeSize}}"))
        }
        #expect(profileError?.message.contains("text part, line 2") == true, "\(String(describing: profileError))")
        #expect(profileError?.message.contains("profile.shoeSize") == true)
        // Attributes and the known profile fields pass.
        _ = try compile(Self.content(text: "{{profile.attributes.tier}} {{profile.lastName}} {{trigger.label}} {{unsubscribeUrl}}"))
        // A bare name outside a loop is unknown.
        let bare = #expect(throws: CampaignError.self) { try compile(Self.content(subject: "Hi {{firstName}}")) }
        #expect(bare?.message.contains("subject, line 1") == true)
    }

    @Test func syntaxErrorsGiveTheirLine() throws {
        let html = "<p>ok</p>\n<p>{{#event.products}}\n{{name}}\n</p>"
        let error = #expect(throws: CampaignError.self) { try compile(Self.content(html: html)) }
        #expect(error?.message.contains("HTML part, line") == true, "\(String(describing: error))")
        #expect(error?.message.contains("syntax error") == true)
        let textError = #expect(throws: CampaignError.self) { try compile(Self.content(text: "a\nb {{#event.products}}{{/event.productName}}")) }
        #expect(textError?.message.contains("text part, line 2") == true, "\(String(describing: textError))")
    }

    @Test func controlRules() throws {
        func errors(_ content: TemplateContent, _ definition: TriggerDefinition = Self.definition) -> [String] {
            CompiledTemplate.check(triggerId: "cart", definition: definition, content: content).errors.map(\.description)
        }
        #expect(errors(Self.content()).isEmpty)
        #expect(errors(TemplateContent(from: "a@example.com", text: "x")).contains { $0.contains("subject is missing") })
        #expect(errors(Self.content(subject: "Hi\tthere")).contains { $0.contains("control character") })
        #expect(errors(Self.content(html: nil, text: nil)).contains { $0.contains("no body") })
        #expect(errors(TemplateContent(subject: "s", from: "not an address", text: "x")).contains { $0.contains("not an email address") })
        let urls = errors(Self.content(html: "<a href=\"https://ok.example.com/?a=1&b={{event.productName}}\">ok</a>\n<a href=\"/relative\">x</a>\n<img src=\"htp//broken\">\n<a href='https://exa mple.com'>y</a>\n<a href=\"{{unsubscribeUrl}}\">u</a>"))
        #expect(urls.count == 3, "\(urls)")
        #expect(urls.contains { $0.contains("line 2") && $0.contains("relative") })
        #expect(urls.contains { $0.contains("line 3") })
        #expect(urls.contains { $0.contains("line 4") && $0.contains("whitespace") })

        var profileTargeted = Self.definition
        profileTargeted.targeting = .profile
        profileTargeted.emailField = nil
        profileTargeted.reconcile = Reconciliation(alias: "email", field: "email")
        let missing = errors(Self.content(html: "<a href=\"{{unsubscribeUrl}}\">unsubscribe</a>", text: "no link"), profileTargeted)
        #expect(missing.count == 1, "\(missing)")
        #expect(missing.first?.contains("text part has no unsubscribe link") == true)

        let smsDefinition = TriggerDefinition(label: "s", analyticsTriggerId: "*", channel: .sms, targeting: .event,
                                              fields: [TriggerField(name: "mobile", source: "eVar03")], phoneField: "mobile")
        let sms = CompiledTemplate.check(triggerId: "s", definition: smsDefinition, content: TemplateContent(smsText: "Hello {{event.mobile}} é"))
        #expect(sms.errors.isEmpty)
        #expect(sms.smsCharacters == 24)
        #expect(!CompiledTemplate.check(triggerId: "s", definition: smsDefinition, content: TemplateContent()).errors.isEmpty)
    }

    @Test func smsIsNotEscaped() throws {
        let smsDefinition = TriggerDefinition(label: "s", analyticsTriggerId: "*", channel: .sms, targeting: .event,
                                              fields: [TriggerField(name: "mobile", source: "eVar03"), TriggerField(name: "p", source: "eVar04")],
                                              phoneField: "mobile")
        let template = try CompiledTemplate(triggerId: "s", definition: smsDefinition, content: TemplateContent(smsText: "Buy {{event.p}} now"))
        let sms = template.sms(RenderInput(event: ["p": .string("A&B <x>")]), to: "+33612345678", messageId: "m", prefix: "[Proof #2] ")
        #expect(sms.text == "[Proof #2] Buy A&B <x> now")
    }

    @Test func extractsFieldsFromAnEnvelope() throws {
        let envelope = """
            {"envelopeType":"DATA","partition":1,"offset":5,"com.adobe.mcloud.pipeline.pipelineMessage":{"com.adobe.mcloud.protocol.trigger":{
              "triggerId":"3e8a2ba7-fccc-49bb-bdac-33ee33cf02bf","mcId":"123","triggerTimestamp":1700000000000,
              "enrichments":{"analyticsHitSummary":{"dimensions":{
                "eVar01":{"type":"string","data":["a@example.com","b@example.com"],"name":"eVar01","source":"session summary"},
                "eVar02":{"type":"string","data":["Shoes","Hat"],"name":"eVar02","source":"session summary"}},
                "products":[{"name":"Shoes"}]}}}}}
            """
        var definition = Self.definition
        definition.fields[0].pick = .first
        definition.fields.append(TriggerField(name: "visitor", source: "mcId"))
        definition.fields.append(TriggerField(name: "pages", source: "eVar02", pick: .all))
        let fields = try EventFields.extract(from: Data(envelope.utf8), definition: definition)
        #expect(fields["email"] == .string("a@example.com"))
        #expect(fields["productName"] == .string("Hat"))
        #expect(fields["visitor"] == .string("123"))
        #expect(fields["pages"] == .array([.string("Shoes"), .string("Hat")]))
        #expect(fields["products"] == .array([.object(["name": .string("Shoes")])]))
    }
}

@Suite struct PublishedRenderingTests {
    @Test func daemonPathFromStoreToOutgoingEmail() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let definition = TriggerDefinition(
            label: "Cart", analyticsTriggerId: "3E8A2BA7-FCCC-49BB-BDAC-33EE33CF02BF", channel: .email, targeting: .event,
            fields: [TriggerField(name: "email", source: "eVar01"), TriggerField(name: "productName", source: "eVar02")],
            emailField: "email")
        _ = try store.createTrigger(id: "cart", definition: definition)
        _ = try store.createTrigger(id: "any", definition: TriggerDefinition(
            label: "Any", analyticsTriggerId: "*", channel: .email, targeting: .event,
            fields: [TriggerField(name: "email", source: "eVar01")], emailField: "email"))
        for id in ["cart", "any"] {
            _ = try store.publishTrigger(id: id, defaultConsumer: "test")
            _ = try store.editTemplate(triggerId: id, TemplateContent(subject: "Hi {{trigger.label}}", from: "shop@example.com",
                                                                       text: "{{event.email}}"))
            _ = try TemplateActions.publish(store: store, triggerId: id)
        }
        // A draft edit after publishing does not reach what the daemon renders.
        _ = try store.editTemplate(triggerId: "cart", TemplateContent(subject: "Draft only"))

        let published = try store.publishedTriggers()
        let routes = published.routes(analyticsTriggerId: "3e8a2ba7-fccc-49bb-bdac-33ee33cf02bf")
        #expect(routes.map(\.id) == ["cart", "any"])
        #expect(published.routes(analyticsTriggerId: "00000000-0000-0000-0000-000000000000").map(\.id) == ["any"])
        #expect(try store.routingConfig()?.accepts(analyticsTriggerId: "3E8A2BA7-FCCC-49BB-BDAC-33EE33CF02BF", topic: "triggers") == true)

        let cache = TemplateCache()
        let compiled = try cache.compiled(routes[0])
        let fields: [String: JSONValue] = ["email": .string("a@example.com"), "productName": .string("Shoes")]
        let to = try #require(routes[0].definition.eventAddress(in: fields))
        let email = compiled.email(RenderInput(event: fields, unsubscribeUrl: "https://u.example.com/x"), to: to, messageId: "e1@test")
        #expect(email.subject == "Hi Cart")
        #expect(email.to == "a@example.com")
        #expect(email.text == "a@example.com")
        #expect(email.from == "shop@example.com")
    }
}
