import Foundation
import Pipeline
import Testing
import TestSupport

private let orgId = "0123456789ABCDEF01234567@AdobeOrg"
private let account = "FEDCBA9876543210FEDCBA98@techacct.adobe.com"
private let secret = "p8e-CLI-S3cr3t-do-not-print"

/// A home with one instance and an IMS emulator on loopback in this process.
private final class AuthHome: @unchecked Sendable {
    let home = CLIHome()
    let emulator: IMSEmulator
    /// Every result seen, to check that no secret ever leaked.
    var results: [ProcessResult] = []

    init(emulator: IMSEmulator) {
        self.emulator = emulator
    }

    static func start() async throws -> AuthHome {
        let emulator = IMSEmulator(clients: [
            .init(clientId: "oauth-client", clientSecret: secret, orgId: orgId),
            .init(clientId: "jwt-client", clientSecret: secret, orgId: orgId, technicalAccountId: account,
                  publicKey: try IMSPublicKey(pem: TestRSAKey.pkcs8.publicPEM)),
        ])
        try await emulator.start()
        let home = AuthHome(emulator: emulator)
        try await home.home.initInstance()
        try home.home.directory.write("secret.txt", secret + "\n")
        try home.home.directory.write("wrong.txt", "p8e-wrong\n")
        try home.home.directory.write("private.key", TestRSAKey.pkcs8.privatePEM)
        return home
    }

    func run(_ arguments: String..., stdin: String? = nil) async throws -> ProcessResult {
        let result = try await home.run(arguments, stdin: stdin)
        results.append(result)
        return result
    }

    func addOAuth(_ name: String = "adobe", secretFile: String = "secret.txt", extra: [String] = []) async throws -> ProcessResult {
        let result = try await home.run(["auth", "add", name, "--type", "oauth", "--org-id", orgId, "--client-id", "oauth-client",
                                                 "--client-secret-file", secretFile, "--ims-endpoint", emulator.endpoint] + extra)
        results.append(result)
        return result
    }

    /// The store's bytes, WAL included.
    func storeBytes() async throws -> Data {
        let directory = home.file("var/test")
        var bytes = Data()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasPrefix("campaign.sqlite") {
            bytes += try Data(contentsOf: directory.appendingPathComponent(name))
        }
        return bytes
    }

    /// A line from the middle of the private key's base64 body.
    var keyLine: String {
        TestRSAKey.pkcs8.privatePEM.split(separator: "\n").dropFirst(3).first.map(String.init) ?? "missing"
    }

    func expectNoSecretPrinted(sourceLocation: SourceLocation = #_sourceLocation) {
        for result in results {
            for text in [result.stdout, result.stderr] {
                #expect(!text.contains(secret), "secret printed: \(result)", sourceLocation: sourceLocation)
                #expect(!text.contains("p8e-wrong"), "secret printed: \(result)", sourceLocation: sourceLocation)
                #expect(!text.contains(keyLine), "private key printed: \(result)", sourceLocation: sourceLocation)
            }
        }
    }
}

private func contains(_ data: Data, _ text: String) -> Bool {
    data.range(of: Data(text.utf8)) != nil
}

@Suite struct AuthCommandTests {
    @Test func oauthAddListShowTestTokenRemove() async throws {
        let auth = try await AuthHome.start()
        defer { Task { await auth.emulator.stop() } }

        let added = try await auth.addOAuth(extra: ["--json"])
        #expect(added.status == 0, "\(added)")
        let view = try #require(try added.json()["credential"] as? [String: Any])
        #expect(view["clientSecret"] as? String == "••••")
        #expect(view["clientSecretFingerprint"] as? String == IMSFingerprint.of(secret: secret))
        #expect(view["scopes"] as? [String] == ["openid", "AdobeID", "additional_info.projectedProductContext"])

        let list = try await auth.run("auth", "list", "--json")
        let listed = try #require(try list.json()["credentials"] as? [[String: Any]])
        #expect(listed.map { $0["name"] as? String } == ["adobe"])
        let table = try await auth.run("auth", "list")
        #expect(table.stdout.hasPrefix("NAME "))
        #expect(table.stdout.contains("•••• \(IMSFingerprint.of(secret: secret))"))

        let shown = try await auth.run("auth", "show", "adobe")
        #expect(shown.status == 0)
        #expect(shown.stdout.split(separator: "\n").contains { $0.hasPrefix("cached token ") && $0.hasSuffix("  none") })
        #expect(shown.stdout.contains("••••"))

        let tested = try await auth.run("auth", "test", "adobe", "--json")
        #expect(tested.status == 0, "\(tested)")
        let report = try tested.json()
        #expect(report["credential"] as? String == "adobe")
        #expect(report["orgId"] as? String == orgId)
        #expect(report["expiresInSeconds"] as? Int == 86_399)
        #expect(auth.emulator.snapshot.tokenRequests == 1)

        let textTest = try await auth.run("auth", "test", "adobe")
        #expect(textTest.status == 0, "\(textTest)")
        #expect(textTest.stdout.contains("org                \(orgId)"))
        #expect(auth.emulator.snapshot.tokenRequests == 2)

        // `auth token` reuses the token `auth test` cached, across processes.
        let token = try await auth.run("auth", "token", "adobe")
        #expect(token.status == 0, "\(token)")
        let value = token.stdout.trimmingCharacters(in: .newlines)
        #expect(token.stdout == value + "\n")
        #expect(auth.emulator.isValid(token: value))
        #expect(auth.emulator.snapshot.tokenRequests == 2)
        for result in auth.results where result.stdout != token.stdout {
            #expect(!result.stdout.contains(value) && !result.stderr.contains(value), "token printed: \(result)")
        }
        let tokenJSON = try await auth.run("auth", "token", "adobe", "--json")
        #expect(try tokenJSON.json()["accessToken"] as? String == value)
        let shownAfter = try await auth.run("auth", "show", "adobe", "--json")
        #expect(try #require(try shownAfter.json()["credential"] as? [String: Any])["cachedTokenExpiresAt"] is String)

        let bytes = try await auth.storeBytes()
        #expect(!bytes.isEmpty)
        #expect(!contains(bytes, secret))
        #expect(!contains(bytes, value))

        let removed = try await auth.run("auth", "remove", "adobe")
        #expect(removed.status == 0, "\(removed)")
        #expect(removed.stderr == "removed credential 'adobe'\n")
        let gone = try await auth.run("auth", "show", "adobe")
        #expect(gone.status == 66)
        #expect(gone.stderr.hasPrefix("error: no credential named 'adobe'\n"))
        auth.results.removeAll { $0.stdout == token.stdout || $0.stdout == tokenJSON.stdout }
        auth.expectNoSecretPrinted()
    }

    @Test func jwtFromStdinKeyAndFromBase64File() async throws {
        let auth = try await AuthHome.start()
        defer { Task { await auth.emulator.stop() } }
        try auth.home.directory.write("private.key.b64", Data(TestRSAKey.pkcs8.privatePEM.utf8).base64EncodedString() + "\n")
        let jwtArgs = ["--type", "jwt", "--org-id", orgId, "--client-id", "jwt-client", "--client-secret-file", "secret.txt",
                       "--technical-account-id", account, "--ims-endpoint", auth.emulator.endpoint]

        let fromStdin = try await auth.home.run(["auth", "add", "legacy"] + jwtArgs + ["--private-key-file", "-"],
                                                        stdin: TestRSAKey.pkcs8.privatePEM)
        auth.results.append(fromStdin)
        #expect(fromStdin.status == 0, "\(fromStdin)")
        let fromBase64 = try await auth.home.run(["auth", "add", "legacy64"] + jwtArgs + ["--private-key-base64-file", "private.key.b64"])
        auth.results.append(fromBase64)
        #expect(fromBase64.status == 0, "\(fromBase64)")

        for name in ["legacy", "legacy64"] {
            let tested = try await auth.run("auth", "test", name, "--json")
            #expect(tested.status == 0, "\(tested)")
            #expect(try tested.json()["technicalAccountId"] as? String == account)
        }
        #expect(auth.emulator.snapshot.exchangeRequests == 2)
        let shown = try await auth.run("auth", "show", "legacy")
        #expect(shown.stdout.contains("private key        •••• (sha256 of public key \(try IMSPublicKey(pem: TestRSAKey.pkcs8.publicPEM).fingerprint))"))
        #expect(shown.stdout.contains("metascope          ent_analytics_bulk_ingest_sdk"))

        let bytes = try await auth.storeBytes()
        #expect(!contains(bytes, auth.keyLine))
        #expect(!contains(bytes, "PRIVATE KEY"))
        #expect(!contains(bytes, secret))
        auth.expectNoSecretPrinted()
    }

    @Test func refusalsAndUnreachableIMSAreOneErrorLineWithAHint() async throws {
        let auth = try await AuthHome.start()
        defer { Task { await auth.emulator.stop() } }

        #expect(try await auth.addOAuth("wrong", secretFile: "wrong.txt").status == 0)
        let refused = try await auth.run("auth", "test", "wrong")
        #expect(refused.status == 78, "\(refused)")
        let lines = refused.stderr.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first == "error: IMS refused credential 'wrong': invalid_client (invalid client_secret parameter)")
        #expect(lines.last?.hasPrefix("hint: check the client id oauth-client and the client secret") == true)
        #expect(refused.stdout.isEmpty)

        // A port nothing listens on.
        let closed = IMSEmulator(clients: [])
        let port = try await closed.start()
        await closed.stop()
        #expect(try await auth.addOAuth("down", extra: ["--ims-endpoint", "http://127.0.0.1:\(port)"]).status == 0)
        let down = try await auth.run("auth", "token", "down")
        #expect(down.status == 69, "\(down)")
        #expect(down.stderr.split(separator: "\n").first == "error: cannot reach IMS at http://127.0.0.1:\(port): connection refused or lost")
        #expect(down.stdout.isEmpty)
        auth.expectNoSecretPrinted()
    }

    @Test func badInputChangesNothing() async throws {
        let auth = try await AuthHome.start()
        defer { Task { await auth.emulator.stop() } }
        #expect(try await auth.addOAuth().status == 0)

        let duplicate = try await auth.addOAuth()
        #expect(duplicate.status == 77, "\(duplicate)")
        #expect(duplicate.stderr.contains("hint: pick another name, or pass --replace"))
        let replaced = try await auth.addOAuth(extra: ["--replace", "--scopes", "openid"])
        #expect(replaced.status == 0, "\(replaced)")

        let badOrg = try await auth.run("auth", "add", "x", "--type", "oauth", "--org-id", "1234", "--client-id", "c",
                                        "--client-secret-file", "secret.txt")
        #expect(badOrg.status == 65, "\(badOrg)")
        #expect(badOrg.stderr.hasPrefix("error: --org-id: org id must look like"))

        let plainHTTP = try await auth.run("auth", "add", "x", "--type", "oauth", "--org-id", orgId, "--client-id", "c",
                                           "--client-secret-file", "secret.txt", "--ims-endpoint", "http://ims.example.com")
        #expect(plainHTTP.status == 65, "\(plainHTTP)")

        let twoStdin = try await auth.run("auth", "add", "x", "--type", "jwt", "--org-id", orgId, "--client-id", "c",
                                          "--client-secret-file", "-", "--technical-account-id", account, "--private-key-file", "-",
                                          stdin: secret)
        #expect(twoStdin.status == 64, "\(twoStdin)")

        let weak = try await offPool { try TestRSAKey.generate(bits: 1024, format: .pkcs1) }
        try auth.home.directory.write("weak.key", weak.privatePEM)
        let weakKey = try await auth.run("auth", "add", "x", "--type", "jwt", "--org-id", orgId, "--client-id", "c",
                                         "--client-secret-file", "secret.txt", "--technical-account-id", account,
                                         "--private-key-file", "weak.key")
        #expect(weakKey.status == 65, "\(weakKey)")
        #expect(weakKey.stderr.hasPrefix("error: weak.key: the RSA key has 1024 bits; IMS needs at least 2048\n"))

        let missing = try await auth.run("auth", "add", "x", "--type", "oauth", "--org-id", orgId, "--client-id", "c",
                                         "--client-secret-file", "nope.txt")
        #expect(missing.status == 66, "\(missing)")

        let list = try await auth.run("auth", "list", "--json")
        let listed = try #require(try list.json()["credentials"] as? [[String: Any]])
        #expect(listed.map { $0["name"] as? String } == ["adobe"])
        #expect(listed.first?["scopes"] as? [String] == ["openid"])
        auth.expectNoSecretPrinted()
    }
}
