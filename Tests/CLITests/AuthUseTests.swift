import Foundation
import Testing
import TestSupport

/// `auth use` writes Adobe's <ims> binding and touches nothing else.
@Suite struct AuthUseTests {
    let original = """
    <?xml version='1.0' encoding='utf-8'?>
    <!-- hand-written: keep me -->
    <serverconf>
      <wfserver   autoStart="true"  maxProcessMemoryAlertMb="2048"/>
      <pipelined monitorServerPort="7790"/>
    </serverconf>

    """

    func home() async throws -> CLIHome {
        let home = CLIHome()
        try await home.initInstance("bind")
        try home.directory.write("conf/config-bind.xml", original)
        return home
    }

    @Test func oauthBindingSealsTheSecretAndKeepsEveryOtherByte() async throws {
        let home = try await home()
        let secret = "oauth-secret-that-must-not-leak"
        let add = try await home.run(["auth", "add", "adobe", "--type", "oauth", "--org-id", "ORG123@AdobeOrg", "--client-id", "client-1",
                                "--client-secret-file", "-", "--ims-endpoint", "http://127.0.0.1:9"], stdin: secret + "\n")
        #expect(add.status == 0, "\(add)")
        let use = try await home.run(["auth", "use", "adobe", "--json"])
        #expect(use.status == 0, "\(use)")
        #expect(!use.stdout.contains(secret) && !use.stderr.contains(secret))
        let binding = try #require(try use.json()["binding"] as? [String: Any])
        #expect(binding["authType"] as? String == "imsOAuth")

        let xml = try home.read("conf/config-bind.xml")
        #expect(!xml.contains(secret))
        #expect(xml.hasPrefix("<?xml version='1.0' encoding='utf-8'?>\n<!-- hand-written: keep me -->\n<serverconf>\n  <wfserver   autoStart=\"true\"  maxProcessMemoryAlertMb=\"2048\"/>\n"))
        #expect(xml.contains("<pipelined monitorServerPort=\"7790\" authType=\"imsOAuth\"/>"))
        #expect(xml.contains("authIMSTAClientId=\"client-1\""))
        #expect(xml.contains("authIMSEndpoint=\"http://127.0.0.1:9\""))
        #expect(xml.contains("IMSOrgId=\"ORG123@AdobeOrg\""))
        let sealed = try #require(xml.range(of: #"authIMSTAClientSecret="@[A-Za-z0-9+/=]+""#, options: .regularExpression))
        #expect(!xml[sealed].isEmpty)
        #expect(try home.read("conf/config-bind.xml.bak") == original)
        // The result is a valid config the rest of the tool reads.
        #expect(try await home.run(["config", "validate"], environment: ["CAMPAIGNCTL_INSTANCE": "bind"]).status == 0)
    }

    @Test func jwtBindingWritesTheSealedKeyAndImsJwtToken() async throws {
        let home = try await home()
        let key = TestRSAKey.pkcs8
        try home.directory.write("key.pem", key.privatePEM)
        let add = try await home.run(["auth", "add", "legacy", "--type", "jwt", "--org-id", "ORG123@AdobeOrg", "--client-id", "client-2",
                                "--client-secret-file", "-", "--technical-account-id", "TA1@techacct.adobe.com",
                                "--private-key-file", home.file("key.pem").path], stdin: "jwt-secret\n")
        #expect(add.status == 0, "\(add)")
        let use = try await home.run(["auth", "use", "legacy"])
        #expect(use.status == 0, "\(use)")
        let xml = try home.read("conf/config-bind.xml")
        #expect(xml.contains("authType=\"imsJwtToken\""))
        #expect(xml.contains("authIMSTAId=\"TA1@techacct.adobe.com\""))
        #expect(xml.contains("authIMSTAPrivateKey=\"@"))
        #expect(!xml.contains("BEGIN PRIVATE KEY"))
        #expect(!use.stdout.contains("PRIVATE KEY") && !use.stderr.contains("PRIVATE KEY"))
    }

    @Test func unknownCredentialChangesNothing() async throws {
        let home = try await home()
        let use = try await home.run(["auth", "use", "nobody"])
        #expect(use.status == 66, "\(use)")
        #expect(try home.read("conf/config-bind.xml") == original)
    }
}
