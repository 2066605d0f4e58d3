import CampaignCore
import Foundation
import Pipeline
import Store
import Testing
import TestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

private let orgId = "LEAK000000000000000000@AdobeOrg"
private let techAccount = "LEAK0000000000000000000@techacct.adobe.com"
private let clientSecret = "p8e-Leak-Client-S3cret-41c7"
private let wrongSecret = "p8e-Leak-Wrong-S3cret-9d02"
private let relayPassword = "Relay-Leak-Pa55word-77"
private let smppPassword = "Lk5pW9qz"
private let triggerUID = "3e8a2ba7-fccc-49bb-bdac-33ee33cf02bf"

/// Every secret an instance holds, put through the real flows (CLI, daemon,
/// status page, metrics, dump file, log, process arguments): none may appear
/// in any output, in clear or in base64.
@Suite struct SecretsLeakTests {
    /// Each output seen, with where it came from.
    final class Outputs: @unchecked Sendable {
        var items: [(String, String)] = []
        let lock = NSLock()
        func add(_ label: String, _ text: String) { lock.withLock { items.append((label, text)) } }
        func add(_ label: String, _ result: ProcessResult) {
            add("\(label) (stdout)", result.stdout)
            add("\(label) (stderr)", result.stderr)
        }
    }

    /// Strings that must never appear.
    static var needles: [(String, String)] {
        let body = TestRSAKey.pkcs8.privatePEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }
        var needles: [(String, String)] = []
        for (name, secret) in [("client secret", clientSecret), ("wrong client secret", wrongSecret),
                               ("relay password", relayPassword), ("SMPP password", smppPassword)] {
            needles.append((name, secret))
            needles.append(("base64 of the \(name)", Data(secret.utf8).base64EncodedString()))
        }
        needles.append(("a private key line", String(body[body.count / 2])))
        needles.append(("the private key's first line", String(body[0])))
        needles.append(("base64 of the private key", String(Data(TestRSAKey.pkcs8.privatePEM.utf8).base64EncodedString().prefix(60).dropFirst(8))))
        return needles
    }

    func ok(_ result: ProcessResult, _ outputs: Outputs, _ label: String) throws {
        outputs.add(label, result)
        guard result.status == 0 else { throw TestServerFailure("\(result)") }
    }

    @Test func noSecretReachesAnyOutputAndTheFilesArePrivate() async throws {
        let outputs = Outputs()
        let home = CLIHome()
        try await home.initInstance("leak")
        let env = ["CAMPAIGNCTL_INSTANCE": "leak"]
        func run(_ label: String, _ args: [String], stdin: String? = nil) async throws -> ProcessResult {
            let result = try await home.run(args, stdin: stdin, environment: env)
            outputs.add(label, result)
            return result
        }
        func must(_ args: [String], stdin: String? = nil) async throws -> ProcessResult {
            let result = try await run(args.joined(separator: " "), args, stdin: stdin)
            guard result.status == 0 else { throw TestServerFailure("\(result)") }
            return result
        }
        let ports = try freeLocalPorts(3)
        let ims = "http://127.0.0.1:\(ports[0])"
        let secretFile = try home.directory.write("secret.txt", clientSecret + "\n")
        let wrongFile = try home.directory.write("wrong.txt", wrongSecret + "\n")
        let keyFile = try home.directory.write("private.key", TestRSAKey.pkcs8.privatePEM)
        let smppFile = try home.directory.write("smpp.txt", smppPassword + "\n")

        // Credentials: OAuth, JWT, and one with a wrong secret for the same client.
        _ = try await must(["auth", "add", "adobe", "--type", "oauth", "--org-id", orgId, "--client-id", "leak-client",
                            "--client-secret-file", secretFile, "--ims-endpoint", ims])
        _ = try await must(["auth", "add", "legacy", "--type", "jwt", "--org-id", orgId, "--client-id", "leak-jwt",
                            "--client-secret-file", secretFile, "--technical-account-id", techAccount,
                            "--private-key-file", keyFile, "--ims-endpoint", ims])
        _ = try await must(["auth", "add", "wrong", "--type", "oauth", "--org-id", orgId, "--client-id", "leak-client",
                            "--client-secret-file", wrongFile, "--ims-endpoint", ims])
        _ = try await must(["auth", "use", "adobe"])
        for (key, value) in [("discoverPipelineEndpoint", "http://127.0.0.1:\(ports[1])"), ("monitorServerPort", "\(ports[2])"),
                             ("pointerFlushPeriodSec", "1"), ("dumpStatePeriodSec", "1")] {
            _ = try await must(["config", "set", "pipelined.\(key)", value])
        }

        // The mail relay: STARTTLS and AUTH with a password sealed into the config.
        let certificate = try await TestCertificate.make(in: home.directory)
        let smtp = try await SMTPTestServer.start(.init(certificate: certificate, requireStartTLS: true,
                                                        authUser: "campaign", authPassword: relayPassword))
        let sealed = try await must(["config", "seal", "--secret-file", "-"], stdin: relayPassword + "\n").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let config = home.file("conf/config-leak.xml")
        let xml = try String(contentsOf: config, encoding: .utf8)
        try xml.replacingOccurrences(of: "<pipelined", with: """
            <mta><relay address="127.0.0.1" port="\(smtp.port)" security="starttls" user="campaign" password="\(sealed)" caFile="\(certificate.certificatePath)"/></mta>
              <pipelined
            """).write(to: config, atomically: true, encoding: .utf8)

        // An SMPP account against a real SMPP peer.
        let smsc = SMSCSimulator(systemId: "acme", password: smppPassword)
        try smsc.start()
        defer { smsc.stop() }
        _ = try await must(["account", "add", "sms", "smsc", "--smpp", "127.0.0.1:\(smsc.port)", "--system-id", "acme", "--password-file", smppFile])
        for args in [["account", "list"], ["account", "list", "--json"], ["account", "show", "smsc"], ["account", "show", "smsc", "--json"],
                     ["account", "test", "smsc"], ["account", "test", "smsc", "--json"]] {
            _ = try await must(args)
        }

        // A published email trigger for the emulator's shoppers.
        var csv = "email,customerId,firstName\n"
        for n in 1...10 { csv += "shopper\(n)@example.com,C\(n),Shopper\(n)\n" }
        let profiles = try home.directory.write("profiles.csv", csv)
        _ = try await must(["profile", "import", profiles, "--key", "email"])
        _ = try await must(["trigger", "create", "cart", "--label", "Cart", "--trigger-id", triggerUID, "--channel", "email",
                            "--targeting", "profile", "--field", "customerId=eVar01", "--field", "total=cartTotal",
                            "--reconcile", "declaredId=customerId"])
        _ = try await must(["trigger", "publish", "cart"])
        _ = try await must(["template", "edit", "cart", "--subject", "{{profile.firstName}}, your cart", "--from", "shop@example.com",
                            "--text-file", "-"], stdin: "Total {{event.total}}. Unsubscribe: {{unsubscribeUrl}}\n")
        _ = try await must(["template", "publish", "cart"])

        // IMS and the pipeline: the emulator process accepts both real credentials.
        let emulator = try BackgroundProcess(campaignctlBinary, ["pipeline", "emulate", "--accept", "adobe", "--accept", "legacy",
                                                                 "--port", "\(ports[0])", "--generate", "20", "--partitions", "2",
                                                                 "--profiles", profiles],
                                             environment: ["CAMPAIGNCTL_HOME": home.home, "CAMPAIGNCTL_INSTANCE": "leak"])
        defer { if emulator.isRunning { emulator.signal(SIGKILL) } }
        #expect(await emulator.line { $0.contains("pipeline endpoint") } != nil, "emulator: \(emulator.stderr)")

        for args in [["auth", "list"], ["auth", "list", "--json"], ["auth", "show", "adobe"], ["auth", "show", "adobe", "--json"],
                     ["auth", "show", "legacy"], ["auth", "show", "legacy", "--json"], ["auth", "test", "adobe"],
                     ["auth", "test", "adobe", "--json"], ["auth", "test", "legacy"], ["auth", "test", "legacy", "--json"],
                     ["config", "show"], ["config", "show", "--json"], ["config", "show", "--effective", "--json"],
                     ["config", "get", "pipelined.authType"], ["config", "get", "pipelined.authType", "--json"], ["config", "validate", "--json"]] {
            _ = try await must(args)
        }
        for args in [["auth", "test", "wrong"], ["auth", "test", "wrong", "--json"]] {
            let refused = try await run(args.joined(separator: " "), args)
            #expect(refused.status == ExitStatus.configuration.rawValue, "\(refused)")
            #expect(refused.stderr.contains("invalid_client"), "\(refused)")
        }

        // The daemon, as verbose as it gets.
        let daemon = try BackgroundProcess(campaignctlBinary, ["pipelined", "run", "--verbose"],
                                           environment: ["CAMPAIGNCTL_HOME": home.home, "CAMPAIGNCTL_INSTANCE": "leak"])
        defer { if daemon.isRunning { daemon.signal(SIGKILL) } }
        let layout = InstanceLayout(home: home.directory.url, name: "leak")
        let finishedAll = try await eventually(timeout: .seconds(60)) {
            let counts = (try? InstanceStore.open(layout: layout).eventCounts()) ?? [:]
            return counts.filter { $0.key.isFinal }.values.reduce(0, +) >= 20
        }
        #expect(finishedAll, "daemon: \(daemon.stderr)")
        #expect(try await eventually(timeout: .seconds(30)) { FileManager.default.fileExists(atPath: home.file("var/leak/pipelined.json").path) }, "daemon: \(daemon.stderr)")
        let cmdline = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(daemon.process.processIdentifier)/cmdline"))
        outputs.add("daemon /proc/PID/cmdline", String(decoding: cmdline.map { $0 == 0 ? 32 : $0 }, as: UTF8.self))
        outputs.add("emulator /proc/PID/cmdline", String(decoding: try Data(contentsOf: URL(fileURLWithPath: "/proc/\(emulator.process.processIdentifier)/cmdline")).map { $0 == 0 ? 32 : $0 }, as: UTF8.self))
        _ = try await must(["pipelined", "status"])
        let status = try await must(["pipelined", "status", "--json"])
        #expect(status.stdout.contains("\"source\""), "\(status)")
        for path in ["pipelined/status", "metrics"] {
            let (body, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(ports[2])/\(path)")!)
            outputs.add("GET /\(path)", String(decoding: body, as: UTF8.self))
        }
        outputs.add("var/leak/pipelined.json", try home.read("var/leak/pipelined.json"))
        _ = try await must(["events", "list", "--json"])
        daemon.signal(SIGTERM)
        #expect(await daemon.exitStatus() == 0, "daemon: \(daemon.stderr)")
        // Crash output: a daemon killed by SIGSEGV, with Swift's backtracer
        // printing everything it prints on a crash.
        let crashing = try BackgroundProcess(campaignctlBinary, ["pipelined", "run", "--verbose"],
                                             environment: ["CAMPAIGNCTL_HOME": home.home, "CAMPAIGNCTL_INSTANCE": "leak",
                                                           "SWIFT_BACKTRACE": "enable=yes,interactive=no,sanitize=no,preset=medium"])
        defer { if crashing.isRunning { crashing.signal(SIGKILL) } }
        #expect(try await eventually(timeout: .seconds(30)) { ((try? home.read("var/leak/pipelined.log")) ?? "").components(separatedBy: "Listening to topic").count >= 3 },
                "second daemon: \(crashing.stderr)")
        crashing.signal(SIGSEGV)
        // The backtracer ends its report with "Backtrace took …"; the daemon's
        // own threads may outlive it, so it is killed once the report is out.
        #expect(try await eventually(timeout: .seconds(180)) { crashing.stderr.contains("Backtrace took") || !crashing.isRunning },
                "\(crashing.stderr)")
        crashing.signal(SIGKILL)
        #expect(crashing.stderr.contains("Program crashed"), "no crash report to search: \(crashing.stderr)")
        outputs.add("crashed daemon stderr", crashing.stderr)
        outputs.add("crashed daemon stdout", crashing.stdoutLines.joined(separator: "\n"))
        emulator.signal(SIGTERM)
        _ = await emulator.exitStatus()
        outputs.add("daemon stdout", daemon.stdoutLines.joined(separator: "\n"))
        outputs.add("daemon stderr", daemon.stderr)
        outputs.add("emulator stdout", emulator.stdoutLines.joined(separator: "\n"))
        outputs.add("emulator stderr", emulator.stderr)
        outputs.add("var/leak/pipelined.log", try home.read("var/leak/pipelined.log"))
        let mails = try await offPool { try smtp.received() }
        for mail in mails { outputs.add("mail to \(mail.rcptTos)", mail.data) }

        // The relay's sealed password really was used to send.
        #expect(!mails.isEmpty)
        #expect(mails.allSatisfy { $0.authUser == "campaign" && $0.tls })
        #expect(outputs.items.count > 60)

        for (label, text) in outputs.items {
            for (name, needle) in Self.needles {
                #expect(!text.contains(needle), "\(name) found in \(label)")
            }
        }

        // The key, the store and the folder holding them are private.
        let fm = FileManager.default
        func mode(_ relative: String) throws -> Int {
            try fm.attributesOfItem(atPath: home.file(relative).path)[.posixPermissions] as? Int ?? -1
        }
        #expect(try mode("var/leak/instance.key") == 0o600)
        for name in ["campaign.sqlite", "campaign.sqlite-wal", "campaign.sqlite-shm"] where fm.fileExists(atPath: home.file("var/leak/\(name)").path) {
            #expect(try mode("var/leak/\(name)") == 0o600, "\(name)")
        }
        #expect(try mode("var/leak") & 0o007 == 0, "var/leak is readable by others")
    }
}
