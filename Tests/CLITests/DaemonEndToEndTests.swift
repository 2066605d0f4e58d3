import CampaignCore
import Foundation
import Store
import Testing
import TestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Emulator → daemon → a real SMTP server, all through the built binary.
@Suite(.serialized) struct DaemonEndToEndTests {
    let uid = "3e8a2ba7-fccc-49bb-bdac-33ee33cf02bf"

    struct Rig {
        let home: CLIHome
        let smtp: SMTPTestServer
        let imsPort: Int
        let monitorPort: Int
        var store: InstanceStore { get throws { try InstanceStore.open(layout: InstanceLayout(home: home.directory.url, name: "e2e")) } }
    }

    func ok(_ result: ProcessResult, _ what: String) async throws {
        guard result.status == 0 else { throw TestServerFailure("\(what) failed: \(result)") }
    }

    /// An instance bound to the emulator's IMS, relaying mail to aiosmtpd,
    /// with 30 profiles (one customer id shared by two, one denylisted), and a
    /// published cart-abandonment trigger and template.
    func rig() async throws -> Rig {
        let home = CLIHome()
        try await home.initInstance("e2e")
        let smtp = try await SMTPTestServer.start()
        let ports = try freeLocalPorts(3)
        let run = { (args: [String], stdin: String?) async throws -> ProcessResult in
            try await home.run(args, stdin: stdin, environment: ["CAMPAIGNCTL_INSTANCE": "e2e"])
        }
        try await ok(run(["auth", "add", "adobe", "--type", "oauth", "--org-id", "E2E0000000000000000000@AdobeOrg", "--client-id", "e2e-client",
                    "--client-secret-file", "-", "--ims-endpoint", "http://127.0.0.1:\(ports[0])"], "s3cret-e2e-value\n"), "auth add")
        try await ok(run(["auth", "use", "adobe"], nil), "auth use")
        for (key, value) in [("discoverPipelineEndpoint", "http://127.0.0.1:\(ports[1])"), ("monitorServerPort", "\(ports[2])"),
                             ("pointerFlushPeriodSec", "1"), ("processingThreads", "3")] {
            try await ok(run(["config", "set", "pipelined.\(key)", value], nil), "config set \(key)")
        }
        // The mail relay lives in <mta>, edited by hand as in Adobe's config files.
        let config = home.file("conf/config-e2e.xml")
        let xml = try String(contentsOf: config, encoding: .utf8)
        try xml.replacingOccurrences(of: "<pipelined", with: "<mta><relay address=\"127.0.0.1\" port=\"\(smtp.port)\" security=\"none\"/></mta>\n  <pipelined")
            .write(to: config, atomically: true, encoding: .utf8)

        var csv = "email,customerId,firstName\n"
        for n in 1...30 { csv += "shopper\(n)@example.com,C\(n),Shopper\(n)\n" }
        csv += "twin@example.com,C7,Twin\n"
        try home.directory.write("profiles.csv", csv)
        try await ok(run(["profile", "import", home.file("profiles.csv").path, "--key", "email"], nil), "profile import")
        try await ok(run(["denylist", "add", "shopper5@example.com"], nil), "denylist add")
        try await ok(run(["trigger", "create", "cart", "--label", "Cart abandonment", "--trigger-id", uid, "--channel", "email",
                    "--targeting", "profile", "--field", "customerId=eVar01", "--field", "total=cartTotal", "--field", "items=products",
                    "--reconcile", "declaredId=customerId"], nil), "trigger create")
        try await ok(run(["trigger", "publish", "cart"], nil), "trigger publish")
        try home.directory.write("cart.html", "<p>Hi {{profile.firstName}}</p><ul>{{#event.items}}<li>{{name}}</li>{{/event.items}}</ul><p>{{event.total}}</p><a href=\"{{unsubscribeUrl}}\">unsubscribe</a>\n")
        try home.directory.write("cart.txt", "Hi {{profile.firstName}}, total {{event.total}}. Unsubscribe: {{unsubscribeUrl}}\n")
        try await ok(run(["template", "edit", "cart", "--subject", "{{profile.firstName}}, your cart", "--from", "shop@example.com",
                    "--html-file", home.file("cart.html").path, "--text-file", home.file("cart.txt").path], nil), "template edit")
        try await ok(run(["template", "publish", "cart"], nil), "template publish")
        return Rig(home: home, smtp: smtp, imsPort: ports[0], monitorPort: ports[2])
    }

    func emulator(_ rig: Rig, count: Int, extra: [String] = []) async throws -> BackgroundProcess {
        var shoppers = "email,customerId\n"
        for n in 1...30 { shoppers += "shopper\(n)@example.com,C\(n)\n" }
        try rig.home.directory.write("shoppers.csv", shoppers)
        return try BackgroundProcess(campaignctlBinary, ["pipeline", "emulate", "--accept", "adobe", "--port", "\(rig.imsPort)",
                                                         "--generate", "\(count)", "--partitions", "4",
                                                         "--profiles", rig.home.file("shoppers.csv").path] + extra,
                                     environment: ["CAMPAIGNCTL_HOME": rig.home.home, "CAMPAIGNCTL_INSTANCE": "e2e"])
    }

    func daemon(_ rig: Rig, verbose: Bool = false) async throws -> BackgroundProcess {
        try BackgroundProcess(campaignctlBinary, ["pipelined", "run"] + (verbose ? ["--verbose"] : []),
                              environment: ["CAMPAIGNCTL_HOME": rig.home.home, "CAMPAIGNCTL_INSTANCE": "e2e"])
    }

    func finished(_ rig: Rig) -> Int {
        ((try? rig.store.eventCounts()) ?? [:]).filter { $0.key.isFinal }.values.reduce(0, +)
    }

    @Test func everyEventEndsInTheRightStatusAndEachMessageIsSentOnce() async throws {
        let rig = try await rig()
        let emulator = try await emulator(rig, count: 400, extra: ["--drop-every", "150", "--garbage-every", "90", "--unauthorized-first", "1"])
        #expect(await emulator.line { $0.contains("pipeline endpoint") } != nil, "emulator: \(emulator.stderr)")
        let daemon = try await daemon(rig, verbose: true)
        #expect(try await eventually(timeout: .seconds(90)) { finished(rig) >= 400 }, "daemon: \(daemon.stderr)")

        // The status page answers in Adobe's shape while the daemon runs.
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(rig.monitorPort)/pipelined/status")!)
        let status = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let agent = try #require((status["agents"] as? [[String: Any]])?.first)
        #expect(agent["consumer"] as? String == "e2e")
        #expect(((agent["stats"] as? [String: Any])?["protocol-faults"] as? Int ?? 0) > 0)
        let (metrics, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(rig.monitorPort)/metrics")!)
        #expect(String(decoding: metrics, as: UTF8.self).contains("campaignctl_messages_sent_total"))

        daemon.signal(SIGTERM)
        #expect(await daemon.exitStatus() == 0, "daemon: \(daemon.stderr)")
        emulator.signal(SIGTERM)
        _ = await emulator.exitStatus()

        let store = try rig.store
        let counts = try store.eventCounts()
        #expect(counts.values.reduce(0, +) == 400)
        // Shopper 5 is denylisted; customer C7 matches two profiles.
        let ignored = counts[.ignored] ?? 0, targeting = counts[.targetingFailed] ?? 0, processed = counts[.processed] ?? 0
        #expect(ignored > 0)
        #expect(targeting > 0)
        #expect(processed + ignored + targeting == 400, "\(counts)")
        let mails = try await offPool { try rig.smtp.received() }
        #expect(mails.count == processed)
        let ids = mails.compactMap { mail in mail.data.split(separator: "\r\n").first { $0.lowercased().hasPrefix("message-id:") } }
        #expect(Set(ids).count == mails.count)
        #expect(!mails.contains { $0.rcptTos.contains("shopper5@example.com") })
        #expect(mails.allSatisfy { $0.data.contains("Subject: Shopper") })
        // SIGTERM flushed the offsets of everything read: 100 per partition.
        #expect(try store.committedOffsets(consumer: "e2e", topic: "triggers") == [0: 99, 1: 99, 2: 99, 3: 99])

        // events show: the raw envelope, the address, every attempt, and the message as rendered.
        let env = ["CAMPAIGNCTL_INSTANCE": "e2e"]
        let sent = try #require(try store.events(EventFilter(status: .processed, limit: 1)).first)
        let shown = try await rig.home.run(["events", "show", "\(sent.id)", "--json"], environment: env)
        #expect(shown.status == 0, "\(shown)")
        let detail = try shown.json()
        let message = try #require(detail["message"] as? [String: Any])
        #expect((message["subject"] as? String)?.hasPrefix("Shopper") == true)
        #expect(message["to"] as? String == sent.targetAddress)
        #expect(((detail["event"] as? [String: Any])?["attempts"] as? [[String: Any]])?.count == 1)
        let failed = try #require(try store.events(EventFilter(status: .targetingFailed, limit: 1)).first)
        let notSent = try await rig.home.run(["events", "show", "\(failed.id)"], environment: env)
        #expect(notSent.stdout.contains("not rendered: targetingFailed (several profiles have customerId"), "\(notSent)")
        #expect(notSent.stdout.contains("\"envelopeType\":\"DATA\""))

        // --verbose: what the daemon did, batch by batch, and why an event failed.
        let debug = try rig.home.read("var/e2e/pipelined.log").split(separator: "\n").filter { $0.contains(" DEBUG ") }
        for expected in ["IMS: issued a new access token for credential 'adobe'", "Listener: requesting http://127.0.0.1:",
                         "Listener: streaming topic 'triggers'", "replayed or refused on topic 'triggers'", "Stored ",
                         "Processing lane ", "Processing: event \(failed.id) targetingFailed: several profiles have customerId"] {
            #expect(debug.contains { $0.contains(expected) }, "no debug line with '\(expected)'")
        }
    }

    @Test func aDaemonKilledMidRunResumesWithoutLosingOrDuplicatingEvents() async throws {
        let rig = try await rig()
        let emulator = try await emulator(rig, count: 1_200, extra: ["--rate", "400"])
        #expect(await emulator.line { $0.contains("pipeline endpoint") } != nil)
        let first = try await daemon(rig)
        #expect(try await eventually(timeout: .seconds(60)) { ((try? rig.store.eventCounts()) ?? [:]).values.reduce(0, +) >= 300 })
        first.signal(SIGKILL)
        _ = await first.exitStatus()
        let second = try await daemon(rig)
        #expect(try await eventually(timeout: .seconds(90)) { finished(rig) >= 1_200 }, "daemon: \(second.stderr)")
        second.signal(SIGTERM)
        #expect(await second.exitStatus() == 0)
        emulator.signal(SIGTERM)
        _ = await emulator.exitStatus()

        let counts = try rig.store.eventCounts()
        #expect(counts.values.reduce(0, +) == 1_200, "\(counts)")
        let mails = try await offPool { try rig.smtp.received() }
        let processed = counts[.processed] ?? 0
        // Only messages in flight at the kill may go out twice, with the same Message-ID.
        #expect(mails.count >= processed)
        #expect(mails.count - processed <= 3 * 50, "duplicates beyond the in-flight window: \(mails.count - processed)")
        let log = try rig.home.read("var/e2e/pipelined.log")
        #expect(log.contains("pipelined starting"))
        #expect(!log.contains(" DEBUG "), "debug lines without --verbose")
    }

    @Test func sighupPicksUpNewRoutingWithoutDroppingTheStream() async throws {
        let rig = try await rig()
        let env = ["CAMPAIGNCTL_INSTANCE": "e2e"]
        let other = #"{"topics":[{"name":"triggers","consumer":"e2e","triggers":[{"name":"00000000-0000-0000-0000-000000000000"}]}]}"#
        try await ok(rig.home.run(["option", "set", "NmsPipeline_Config", "--file", "-"], stdin: other, environment: env), "option set")
        let emulator = try await emulator(rig, count: 1_500, extra: ["--rate", "250"])
        #expect(await emulator.line { $0.contains("pipeline endpoint") } != nil)
        let daemon = try await daemon(rig)
        // Nothing is routed until the option lists the cart trigger again.
        #expect(try await eventually(timeout: .seconds(30)) { daemon.stderr.contains("Listening to topic") })
        try await Task.sleep(nanoseconds: 1_000_000_000)
        #expect(try rig.store.eventCounts().isEmpty)
        let cart = #"{"topics":[{"name":"triggers","consumer":"e2e","triggers":[{"name":"\#(uid)"}]}]}"#
        try await ok(rig.home.run(["option", "set", "NmsPipeline_Config", "--file", "-"], stdin: cart, environment: env), "option set")
        try await ok(rig.home.run(["config", "reload"], environment: env), "config reload")
        #expect(try await eventually(timeout: .seconds(30)) { daemon.stderr.contains("Reloaded the configuration") }, "\(daemon.stderr)")
        #expect(try await eventually(timeout: .seconds(60)) {
            (try? rig.store.committedOffsets(consumer: "e2e", topic: "triggers").values.reduce(0) { $0 + $1 + 1 }) == 1_500
        })
        daemon.signal(SIGTERM)
        #expect(await daemon.exitStatus() == 0)
        emulator.signal(SIGTERM)
        _ = await emulator.exitStatus()
        let stored = try rig.store.eventCounts().values.reduce(0, +)
        #expect(stored > 0 && stored < 1_500, "stored \(stored)")
        // The stream was never dropped: one connection served every message.
        #expect(!daemon.stderr.contains("Connection seems to have been lost"))
    }

    @Test func aSecondDaemonIsRefusedAndABadConfigurationStopsStartUp() async throws {
        let home = CLIHome()
        try await home.initInstance("lonely")
        let result = try await home.run(["pipelined", "run"], environment: ["CAMPAIGNCTL_INSTANCE": "lonely"])
        #expect(result.status == 78, "\(result)")
        #expect(result.stderr.contains("no IMS credential is bound"))
    }
}
