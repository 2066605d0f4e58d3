import CampaignCore
import Foundation
import Pipeline
import Store
import Testing
import TestSupport

private let orgId = "0123456789ABCDEF01234567@AdobeOrg"
private let clientSecret = "rotate-Client-S3cret-7f1"
private let smppPassword = "rotPw9x!"
private let relayPassword = "rotate-relay-pw3"

@Suite struct KeyRotationCommandTests {
    func ok(_ result: ProcessResult, _ what: String = "command") throws -> ProcessResult {
        guard result.status == 0 else { throw TestServerFailure("\(result)") }
        return result
    }

    func expectNoSecret(_ result: ProcessResult, sourceLocation: SourceLocation = #_sourceLocation) {
        for secret in [clientSecret, smppPassword, relayPassword] {
            #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret), "secret printed: \(result)", sourceLocation: sourceLocation)
        }
    }

    @Test func rotationKeepsEverySecretUsableAndTheOldKeyOpensNothing() async throws {
        let emulator = IMSEmulator(clients: [.init(clientId: "oauth-client", clientSecret: clientSecret, orgId: orgId)])
        try await emulator.start()
        defer { Task { await emulator.stop() } }
        let smsc = SMSCSimulator(systemId: "acme", password: smppPassword)
        try smsc.start()
        defer { smsc.stop() }
        let home = CLIHome()
        try await home.initInstance()
        let layout = InstanceLayout(home: home.directory.url, name: "test")
        let secretFile = try home.directory.write("secret.txt", clientSecret + "\n")
        let passwordFile = try home.directory.write("pw.txt", smppPassword + "\n")
        _ = try ok(await home.run(["auth", "add", "adobe", "--type", "oauth", "--org-id", orgId, "--client-id", "oauth-client",
                                   "--client-secret-file", secretFile, "--ims-endpoint", emulator.endpoint]))
        _ = try ok(await home.run("auth", "test", "adobe"))  // caches a sealed token
        _ = try ok(await home.run("auth", "use", "adobe"))   // seals the client secret into <ims>
        _ = try ok(await home.run(["account", "add", "sms", "smsc", "--smpp", "127.0.0.1:\(smsc.port)", "--system-id", "acme",
                                   "--password-file", passwordFile]))
        let sealed = try ok(await home.run(["config", "seal", "--secret-file", "-"], stdin: relayPassword + "\n")).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let xml = try String(contentsOf: layout.configFile, encoding: .utf8)
        try xml.replacingOccurrences(of: "<pipelined", with: "<mta><relay address=\"127.0.0.1\" port=\"25\" password=\"\(sealed)\"/></mta>\n  <pipelined")
            .write(to: layout.configFile, atomically: true, encoding: .utf8)
        let oldKey = try Data(contentsOf: layout.keyFile)
        let old = try InstanceKey.load(from: layout.keyFile)

        let rotated = try ok(await home.run("auth", "rotate-key", "--json"))
        expectNoSecret(rotated)
        let report = try rotated.json()
        #expect(report["credentialSecrets"] as? Int == 1)
        #expect(report["cachedTokens"] as? Int == 1)
        #expect(report["accountSecrets"] as? Int == 1)
        #expect((report["configValues"] as? Int ?? 0) >= 2)  // <ims> secret and relay password (and the .bak's)
        #expect(report["total"] as? Int == 3 + (report["configValues"] as? Int ?? 0))
        let text = try ok(await home.run("auth", "rotate-key"))
        #expect(text.stdout.contains("re-encrypted"), "\(text)")
        #expect(try Data(contentsOf: layout.keyFile) != oldKey)
        let mode = try FileManager.default.attributesOfItem(atPath: layout.keyFile.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        // Everything still opens with the new key.
        let show = try ok(await home.run("auth", "show", "adobe"))
        expectNoSecret(show)
        _ = try ok(await home.run("auth", "test", "adobe"))
        _ = try ok(await home.run("account", "test", "smsc"))
        let store = try InstanceStore.open(layout: layout)
        let config = try ConfigDocument(contentsOf: layout.configFile)
        let relay = try #require(config.attribute("password", at: ["serverconf", "mta", "relay"]))
        let imsSecret = try #require(config.attribute("authIMSTAClientSecret", at: ["serverconf", "ims"]))
        #expect(try store.key.openFromConfig(relay) == relayPassword)
        #expect(try store.key.openFromConfig(imsSecret) == clientSecret)
        #expect(try store.externalAccountWithSecret(named: "smsc").1 == smppPassword)

        // The old key opens nothing: not the config values, and with it back in place the store refuses.
        #expect(throws: CampaignError.self) { try old.openFromConfig(relay) }
        #expect(throws: CampaignError.self) { try old.openFromConfig(imsSecret) }
        if let backup = try? ConfigDocument(contentsOf: URL(fileURLWithPath: layout.configFile.path + ".bak")),
           let value = backup.attribute("authIMSTAClientSecret", at: ["serverconf", "ims"]) {
            #expect(throws: CampaignError.self) { try old.openFromConfig(value) }
        }
        try oldKey.write(to: layout.keyFile)
        let refused = try await home.run("auth", "show", "adobe")
        #expect(refused.status == ExitStatus.configuration.rawValue, "\(refused)")
        #expect(refused.stderr.contains("does not match"), "\(refused)")
        let accountRefused = try await home.run("account", "test", "smsc")
        #expect(accountRefused.status != 0, "\(accountRefused)")
    }

    @Test func refusedWhilePipelinedHoldsItsLock() async throws {
        let home = CLIHome()
        try await home.initInstance()
        let layout = InstanceLayout(home: home.directory.url, name: "test")
        let holder = try LockHolderProcess(lockFile: layout.daemonLockFile)
        let pid = try await holder.waitUntilReady()
        let keyBefore = try Data(contentsOf: layout.keyFile)
        let refused = try await home.run("auth", "rotate-key")
        try await holder.stop()
        #expect(refused.status == ExitStatus.temporary.rawValue, "\(refused)")
        #expect(refused.stderr.contains("pipelined is running for instance test (pid \(pid))"), "\(refused)")
        #expect(refused.stderr.contains("hint: stop pipelined first"), "\(refused)")
        #expect(try Data(contentsOf: layout.keyFile) == keyBefore)
        #expect(!FileManager.default.fileExists(atPath: layout.nextKeyFile.path))
        // Once it is gone, the rotation runs.
        _ = try ok(await home.run("auth", "rotate-key"))
        #expect(try Data(contentsOf: layout.keyFile) != keyBefore)
    }

    /// While a rotation holds the daemon's lock, `pipelined status` says so
    /// instead of showing a running daemon, and `pipelined run` names it.
    @Test func statusAndRunNameARotationHoldingTheLock() async throws {
        let home = CLIHome()
        try await home.initInstance()
        let layout = InstanceLayout(home: home.directory.url, name: "test")
        let holder = try LockHolderProcess(lockFile: layout.daemonLockFile, purpose: "auth rotate-key")
        let pid = try await holder.waitUntilReady()
        let text = try await home.run("pipelined", "status")
        let json = try await home.run("pipelined", "status", "--json")
        let run = try await home.run("pipelined", "run")
        try await holder.stop()
        #expect(text.status == 0 && text.stdout.contains("not running: a key rotation (auth rotate-key, pid \(pid)) holds the instance"), "\(text)")
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(document?["running"] as? Bool == false, "\(json)")
        #expect(document?["keyRotationPid"] as? Int == Int(pid), "\(json)")
        #expect(run.status == ExitStatus.temporary.rawValue, "\(run)")
        #expect(run.stderr.contains("a key rotation (auth rotate-key, pid \(pid)) holds instance test"), "\(run)")
    }

    @Test func aNextKeyLeftByACrashBeforeTheStoreCommitIsDiscardedByTheNextCommand() async throws {
        let home = CLIHome()
        try await home.initInstance()
        let layout = InstanceLayout(home: home.directory.url, name: "test")
        let passwordFile = try home.directory.write("pw.txt", smppPassword + "\n")
        _ = try ok(await home.run(["account", "add", "sms", "smsc", "--smpp", "127.0.0.1:2775", "--system-id", "acme",
                                   "--password-file", passwordFile]))
        let keyBefore = try Data(contentsOf: layout.keyFile)
        // The state a crash right after writing instance.key.next leaves.
        try InstanceKey.random().write(to: layout.nextKeyFile)
        _ = try ok(await home.run("account", "list"))
        #expect(!FileManager.default.fileExists(atPath: layout.nextKeyFile.path))
        #expect(try Data(contentsOf: layout.keyFile) == keyBefore)
        #expect(try InstanceStore.open(layout: layout).externalAccountWithSecret(named: "smsc").1 == smppPassword)
    }
}
