import CampaignCore
import Foundation
import Store
import Testing
import TestSupport

@Suite struct CatalogStoreTests {
    static let uid = "3e8a2ba7-fccc-49bb-bdac-33ee33cf02bf"

    static func cartDefinition(uid: String = uid) -> TriggerDefinition {
        TriggerDefinition(label: "Cart abandonment", analyticsTriggerId: uid, channel: .email, targeting: .event,
                          fields: [TriggerField(name: "email", source: "eVar01"), TriggerField(name: "productName", source: "eVar02"),
                                   TriggerField(name: "products", source: "products", pick: .all)],
                          emailField: "email")
    }

    static let content = TemplateContent(subject: "You left {{event.productName}}", from: "shop@example.com",
                                         html: "<p>{{event.productName}}</p>", text: "Hi {{event.productName}}")

    @Test func createValidatesAndRefusesDuplicates() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let trigger = try store.createTrigger(id: "cart", definition: Self.cartDefinition(uid: Self.uid.uppercased()))
        #expect(trigger.status == .draft)
        #expect(trigger.definition.analyticsTriggerId == Self.uid)
        #expect(throws: CampaignError.self) { try store.createTrigger(id: "cart", definition: Self.cartDefinition()) }
        var bad = Self.cartDefinition()
        bad.emailField = "nope"
        let error = #expect(throws: CampaignError.self) { try store.createTrigger(id: "other", definition: bad) }
        #expect(error?.message.contains("nope") == true)
        var noUid = Self.cartDefinition(uid: "not-a-uuid")
        noUid.label = "x"
        #expect(throws: CampaignError.self) { try store.createTrigger(id: "other", definition: noUid) }
        #expect(try store.triggers().map(\.id) == ["cart"])
    }

    @Test func publishCreatesTemplateAndMaintainsRoutingOption() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        _ = try store.createTrigger(id: "cart", definition: Self.cartDefinition())
        _ = try store.createTrigger(id: "all", definition: Self.cartDefinition(uid: "*"))
        #expect(try store.routingConfig() == nil)
        #expect(throws: CampaignError.self) { try store.template(triggerId: "cart") }

        _ = try store.publishTrigger(id: "cart", defaultConsumer: "test")
        _ = try store.publishTrigger(id: "all", defaultConsumer: "test")
        #expect(try store.template(triggerId: "cart").status == .draft)
        let config = try #require(try store.routingConfig())
        #expect(config.topics.count == 1)
        #expect(config.topics[0].consumer == "test")
        #expect(config.topics[0].triggers.map(\.name) == ["*", Self.uid])

        _ = try store.unpublishTrigger(id: "all", defaultConsumer: "test")
        #expect(try store.routingConfig()?.topics[0].triggers.map(\.name) == [Self.uid])
    }

    @Test func editOfPublishedTriggerIsModifiedUntilRepublished() throws {
        let store = try StoreFixture().store
        _ = try store.createTrigger(id: "cart", definition: Self.cartDefinition())
        _ = try store.publishTrigger(id: "cart", defaultConsumer: "test")
        let edited = try store.editTrigger(id: "cart", TriggerEdit(label: "Abandoned cart"))
        #expect(edited.modifiedSincePublication)
        #expect(edited.published?.label == "Cart abandonment")
        let back = try store.editTrigger(id: "cart", TriggerEdit(label: "Cart abandonment"))
        #expect(!back.modifiedSincePublication)
        _ = try store.editTrigger(id: "cart", TriggerEdit(label: "Abandoned cart"))
        let republished = try store.publishTrigger(id: "cart", defaultConsumer: "test")
        #expect(!republished.modifiedSincePublication)
        #expect(republished.published?.label == "Abandoned cart")
        // Republishing without a change is refused.
        let error = #expect(throws: CampaignError.self) { try store.publishTrigger(id: "cart", defaultConsumer: "test") }
        #expect(error?.status == .notPermitted)
    }

    @Test func deleteOnlyInDraft() throws {
        let store = try StoreFixture().store
        _ = try store.createTrigger(id: "cart", definition: Self.cartDefinition())
        _ = try store.publishTrigger(id: "cart", defaultConsumer: "test")
        let error = #expect(throws: CampaignError.self) { try store.deleteTrigger(id: "cart") }
        #expect(error?.status == .notPermitted)
        #expect(try store.trigger(id: "cart").status == .published)
        _ = try store.unpublishTrigger(id: "cart", defaultConsumer: "test")
        try store.deleteTrigger(id: "cart")
        #expect(try store.triggers().isEmpty)
    }

    @Test func templateLifecycleAndFrozenVersions() throws {
        let store = try StoreFixture().store
        _ = try store.createTrigger(id: "cart", definition: Self.cartDefinition())
        _ = try store.publishTrigger(id: "cart", defaultConsumer: "test")
        var template = try store.editTemplate(triggerId: "cart", Self.content)
        #expect(template.draftRevision == 1)
        #expect(throws: CampaignError.self) { try store.pauseTemplate(triggerId: "cart") }
        #expect(throws: CampaignError.self) { try store.resumeTemplate(triggerId: "cart") }

        template = try store.publishTemplate(triggerId: "cart", expectedRevision: 1)
        #expect(template.status == .published)
        #expect(template.publishedVersion == 1)
        #expect(!template.modifiedSincePublication)

        // Editing the draft never changes the published version.
        template = try store.editTemplate(triggerId: "cart", TemplateContent(subject: "Changed"))
        #expect(template.modifiedSincePublication)
        #expect(try store.templateVersion(triggerId: "cart", version: 1).content.subject == "You left {{event.productName}}")
        #expect(try store.publishedTrigger(id: "cart")?.version.content == Self.content)

        // A stale revision is refused.
        #expect(throws: CampaignError.self) { try store.publishTemplate(triggerId: "cart", expectedRevision: 1) }
        template = try store.publishTemplate(triggerId: "cart", expectedRevision: 2)
        #expect(template.publishedVersion == 2)
        #expect(try store.templateHistory(triggerId: "cart").map(\.version) == [1, 2])
        #expect(try store.publishedTrigger(id: "cart")?.version.content.subject == "Changed")

        #expect(try store.pauseTemplate(triggerId: "cart").status == .paused)
        #expect(try store.publishedTrigger(id: "cart")?.isPaused == true)
        #expect(throws: CampaignError.self) { try store.pauseTemplate(triggerId: "cart") }
        #expect(try store.resumeTemplate(triggerId: "cart").status == .published)

        // Unpublishing the template unpublishes the trigger too.
        template = try store.unpublishTemplate(triggerId: "cart", defaultConsumer: "test")
        #expect(template.status == .draft)
        #expect(try store.trigger(id: "cart").status == .draft)
        #expect(try store.publishedTriggers().isEmpty)
        #expect(try store.routingConfig()?.topics[0].triggers.isEmpty == true)
        #expect(try store.templateHistory(triggerId: "cart").count == 2)
    }

    @Test func templatePublishNeedsPublishedTrigger() throws {
        let store = try StoreFixture().store
        _ = try store.createTrigger(id: "cart", definition: Self.cartDefinition())
        _ = try store.publishTrigger(id: "cart", defaultConsumer: "test")
        _ = try store.editTemplate(triggerId: "cart", Self.content)
        _ = try store.unpublishTrigger(id: "cart", defaultConsumer: "test")
        let error = #expect(throws: CampaignError.self) { try store.publishTemplate(triggerId: "cart", expectedRevision: 1) }
        #expect(error?.status == .notPermitted)
        #expect(try store.templateHistory(triggerId: "cart").isEmpty)
    }

    @Test func unpublishTriggerUnpublishesTemplate() throws {
        let store = try StoreFixture().store
        _ = try store.createTrigger(id: "cart", definition: Self.cartDefinition())
        _ = try store.publishTrigger(id: "cart", defaultConsumer: "test")
        _ = try store.editTemplate(triggerId: "cart", Self.content)
        _ = try store.publishTemplate(triggerId: "cart", expectedRevision: 1)
        _ = try store.unpublishTrigger(id: "cart", defaultConsumer: "test")
        #expect(try store.template(triggerId: "cart").status == .draft)
    }

    @Test func smsTemplateRefusesEmailParts() throws {
        let store = try StoreFixture().store
        let def = TriggerDefinition(label: "SMS", analyticsTriggerId: "*", channel: .sms, targeting: .event,
                                    fields: [TriggerField(name: "mobile", source: "eVar03")], phoneField: "mobile")
        _ = try store.createTrigger(id: "sms", definition: def)
        _ = try store.publishTrigger(id: "sms", defaultConsumer: "test")
        #expect(throws: CampaignError.self) { try store.editTemplate(triggerId: "sms", TemplateContent(html: "<p>x</p>")) }
        #expect(try store.template(triggerId: "sms").draftRevision == 0)
        #expect(try store.editTemplate(triggerId: "sms", TemplateContent(smsText: "Hi")).draft.smsText == "Hi")
    }

    @Test func optionSetRefusesInvalidJSONWithPosition() throws {
        let store = try StoreFixture().store
        let text = "{\"topics\": [\n  {\"name\": \"triggers\", \"consumer\": \"x\", \"triggers\": [],}\n]}"
        let error = #expect(throws: CampaignError.self) { try store.setOption(name: "NmsPipeline_Config", value: text) }
        #expect(error?.message.contains("line 2, column 56") == true, "\(String(describing: error))")
        #expect(error?.message.contains("trailing comma") == true)
        #expect(throws: CampaignError.self) { try store.option(name: "NmsPipeline_Config") }
        let shapeError = #expect(throws: CampaignError.self) {
            try store.setOption(name: "NmsPipeline_Config", value: #"{"topics":[{"name":"triggers","consumer":"x","triggers":[{"name":"abc"}]}]}"#)
        }
        #expect(shapeError?.message.contains("topics[0].triggers[0].name") == true)
        _ = try store.setOption(name: "NmsPipeline_Config",
                                value: #"{"topics":[{"name":"triggers","consumer":"prod","triggers":[{"name":"*","jsConnector":"cus:p.js"}]}]}"#)
        #expect(try store.routingConfig()?.accepts(analyticsTriggerId: "anything", topic: "triggers") == true)
    }

    @Test func publishKeepsOverriddenConsumerAndConnectors() throws {
        let store = try StoreFixture().store
        _ = try store.setOption(name: "NmsPipeline_Config", value: """
            {"topics":[{"name":"triggers","consumer":"custom","triggers":[{"name":"\(Self.uid)","jsConnector":"cus:t.js"}]},
                       {"name":"aliases","consumer":"custom","triggers":[]}]}
            """)
        _ = try store.createTrigger(id: "cart", definition: Self.cartDefinition())
        _ = try store.publishTrigger(id: "cart", defaultConsumer: "test")
        let config = try #require(try store.routingConfig())
        #expect(config.topics.map(\.name) == ["triggers", "aliases"])
        #expect(config.topics[0].consumer == "custom")
        #expect(config.topics[0].triggers == [PipelineRoutingConfig.TriggerRoute(name: Self.uid, jsConnector: "cus:t.js")])
    }

    @Test func testProfilesValidateEventDataAgainstTrigger() throws {
        let store = try StoreFixture().store
        _ = try store.createTrigger(id: "cart", definition: Self.cartDefinition())
        let bad = TestProfile(name: "alice", email: "alice@example.com", phone: nil,
                              eventData: ["productName": .string("Shoes"), "colour": .string("red")], triggerId: "cart", createdAt: Date())
        let error = #expect(throws: CampaignError.self) { try store.addTestProfile(bad) }
        #expect(error?.message.contains("\"colour\"") == true)
        #expect(try store.testProfiles().isEmpty)
        var good = bad
        good.eventData = ["productName": .string("Shoes"), "products": .array([.object(["name": .string("A")])]),
                          "profile": .object(["firstName": .string("Alice")])]
        _ = try store.addTestProfile(good)
        #expect(try store.testProfile(name: "alice").eventData == good.eventData)
        #expect(throws: CampaignError.self) { try store.addTestProfile(good) }
        try store.removeTestProfile(name: "alice")
        #expect(try store.testProfiles().isEmpty)
    }

    @Test func proofsAreNumberedPerTemplate() throws {
        let store = try StoreFixture().store
        _ = try store.createTrigger(id: "cart", definition: Self.cartDefinition())
        _ = try store.publishTrigger(id: "cart", defaultConsumer: "test")
        _ = try store.editTemplate(triggerId: "cart", Self.content)
        let first = try store.beginProof(triggerId: "cart", draftRevision: 1, labelPrefix: "Proof",
                                         recipients: [("alice", "alice@example.com")])
        #expect(first.number == 1)
        #expect(first.recipients.first?.result == "pending")
        let recorded = try store.recordProofResults(triggerId: "cart", number: 1, results: [("sent", "/tmp/x.eml")])
        #expect(recorded.recipients.first?.result == "sent")
        let second = try store.beginProof(triggerId: "cart", draftRevision: 1, labelPrefix: "Proof",
                                          recipients: [("alice", "alice@example.com"), ("bob", "bob@example.com")])
        #expect(second.number == 2)
        #expect(try store.proofs(triggerId: "cart").map(\.number) == [2, 1])
        let tooMany = (0..<101).map { ("p\($0)", "p\($0)@example.com") }
        #expect(throws: CampaignError.self) { try store.beginProof(triggerId: "cart", draftRevision: 1, labelPrefix: "Proof", recipients: tooMany) }
    }
}
