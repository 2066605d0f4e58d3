import Foundation
import Testing
import TestSupport

/// Black-box tests of trigger, template, testprofile and option.
@Suite struct CatalogCommandTests {
    static let uid = "3e8a2ba7-fccc-49bb-bdac-33ee33cf02bf"

    /// An instance with an email trigger "cart" (event targeting).
    func makeHome(publish: Bool = false) async throws -> CLIHome {
        let home = CLIHome()
        try await home.initInstance()
        try await ok(home, ["trigger", "create", "cart", "--label", "Cart abandonment", "--trigger-id", Self.uid,
                      "--channel", "email", "--targeting", "event", "--field", "email=eVar01:first",
                      "--field", "productName=eVar02", "--field", "products=products", "--email-field", "email"])
        if publish { try await ok(home, ["trigger", "publish", "cart"]) }
        return home
    }

    @discardableResult
    func ok(_ home: CLIHome, _ args: [String], stdin: String? = nil) async throws -> ProcessResult {
        let result = try await home.run(args, stdin: stdin)
        guard result.status == 0 else { throw CatalogCLIFailure(result: result) }
        return result
    }

    func showJSON(_ home: CLIHome, _ args: [String]) async throws -> String {
        try await ok(home, args + ["--json"]).stdout
    }

    func editTemplate(_ home: CLIHome, html: String = "<p>You left {{event.productName}}</p>{{#event.products}}<li>{{name}}</li>{{/event.products}}",
                      text: String = "You left {{event.productName}}") async throws {
        let htmlPath = try home.directory.write("t.html", html)
        let textPath = try home.directory.write("t.txt", text)
        try await ok(home, ["template", "edit", "cart", "--subject", "Your cart: {{event.productName}}", "--from", "Shop <shop@example.com>",
                      "--html-file", htmlPath, "--text-file", textPath])
    }

    @Test func createShowListJSONShapes() async throws {
        let home = try await makeHome()
        let show = try await ok(home, ["trigger", "show", "cart", "--json"]).json()
        #expect(show["id"] as? String == "cart")
        #expect(show["status"] as? String == "draft")
        #expect(show["channel"] as? String == "email")
        #expect(show["analyticsTriggerId"] as? String == Self.uid)
        #expect(show["modifiedSincePublication"] as? Bool == false)
        let fields = try #require(show["fields"] as? [[String: Any]])
        #expect(fields.map { $0["name"] as? String } == ["email", "productName", "products"])
        #expect(fields[0]["pick"] as? String == "first")
        #expect(fields[2]["pick"] as? String == "all")
        let list = try await ok(home, ["trigger", "list", "--json"]).json()
        #expect((list["triggers"] as? [[String: Any]])?.count == 1)
        await #expect(try ok(home, ["trigger", "list"]).stdout.hasPrefix("ID"))
    }

    @Test func createRefusesBadInput() async throws {
        let home = try await makeHome()
        let badUid = try await home.run("trigger", "create", "x", "--label", "X", "--trigger-id", "nope", "--channel", "email",
                                  "--targeting", "event", "--field", "e=eVar01", "--email-field", "e")
        #expect(badUid.status == 65, "\(badUid)")
        #expect(badUid.stderr.contains("invalid trigger id 'nope'"))
        let noAddress = try await home.run("trigger", "create", "x", "--label", "X", "--trigger-id", "*", "--channel", "email", "--targeting", "event")
        #expect(noAddress.status == 65)
        #expect(noAddress.stderr.contains("--email-field"))
        let badChannel = try await home.run("trigger", "create", "x", "--label", "X", "--trigger-id", "*", "--channel", "push", "--targeting", "event")
        #expect(badChannel.status == 64)
        let duplicate = try await home.run("trigger", "create", "cart", "--label", "X", "--trigger-id", "*", "--channel", "email",
                                     "--targeting", "event", "--field", "e=eVar01", "--email-field", "e")
        #expect(duplicate.status == 77)
        await #expect(try ok(home, ["trigger", "list", "--json"]).json()["triggers"].map { ($0 as? [Any])?.count } == 1)
    }

    @Test func channelAndTargetingNeverChange() async throws {
        let home = try await makeHome()
        let before = try await showJSON(home, ["trigger", "show", "cart"])
        for flag in [["--channel", "sms"], ["--targeting", "profile"]] {
            let result = try await home.run(["trigger", "edit", "cart"] + flag)
            #expect(result.status == 77, "\(result)")
            #expect(result.stderr.contains("never changes after creation"))
        }
        await #expect(try showJSON(home, ["trigger", "show", "cart"]) == before)
    }

    @Test func deleteOnlyInDraft() async throws {
        let home = try await makeHome(publish: true)
        let before = try await showJSON(home, ["trigger", "show", "cart"])
        let result = try await home.run("trigger", "delete", "cart")
        #expect(result.status == 77, "\(result)")
        #expect(result.stderr.contains("only a Draft trigger can be deleted"))
        #expect(result.stderr.contains("hint: unpublish it first"))
        await #expect(try showJSON(home, ["trigger", "show", "cart"]) == before)
        try await ok(home, ["trigger", "unpublish", "cart"])
        try await ok(home, ["trigger", "delete", "cart"])
        #expect(try await home.run("trigger", "show", "cart").status == 66)
    }

    @Test func publishCreatesTemplateAndMaintainsPipelineConfig() async throws {
        let home = try await makeHome()
        #expect(try await home.run("template", "show", "cart").status == 66)
        #expect(try await home.run("option", "get", "NmsPipeline_Config").status == 66)
        try await ok(home, ["trigger", "publish", "cart"])
        let template = try await ok(home, ["template", "show", "cart", "--json"]).json()
        #expect(template["status"] as? String == "draft")

        let option = try await ok(home, ["option", "get", "NmsPipeline_Config"]).stdout
        let config = try #require(try JSONSerialization.jsonObject(with: Data(option.utf8)) as? [String: Any])
        let topics = try #require(config["topics"] as? [[String: Any]])
        #expect(topics.first?["name"] as? String == "triggers")
        #expect(topics.first?["consumer"] as? String == "test")
        #expect((topics.first?["triggers"] as? [[String: Any]])?.map { $0["name"] as? String } == [Self.uid])

        try await ok(home, ["trigger", "create", "all", "--label", "All", "--trigger-id", "*", "--channel", "sms", "--targeting", "profile",
                      "--field", "visitor=mcId", "--reconcile", "mcId=visitor"])
        try await ok(home, ["trigger", "publish", "all"])
        let json = try await ok(home, ["option", "get", "NmsPipeline_Config", "--json"]).json()
        let value = try #require(json["value"] as? [String: Any])
        let names = ((value["topics"] as? [[String: Any]])?.first?["triggers"] as? [[String: Any]])?.map { $0["name"] as? String }
        #expect(names == ["*", Self.uid])

        try await ok(home, ["trigger", "unpublish", "cart"])
        let after = try await ok(home, ["option", "get", "NmsPipeline_Config", "--json"]).json()
        let remaining = (((after["value"] as? [String: Any])?["topics"] as? [[String: Any]])?.first?["triggers"] as? [[String: Any]])?
            .map { $0["name"] as? String }
        #expect(remaining == ["*"])
    }

    @Test func editOfPublishedTriggerIsShownModified() async throws {
        let home = try await makeHome(publish: true)
        let edit = try await ok(home, ["trigger", "edit", "cart", "--label", "Abandoned cart"])
        #expect(edit.stderr.contains("modified since publication"))
        let show = try await ok(home, ["trigger", "show", "cart", "--json"]).json()
        #expect(show["modifiedSincePublication"] as? Bool == true)
        #expect((show["published"] as? [String: Any])?["label"] as? String == "Cart abandonment")
        await #expect(try ok(home, ["trigger", "show", "cart"]).stdout.contains("modified since publication"))
        try await ok(home, ["trigger", "publish", "cart"])
        await #expect(try ok(home, ["trigger", "show", "cart", "--json"]).json()["modifiedSincePublication"] as? Bool == false)
        let again = try await home.run("trigger", "publish", "cart")
        #expect(again.status == 77)
    }

    @Test func templateLifecycleRulesChangeNothingWhenRefused() async throws {
        let home = try await makeHome(publish: true)
        try await editTemplate(home)
        let draft = try await showJSON(home, ["template", "show", "cart"])
        for verb in ["pause", "resume", "unpublish"] {
            let result = try await home.run("template", verb, "cart")
            #expect(result.status == 77, "\(verb): \(result)")
            await #expect(try showJSON(home, ["template", "show", "cart"]) == draft)
        }
        try await ok(home, ["template", "publish", "cart"])
        let published = try await showJSON(home, ["template", "show", "cart"])
        #expect(published.contains("\"publishedVersion\" : 1"))
        let resume = try await home.run("template", "resume", "cart")
        #expect(resume.status == 77)
        let republish = try await home.run("template", "publish", "cart")
        #expect(republish.status == 77, "\(republish)")
        await #expect(try showJSON(home, ["template", "show", "cart"]) == published)

        try await ok(home, ["template", "pause", "cart"])
        await #expect(try ok(home, ["template", "show", "cart", "--json"]).json()["status"] as? String == "paused")
        try await ok(home, ["template", "resume", "cart"])

        // Editing the draft never changes the published version.
        try await ok(home, ["template", "edit", "cart", "--subject", "New subject {{event.productName}}"])
        let v1 = try await ok(home, ["template", "show", "cart", "--version", "1", "--json"]).json()
        #expect((v1["content"] as? [String: Any])?["subject"] as? String == "Your cart: {{event.productName}}")
        try await ok(home, ["template", "publish", "cart"])
        let history = try await ok(home, ["template", "history", "cart", "--json"]).json()
        let versions = try #require(history["versions"] as? [[String: Any]])
        #expect(versions.map { $0["version"] as? Int } == [1, 2])
        #expect(versions.map { $0["current"] as? Bool } == [false, true])
        #expect(try await home.run("template", "show", "cart", "--version", "3").status == 66)

        // Unpublishing the template unpublishes the trigger.
        try await ok(home, ["template", "unpublish", "cart"])
        await #expect(try ok(home, ["trigger", "show", "cart", "--json"]).json()["status"] as? String == "draft")
        await #expect(try ok(home, ["template", "show", "cart", "--json"]).json()["status"] as? String == "draft")
        // And a template cannot be published while its trigger is not.
        let refused = try await home.run("template", "publish", "cart")
        #expect(refused.status == 77)
        #expect(refused.stderr.contains("publish it before its template"))
    }

    @Test func trigggerUnpublishUnpublishesTemplate() async throws {
        let home = try await makeHome(publish: true)
        try await editTemplate(home)
        try await ok(home, ["template", "publish", "cart"])
        try await ok(home, ["trigger", "unpublish", "cart"])
        await #expect(try ok(home, ["template", "show", "cart", "--json"]).json()["status"] as? String == "draft")
        #expect(try await home.run("trigger", "unpublish", "cart").status == 77)
    }

    @Test func publishRefusesUnknownFieldWithLine() async throws {
        let home = try await makeHome(publish: true)
        try await editTemplate(home, html: "<p>\n{{event.productName}}\n{{event.colour}}</p>")
        let before = try await showJSON(home, ["template", "show", "cart"])
        let result = try await home.run("template", "publish", "cart")
        #expect(result.status == 65, "\(result)")
        #expect(result.stderr.contains("HTML part, line 3"))
        #expect(result.stderr.contains("event.colour"))
        await #expect(try showJSON(home, ["template", "show", "cart"]) == before)
        await #expect(try ok(home, ["template", "history", "cart", "--json"]).json()["versions"].map { ($0 as? [Any])?.count } == 0)
        let check = try await home.run("template", "check", "cart", "--json")
        #expect(check.status == 65)
        #expect(try check.json()["ok"] as? Bool == false)
    }

    @Test func optionSetRefusesInvalidJSON() async throws {
        let home = try await makeHome(publish: true)
        let before = try await ok(home, ["option", "get", "NmsPipeline_Config"]).stdout
        let adobeSample = """
            {"topics":[{"name":"triggers","consumer":"customer_dev",
              // the trigger list
              "triggers":[{"name":"*","jsConnector":"cus:pipeline.js"},]}]}
            """
        let path = try home.directory.write("bad.json", adobeSample)
        let result = try await home.run("option", "set", "NmsPipeline_Config", "--file", path)
        #expect(result.status == 65, "\(result)")
        #expect(result.stderr.contains("bad.json: NmsPipeline_Config is not valid JSON: line 2, column 3: comments are not allowed"), "\(result)")
        let empty = try await home.run(["option", "set", "NmsPipeline_Config", "--file", "-"], stdin: "")
        #expect(empty.status == 65)
        #expect(empty.stderr.contains("should start with '[' or '{'"))
        let shape = try await home.run(["option", "set", "NmsPipeline_Config", "--file", "-"], stdin: #"{"topics":[{"name":"triggers","triggers":[]}]}"#)
        #expect(shape.status == 65)
        #expect(shape.stderr.contains("topics[0].consumer"))
        await #expect(try ok(home, ["option", "get", "NmsPipeline_Config"]).stdout == before)

        let good = #"{"topics":[{"name":"triggers","consumer":"prod","triggers":[{"name":"*","jsConnector":"cus:pipeline.js"}]}]}"#
        try await ok(home, ["option", "set", "NmsPipeline_Config", "--file", "-"], stdin: good)
        let json = try await ok(home, ["option", "get", "NmsPipeline_Config", "--json"]).json()
        #expect(json["name"] as? String == "NmsPipeline_Config")
        #expect(((json["value"] as? [String: Any])?["topics"] as? [[String: Any]])?.first?["consumer"] as? String == "prod")
        #expect(try await home.run(["option", "set", "Unknown", "--file", "-"], stdin: "{}").status == 66)
    }

    @Test func testProfileValidation() async throws {
        let home = try await makeHome()
        let bad = try home.directory.write("bad.json", #"{"productName": "Shoes", "colour": "red"}"#)
        let result = try await home.run("testprofile", "add", "alice", "--email", "alice@example.com", "--event-data", bad, "--trigger", "cart")
        #expect(result.status == 65, "\(result)")
        #expect(result.stderr.contains("unknown field \"colour\""))
        #expect(result.stderr.contains("hint: fields of 'cart': email, productName, products"))
        let broken = try home.directory.write("broken.json", "{\n  \"productName\": \"Shoes\"\n  \"x\": 1\n}")
        let syntax = try await home.run("testprofile", "add", "alice", "--email", "alice@example.com", "--event-data", broken)
        #expect(syntax.status == 65)
        #expect(syntax.stderr.contains("broken.json:3:3: expected ',' or '}'"), "\(syntax)")
        await #expect(try ok(home, ["testprofile", "list", "--json"]).json()["testProfiles"].map { ($0 as? [Any])?.count } == 0)

        let good = try home.directory.write("good.json", #"{"productName": "Shoes", "profile": {"firstName": "Alice"}}"#)
        let added = try await ok(home, ["testprofile", "add", "alice", "--email", "alice@example.com", "--event-data", good,
                                  "--trigger", "cart", "--json"]).json()
        #expect(added["name"] as? String == "alice")
        #expect((added["eventData"] as? [String: Any])?["productName"] as? String == "Shoes")
        #expect(try await home.run("testprofile", "add", "alice", "--email", "a@example.com", "--event-data", good).status == 77)
        let show = try await ok(home, ["testprofile", "show", "alice", "--json"]).json()
        #expect(show["triggerId"] as? String == "cart")
        try await ok(home, ["testprofile", "remove", "alice"])
        #expect(try await home.run("testprofile", "show", "alice").status == 66)
    }

    @Test func previewRendersTheDraftWithoutSending() async throws {
        let home = try await makeHome(publish: true)
        try await editTemplate(home)
        let data = try home.directory.write("alice.json",
            #"{"productName": "<script>x</script>", "products": [{"name": "Shoes"}, {"name": "Hat"}]}"#)
        try await ok(home, ["testprofile", "add", "alice", "--email", "alice@example.com", "--event-data", data, "--trigger", "cart"])
        let text = try await ok(home, ["template", "preview", "cart", "--test-profile", "alice"]).stdout
        #expect(text.contains("subject  Your cart: <script>x</script>"), "\(text)")
        #expect(text.contains("<p>You left &lt;script&gt;x&lt;/script&gt;</p><li>Shoes</li><li>Hat</li>"))
        #expect(text.contains("You left <script>x</script>"))
        let json = try await ok(home, ["template", "preview", "cart", "--test-profile", "alice", "--json"]).json()
        #expect(json["to"] as? String == "alice@example.com")
        let message = try #require(json["message"] as? [String: Any])
        #expect(message["subject"] as? String == "Your cart: <script>x</script>")
        #expect((message["html"] as? String)?.contains("&lt;script&gt;") == true)
        #expect(!FileManager.default.fileExists(atPath: home.file("var/test/outbox").path))
    }

    @Test func proofsAreNumberedRecordedAndWrittenToTheOutbox() async throws {
        let home = try await makeHome(publish: true)
        try await editTemplate(home)
        let data = try home.directory.write("d.json", #"{"productName": "Shoes"}"#)
        try await ok(home, ["testprofile", "add", "alice", "--email", "alice@example.com", "--event-data", data])
        try await ok(home, ["testprofile", "add", "bob", "--email", "bob@example.com", "--phone", "+33612345678", "--event-data", data])

        let first = try await ok(home, ["template", "proof", "cart", "--to", "alice", "--to", "bob", "--json"]).json()
        #expect(first["number"] as? Int == 1)
        let recipients = try #require(first["recipients"] as? [[String: Any]])
        #expect(recipients.map { $0["result"] as? String } == ["sent", "sent"])
        #expect(recipients.map { $0["address"] as? String } == ["alice@example.com", "bob@example.com"])
        let second = try await ok(home, ["template", "proof", "cart", "--to", "alice", "--json"]).json()
        #expect(second["number"] as? Int == 2)

        let outbox = home.file("var/test/outbox/email")
        let files = try FileManager.default.contentsOfDirectory(atPath: outbox.path).filter { $0.hasSuffix(".eml") }
        #expect(files.count == 3)
        let emls = try files.map { try String(contentsOf: outbox.appendingPathComponent($0), encoding: .utf8) }
        #expect(emls.filter { $0.contains("Subject: [Proof #1] Your cart: Shoes\r\n") }.count == 2)
        #expect(emls.filter { $0.contains("Subject: [Proof #2] Your cart: Shoes\r\n") }.count == 1)
        #expect(emls.allSatisfy { $0.contains("MIME-Version: 1.0\r\n") && $0.contains("multipart/alternative") })
        #expect(emls.contains { $0.contains("To: bob@example.com\r\n") })

        let list = try await ok(home, ["template", "proofs", "cart", "--json"]).json()
        let proofs = try #require(list["proofs"] as? [[String: Any]])
        #expect(proofs.map { $0["number"] as? Int } == [2, 1])
        #expect(proofs.allSatisfy { $0["sentAt"] is String && $0["draftRevision"] as? Int == 1 })

        let prefixed = try await ok(home, ["template", "proof", "cart", "--to", "alice", "--label-prefix", "Test", "--json"]).json()
        let path = try #require((prefixed["recipients"] as? [[String: Any]])?.first?["detail"] as? String)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("Subject: [Test #3] Your cart"))
    }

    @Test func proofRefusals() async throws {
        let home = try await makeHome(publish: true)
        try await editTemplate(home, html: "<p>{{event.nope}}</p>")
        let data = try home.directory.write("d.json", #"{"productName": "Shoes"}"#)
        try await ok(home, ["testprofile", "add", "alice", "--email", "alice@example.com", "--event-data", data])
        let lint = try await home.run("template", "proof", "cart", "--to", "alice")
        #expect(lint.status == 65)
        #expect(lint.stderr.contains("HTML part, line 1"))
        await #expect(try ok(home, ["template", "proofs", "cart", "--json"]).json()["proofs"].map { ($0 as? [Any])?.count } == 0)
        try await editTemplate(home)
        let noRecipient = try await home.run("template", "proof", "cart")
        #expect(noRecipient.status == 64)
        let unknown = try await home.run("template", "proof", "cart", "--to", "nobody")
        #expect(unknown.status == 66)
        let wrongData = try home.directory.write("w.json", #"{"colour": "red"}"#)
        try await ok(home, ["testprofile", "add", "carol", "--phone", "+33612345678", "--event-data", wrongData])
        let invalid = try await home.run("template", "proof", "cart", "--to", "carol")
        #expect(invalid.status == 65)
        #expect(invalid.stderr.contains("test profile 'carol': unknown field \"colour\""))
        let many = (0..<101).flatMap { ["--to", "p\($0)"] }
        #expect(try await home.run(["template", "proof", "cart"] + many).status == 65)
        #expect(!FileManager.default.fileExists(atPath: home.file("var/test/outbox").path))
    }

    @Test func smsTriggerPreviewAndProofToTheOutbox() async throws {
        let home = CLIHome()
        try await home.initInstance()
        try await ok(home, ["trigger", "create", "reminder", "--label", "Reminder", "--trigger-id", "*", "--channel", "sms",
                      "--targeting", "event", "--field", "mobile=eVar03", "--field", "product=eVar02", "--phone-field", "mobile",
                      "--validity", "30m"])
        await #expect(try ok(home, ["trigger", "show", "reminder", "--json"]).json()["validitySeconds"] as? Int == 1800)
        let before = try await showJSON(home, ["trigger", "show", "reminder"])
        let badEdit = try await home.run("trigger", "edit", "reminder", "--phone-field", "product:all")
        #expect(badEdit.status == 65, "\(badEdit)")
        let listField = try await home.run("trigger", "edit", "reminder", "--field", "mobile=eVar03:all", "--field", "product=eVar02")
        #expect(listField.status == 65)
        #expect(listField.stderr.contains("a list field"))
        await #expect(try showJSON(home, ["trigger", "show", "reminder"]) == before)

        try await ok(home, ["trigger", "publish", "reminder"])
        let htmlPath = try home.directory.write("x.html", "<p>x</p>")
        let wrongPart = try await home.run("template", "edit", "reminder", "--html-file", htmlPath)
        #expect(wrongPart.status == 65)
        try await ok(home, ["template", "edit", "reminder", "--sms-text-file", "-", "--from", "SHOP"], stdin: "Still want {{event.product}}? <3")
        let data = try home.directory.write("d.json", #"{"product": "Shoes & Co", "mobile": "+33600000000"}"#)
        try await ok(home, ["testprofile", "add", "dan", "--phone", "+33612345678", "--event-data", data, "--trigger", "reminder"])
        let preview = try await ok(home, ["template", "preview", "reminder", "--test-profile", "dan", "--json"]).json()
        let message = try #require(preview["message"] as? [String: Any])
        #expect(message["smsText"] as? String == "Still want Shoes & Co? <3")
        #expect(message["smsCharacters"] as? Int == 25)
        let analysis = try #require(message["sms"] as? [String: Any])
        #expect(analysis["encoding"] as? String == "gsm7")
        #expect(analysis["segments"] as? Int == 1)
        // 170 GSM characters are two segments; one emoji makes the text UCS-2.
        try await ok(home, ["template", "edit", "reminder", "--sms-text-file", "-"], stdin: String(repeating: "a", count: 170))
        let long = try await ok(home, ["template", "check", "reminder"])
        #expect(long.stdout.contains("170 characters, GSM-7, 2 segments"), "\(long)")
        try await ok(home, ["template", "edit", "reminder", "--sms-text-file", "-"], stdin: "Still want {{event.product}}? 🛒")
        let unicode = try await ok(home, ["template", "check", "reminder", "--json"]).json()
        #expect((unicode["sms"] as? [String: Any])?["encoding"] as? String == "ucs2")
        try await ok(home, ["template", "edit", "reminder", "--sms-text-file", "-"], stdin: "Still want {{event.product}}? <3")
        #expect(preview["to"] as? String == "+33612345678")

        let proof = try await ok(home, ["template", "proof", "reminder", "--to", "dan", "--json"]).json()
        let path = try #require((proof["recipients"] as? [[String: Any]])?.first?["detail"] as? String)
        #expect(path.hasPrefix(home.file("var/test/outbox/sms").path))
        let sms = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        #expect(sms["to"] as? String == "+33612345678")
        #expect(sms["from"] as? String == "SHOP")
        #expect(sms["text"] as? String == "[Proof #1] Still want Shoes & Co? <3")

        // A test profile without a phone cannot receive an SMS proof.
        try await ok(home, ["testprofile", "add", "eve", "--email", "eve@example.com", "--event-data", data])
        let noPhone = try await home.run("template", "proof", "reminder", "--to", "eve")
        #expect(noPhone.status == 65)
        #expect(noPhone.stderr.contains("has no phone number"))
        await #expect(try ok(home, ["template", "proofs", "reminder", "--json"]).json()["proofs"].map { ($0 as? [Any])?.count } == 1)
    }
}

struct CatalogCLIFailure: Error, CustomStringConvertible {
    var result: ProcessResult
    var description: String { "campaignctl failed: \(result)" }
}
