import ArgumentParser
import CampaignCore
import Foundation
import Pipeline

/// The newcomer's first run. It drives the real commands, printing each one,
/// so that what it shows is the workflow an operator follows.
struct QuickstartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quickstart",
        abstract: "Rehearse the whole job on a scratch instance: emulator → daemon → outbox.",
        discussion: """
        Creates a scratch instance (SQLite, the local pipeline emulator, the file: outbox), \
        adds and binds an OAuth credential the emulator accepts, imports sample profiles, \
        creates and publishes a cart-abandonment trigger and its template, sends a proof, \
        then runs the emulator and the daemon over generated triggers. It ends with the \
        status counters, the outbox folder and one rendered email. Every campaignctl \
        command it runs is printed first, so you can replay them by hand. Nothing leaves \
        the machine.

        EXAMPLES:
          campaignctl quickstart
          campaignctl quickstart --triggers 5000 --rate 2000 --home /tmp/qs
        """
    )

    @Option(help: "Where the scratch instance goes (default: a new folder under the temporary directory).", completion: .directory)
    var home: String?
    @Option(help: "How many triggers the emulator generates.")
    var triggers = 2_000
    @Option(help: "Generated triggers per second.")
    var rate = 1_000.0
    @Option(help: "How many sample profiles to import.")
    var profiles = 500

    func validate() throws {
        if triggers < 1 || triggers > 1_000_000 { throw ValidationError("--triggers must be between 1 and 1000000") }
        if rate <= 0 { throw ValidationError("--rate must be more than 0") }
        if profiles < 1 || profiles > 100_000 { throw ValidationError("--profiles must be between 1 and 100000") }
    }

    func run() async throws {
        let homeURL = home.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("campaignctl-quickstart-\(UUID().uuidString.prefix(8))")
        let session = try QuickstartSession(home: homeURL)
        let work = homeURL.appendingPathComponent("quickstart-files", isDirectory: true)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let uid = TriggerGenerator.defaultTriggerId
        let (imsPort, monitorPort) = try QuickstartSession.freePorts()

        session.say("export CAMPAIGNCTL_HOME=\(homeURL.path) CAMPAIGNCTL_INSTANCE=quickstart")
        try session.run("instance", "init", "quickstart")

        let secret = work.appendingPathComponent("client-secret.txt")
        try Data((UUID().uuidString + UUID().uuidString).utf8).write(to: secret)
        try session.run("auth", "add", "adobe", "--type", "oauth", "--org-id", "QUICKSTART00000000000000@AdobeOrg",
                        "--client-id", "quickstart-client", "--client-secret-file", secret.path,
                        "--ims-endpoint", "http://127.0.0.1:\(imsPort)")
        try session.run("auth", "use", "adobe")
        try session.run("config", "set", "pipelined.discoverPipelineEndpoint", "http://127.0.0.1:\(imsPort + 1)")
        try session.run("config", "set", "pipelined.monitorServerPort", String(monitorPort))
        try session.run("config", "set", "pipelined.dumpStatePeriodSec", "1")

        let profilesFile = work.appendingPathComponent("profiles.csv")
        try QuickstartSession.sampleProfiles(count: profiles).write(to: profilesFile, atomically: true, encoding: .utf8)
        try session.run("profile", "import", profilesFile.path, "--key", "customerId")

        try session.run("trigger", "create", "cart-abandonment", "--label", "Cart abandonment", "--trigger-id", uid,
                        "--channel", "email", "--targeting", "profile", "--validity", "1h",
                        "--field", "customerId=eVar01", "--field", "cartTotal=cartTotal", "--field", "items=products",
                        "--reconcile", "declaredId=customerId")
        try session.run("trigger", "publish", "cart-abandonment")

        let html = work.appendingPathComponent("cart.html"), text = work.appendingPathComponent("cart.txt")
        try QuickstartSession.html.write(to: html, atomically: true, encoding: .utf8)
        try QuickstartSession.text.write(to: text, atomically: true, encoding: .utf8)
        try session.run("template", "edit", "cart-abandonment", "--subject", "{{profile.firstName}}, your cart is waiting",
                        "--from", "Trail Shop <shop@example.com>", "--html-file", html.path, "--text-file", text.path)

        let eventData = work.appendingPathComponent("alice-event.json")
        try QuickstartSession.aliceEvent.write(to: eventData, atomically: true, encoding: .utf8)
        try session.run("testprofile", "add", "alice", "--email", "alice@example.com", "--event-data", eventData.path,
                        "--trigger", "cart-abandonment")
        try session.run("template", "proof", "cart-abandonment", "--to", "alice")
        try session.run("template", "publish", "cart-abandonment")

        let emulator = try session.start("pipeline", "emulate", "--accept", "adobe", "--port", String(imsPort),
                                         "--generate", String(triggers), "--rate", String(rate), "--partitions", "15",
                                         "--profiles", profilesFile.path, "--trigger-id", uid)
        defer { emulator.terminate() }
        try await session.waitForPort(imsPort + 1, process: emulator)
        let daemon = try session.start("pipelined", "run")
        defer { daemon.terminate() }

        let finished = try await session.waitUntilProcessed(triggers, daemon: daemon, timeout: 60 + Double(triggers) / rate * 2)
        try session.run("pipelined", "status")
        session.say("\n$ kill -TERM <pipelined>   # finishes the messages in flight, flushes offsets, exits 0")
        daemon.terminate()
        daemon.waitUntilExit()
        emulator.terminate()
        emulator.waitUntilExit()
        try session.run("events", "list", "--limit", "5")
        try session.run("trigger", "report", "cart-abandonment", "--days", "1")

        let outbox = homeURL.appendingPathComponent("var/quickstart/outbox/email")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: outbox.path).filter { $0.hasSuffix(".eml") }.sorted()) ?? []
        session.say("")
        session.say("\(files.count) emails in \(outbox.path)")
        if let sample = files.first(where: { !$0.contains("proof") }) ?? files.first,
           let bytes = try? String(contentsOf: outbox.appendingPathComponent(sample), encoding: .utf8) {
            session.say("one of them, \(sample):\n")
            Terminal.writeOut(String(bytes.prefix(2_500)) + (bytes.count > 2_500 ? "\n[…]\n" : "\n"))
        }
        if !finished {
            throw CampaignError(.temporary, "the daemon had not processed all \(triggers) triggers in time",
                                hint: "see \(homeURL.path)/var/quickstart/pipelined.log")
        }
    }
}
