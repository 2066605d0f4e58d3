import Foundation
import Pipeline
import Testing
import TestSupport

/// Proofs leave through the instance's real connectors: the SMTP relay of
/// `<mta><relay/>` and the SMPP account.
@Suite struct ProofDeliveryTests {
    func ok(_ result: ProcessResult) async throws -> ProcessResult {
        guard result.status == 0 else { throw TestServerFailure("\(result)") }
        return result
    }

    @Test func anEmailProofReachesTheRelayWithEscapedDataAndNoInjectedHeader() async throws {
        let home = CLIHome()
        try await home.initInstance("proofs")
        let smtp = try await SMTPTestServer.start()
        let config = home.file("conf/config-proofs.xml")
        let xml = try String(contentsOf: config, encoding: .utf8)
        try xml.replacingOccurrences(of: "<pipelined", with: "<mta><relay address=\"127.0.0.1\" port=\"\(smtp.port)\"/></mta>\n  <pipelined")
            .write(to: config, atomically: true, encoding: .utf8)
        _ = try await ok(home.run(["trigger", "create", "cart", "--label", "Cart", "--trigger-id", "*", "--channel", "email",
                             "--targeting", "event", "--field", "email=eVar03", "--field", "name=eVar04", "--email-field", "email"]))
        _ = try await ok(home.run(["trigger", "publish", "cart"]))
        let html = try home.directory.write("t.html", "<p>Hello {{event.name}}</p>")
        let text = try home.directory.write("t.txt", "Hello {{event.name}}")
        _ = try await ok(home.run(["template", "edit", "cart", "--subject", "For {{event.name}}", "--from", "shop@example.com",
                             "--html-file", html, "--text-file", text]))
        let data = try home.directory.write("e.json", #"{"email": "bob@example.com", "name": "<script>alert(1)</script>\r\nBcc: evil@example.com"}"#)
        _ = try await ok(home.run(["testprofile", "add", "bob", "--email", "bob@example.com", "--event-data", data, "--trigger", "cart"]))
        _ = try await ok(home.run(["template", "proof", "cart", "--to", "bob"]))
        _ = try await ok(home.run(["template", "proof", "cart", "--to", "bob"]))

        let mails = try await offPool { try smtp.received() }
        #expect(mails.count == 2)
        let first = try #require(mails.first)
        #expect(first.mailFrom == "shop@example.com")
        #expect(first.rcptTos == ["bob@example.com"])
        let headers = first.data.components(separatedBy: "\r\n\r\n")[0]
        #expect(!headers.lowercased().contains("\r\nbcc:"))
        #expect(headers.contains("Subject: [Proof #1] For"))
        #expect(mails[1].data.contains("Subject: [Proof #2] For"))
        // Decode both parts with Python's email package, as a mail client would.
        let script = """
        import email, sys
        m = email.message_from_string(sys.stdin.read())
        for part in m.walk():
            if part.get_content_maintype() == 'text':
                print(part.get_content_type(), repr(part.get_payload(decode=True).decode('utf-8')))
        """
        let decoded = try await offPool { try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script], stdin: first.data) }
        #expect(decoded.stdout.contains("text/html '<p>Hello &lt;script&gt;alert(1)&lt;/script&gt;"), "\(decoded)")
        #expect(decoded.stdout.contains("text/plain 'Hello <script>alert(1)</script>"), "\(decoded)")
    }

    @Test func aRelayWithStartTLSAndAuthTakesItsSealedPasswordFromTheConfig() async throws {
        let home = CLIHome()
        try await home.initInstance("auth")
        let certificate = try await TestCertificate.make(in: home.directory)
        let smtp = try await SMTPTestServer.start(.init(certificate: certificate, requireStartTLS: true,
                                                        authUser: "campaign", authPassword: "relay-pass-42"))
        let sealed = try await ok(home.run(["config", "seal", "--secret-file", "-"], stdin: "relay-pass-42\n")).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(sealed.hasPrefix("@") && !sealed.contains("relay-pass-42"))
        let config = home.file("conf/config-auth.xml")
        let xml = try String(contentsOf: config, encoding: .utf8)
        try xml.replacingOccurrences(of: "<pipelined", with: """
            <mta><relay address="127.0.0.1" port="\(smtp.port)" security="starttls" user="campaign" password="\(sealed)" caFile="\(certificate.certificatePath)"/></mta>
              <pipelined
            """).write(to: config, atomically: true, encoding: .utf8)
        _ = try await ok(home.run(["trigger", "create", "t", "--label", "T", "--trigger-id", "*", "--channel", "email",
                             "--targeting", "event", "--field", "email=eVar03", "--email-field", "email"]))
        _ = try await ok(home.run(["trigger", "publish", "t"]))
        _ = try await ok(home.run(["template", "edit", "t", "--subject", "Hello", "--from", "shop@example.com", "--text-file", "-"], stdin: "Hi"))
        let data = try home.directory.write("e.json", #"{"email": "carol@example.com"}"#)
        _ = try await ok(home.run(["testprofile", "add", "carol", "--email", "carol@example.com", "--event-data", data, "--trigger", "t"]))
        _ = try await ok(home.run(["template", "proof", "t", "--to", "carol"]))
        let mails = try await offPool { try smtp.received() }
        #expect(mails.count == 1)
        #expect(mails.first?.tls == true)
        #expect(mails.first?.authUser == "campaign")
    }

    @Test func anSMSProofGoesThroughTheInstancesSMPPAccount() async throws {
        let smsc = SMSCSimulator(systemId: "shop", password: "pw123456")
        try smsc.start()
        defer { smsc.stop() }
        let home = CLIHome()
        try await home.initInstance("sms")
        _ = try await ok(home.run(["account", "add", "sms", "smsc", "--smpp", "127.0.0.1:\(smsc.port)", "--system-id", "shop",
                             "--password-file", "-"], stdin: "pw123456\n"))
        _ = try await ok(home.run(["trigger", "create", "remind", "--label", "Reminder", "--trigger-id", "*", "--channel", "sms",
                             "--targeting", "event", "--field", "mobile=eVar05", "--phone-field", "mobile"]))
        _ = try await ok(home.run(["trigger", "publish", "remind"]))
        _ = try await ok(home.run(["template", "edit", "remind", "--sms-text-file", "-", "--from", "SHOP"], stdin: "Your cart misses you, 5 € off"))
        let data = try home.directory.write("e.json", #"{"mobile": "+33612345678"}"#)
        _ = try await ok(home.run(["testprofile", "add", "dan", "--phone", "+33612345678", "--event-data", data, "--trigger", "remind"]))
        _ = try await ok(home.run(["template", "proof", "remind", "--to", "dan"]))
        let submit = try #require(smsc.submits.first)
        #expect(submit.destinationAddress == "33612345678")
        #expect(submit.dataCoding == 0x00)
        #expect(submit.text == "[Proof #1] Your cart misses you, 5 € off")
    }
}
