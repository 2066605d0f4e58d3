import CampaignCore
import Foundation
@testable import Pipeline
import Testing
import TestSupport

/// End to end against a real SMTP server (aiosmtpd) on loopback.
@Suite struct SMTPDeliveryTests {
    func send(_ emails: [OutgoingEmail], relay: SMTPRelay) async throws -> [DeliveryResult] {
        try await timedSend(emails, relay: relay).results
    }

    /// Times the send on the thread that runs it: a wall clock around the
    /// `await` would also count the wait for a busy test pool.
    func timedSend(_ emails: [OutgoingEmail], relay: SMTPRelay) async throws -> (results: [DeliveryResult], seconds: Double) {
        let connector = SMTPConnector(relay: relay)
        return try await offPool {
            let started = Date()
            let results = connector.send(emails)
            return (results, Date().timeIntervalSince(started))
        }
    }

    @Test func plainBatchSharesOneConnectionAndKeepsBodiesIntact() async throws {
        let server = try await SMTPTestServer.start()
        let html = "<p>Hello</p><script>alert('x')</script>"
        let emails = (1...3).map { sampleEmail(to: "user\($0)@example.com", subject: "Order \($0) — expédiée", id: "evt-\($0)@t",
                                                 html: html, text: "Hello \($0)\nSecond line") }
        let results = try await send(emails, relay: SMTPRelay(host: "127.0.0.1", port: server.port))
        #expect(results.count == 3)
        for result in results {
            #expect(result.isSent, "\(result)")
            #expect(result.reason.hasPrefix("250 2.0.0 Ok: queued as"), "\(result)")
        }
        let mails = try await server.waitForMessages(3)
        #expect(mails.map(\.rcptTos) == [["user1@example.com"], ["user2@example.com"], ["user3@example.com"]])
        #expect(mails.allSatisfy { $0.mailFrom == "shop@example.com" && !$0.tls })
        #expect(Set(mails.map(\.peerPort)).count == 1, "one connection for the batch")
        for (index, mail) in mails.enumerated() {
            let parsed = try await parseWithPython(Data(mail.data.utf8))
            #expect(parsed["subject"] as? String == "Order \(index + 1) — expédiée")
            #expect(parsed["message_id"] as? String == "<evt-\(index + 1)@t>")
            let parts = try #require(parsed["parts"] as? [[String: Any]])
            #expect(parts.first?["content"] as? String == "Hello \(index + 1)\nSecond line")
            #expect(parts.last?["content"] as? String == html, "the connector sends HTML exactly as rendered")
        }
    }

    @Test func largeBatchUsesOneConnection() async throws {
        let server = try await SMTPTestServer.start()
        let html = "<html><body>" + String(repeating: "<p>Lorem ipsum dolor sit amet, été 🎉</p>\n", count: 50) + "</body></html>"
        let emails = (1...200).map { sampleEmail(to: "u\($0)@example.com", id: "bulk-\($0)@t", html: html, text: "Text \($0)") }
        let results = try await send(emails, relay: SMTPRelay(host: "127.0.0.1", port: server.port))
        #expect(results.allSatisfy { $0.isSent })
        let mails = try await server.waitForMessages(200)
        #expect(mails.count == 200)
        #expect(Set(mails.map(\.peerPort)).count == 1)
    }

    @Test func startTLSWithAuthentication() async throws {
        let scratch = TemporaryDirectory("smtp-tls")
        let certificate = try await TestCertificate.make(in: scratch)
        let server = try await SMTPTestServer.start(.init(certificate: certificate, requireStartTLS: true, authUser: "mailer", authPassword: "s3cret pass"))
        let relay = SMTPRelay(host: "localhost", port: server.port, security: .starttls, username: "mailer", password: "s3cret pass",
                              heloName: "campaignctl.test", caFile: certificate.certificatePath)
        let results = try await send([sampleEmail(id: "a@t"), sampleEmail(id: "b@t")], relay: relay)
        #expect(results.allSatisfy { $0.isSent }, "\(results)")
        let mails = try await server.waitForMessages(2)
        #expect(mails.count == 2)
        #expect(mails.allSatisfy { $0.tls && $0.authUser == "mailer" })
        #expect(Set(mails.map(\.peerPort)).count == 1)

        // A wrong password fails the whole batch temporarily, without trying each message.
        var wrong = relay
        wrong.password = "nope"
        let refused = try await send([sampleEmail(id: "c@t"), sampleEmail(id: "d@t")], relay: wrong)
        #expect(refused.allSatisfy { $0.isTemporary }, "\(refused)")
        #expect(refused[0].reason.contains("refused authentication as mailer"), "\(refused[0])")
        #expect(refused[0].reason.contains("535"), "\(refused[0])")
        #expect(!refused[0].reason.contains("nope"))
        #expect(refused[1] == refused[0])
        #expect(try server.received().count == 2)
    }

    @Test func implicitTLSWithAuthentication() async throws {
        let scratch = TemporaryDirectory("smtp-tls")
        let certificate = try await TestCertificate.make(in: scratch)
        let server = try await SMTPTestServer.start(.init(certificate: certificate, implicitTLS: true, authUser: "mailer", authPassword: "pw"))
        let relay = SMTPRelay(host: "127.0.0.1", port: server.port, security: .tls, username: "mailer", password: "pw",
                              caFile: certificate.certificatePath)
        let results = try await send([sampleEmail()], relay: relay)
        #expect(results.allSatisfy { $0.isSent }, "\(results)")
        let mails = try await server.waitForMessages(1)
        #expect(mails.first?.tls == true)
        #expect(mails.first?.authUser == "mailer")
    }

    @Test func untrustedCertificateIsATemporaryTLSFailure() async throws {
        let scratch = TemporaryDirectory("smtp-tls")
        let certificate = try await TestCertificate.make(in: scratch)
        let server = try await SMTPTestServer.start(.init(certificate: certificate, requireStartTLS: true))
        let results = try await send([sampleEmail()], relay: SMTPRelay(host: "127.0.0.1", port: server.port, security: .starttls))
        #expect(results.count == 1)
        #expect(results[0].isTemporary)
        #expect(results[0].reason.contains("TLS with relay 127.0.0.1:\(server.port) failed"), "\(results[0])")
        #expect(try server.received().isEmpty)
    }

    @Test func startTLSRequiredButNotOffered() async throws {
        let server = try await SMTPTestServer.start()
        let results = try await send([sampleEmail()], relay: SMTPRelay(host: "127.0.0.1", port: server.port, security: .starttls))
        #expect(results[0].isTemporary)
        #expect(results[0].reason.contains("STARTTLS"), "\(results[0])")
        #expect(try server.received().isEmpty)
    }

    @Test func recipientRejectionsDoNotPoisonTheBatch() async throws {
        let server = try await SMTPTestServer.start()
        let emails = [
            sampleEmail(to: "first@example.com", id: "1@t"),
            sampleEmail(to: "temp-busy@example.com", id: "2@t"),
            sampleEmail(to: "reject-gone@example.com", id: "3@t"),
            sampleEmail(to: "Bad\r\nBcc: evil@x <x@example.com>", id: "4@t"),
            sampleEmail(to: "last@example.com", id: "5@t"),
        ]
        let results = try await send(emails, relay: SMTPRelay(host: "127.0.0.1", port: server.port))
        #expect(results.count == 5)
        #expect(results[0].isSent)
        #expect(results[1].isTemporary)
        #expect(results[1].reason == "relay 127.0.0.1:\(server.port) answered \"450 4.2.1 Mailbox temporarily unavailable: temp-busy@example.com\" to RCPT TO:<temp-busy@example.com>")
        #expect(results[2].isPermanent)
        #expect(results[2].reason == "relay 127.0.0.1:\(server.port) answered \"550 5.1.1 No such user: reject-gone@example.com\" to RCPT TO:<reject-gone@example.com>")
        #expect(results[3].isPermanent)
        #expect(results[3].reason.contains("line break"))
        #expect(results[4].isSent, "\(results[4])")
        let mails = try await server.waitForMessages(2)
        #expect(mails.map(\.rcptTos) == [["first@example.com"], ["last@example.com"]])
    }

    /// The same mix of answers one command at a time, for a relay that does
    /// not offer PIPELINING; and the plain path does pipeline when offered.
    @Test(arguments: [true, false]) func plainRelayWithAndWithoutPipelining(offered: Bool) async throws {
        let server = try await SMTPTestServer.start(.init(pipelining: offered))
        let relay = SMTPRelay(host: "127.0.0.1", port: server.port)
        let pipelining = try await offPool {
            let session = try PlainSMTPSession.open(relay: relay)
            defer { session.close() }
            return session.pipelining
        }
        #expect(pipelining == offered)

        let emails = [
            sampleEmail(to: "first@example.com", id: "1@t"),
            sampleEmail(to: "reject-gone@example.com", id: "2@t"),
            sampleEmail(to: "rejectdata-x@example.com", id: "3@t"),
            sampleEmail(to: "temp-busy@example.com", id: "4@t"),
            sampleEmail(to: "last@example.com", id: "5@t"),
        ]
        let results = try await send(emails, relay: relay)
        let name = "127.0.0.1:\(server.port)"
        #expect(results[0].isSent, "\(results[0])")
        #expect(results[1] == .permanentFailure(reason: "relay \(name) answered \"550 5.1.1 No such user: reject-gone@example.com\" to RCPT TO:<reject-gone@example.com>"))
        #expect(results[2] == .permanentFailure(reason: "relay \(name) answered \"554 5.6.0 Message content rejected\" to the message"))
        #expect(results[3] == .temporaryFailure(reason: "relay \(name) answered \"450 4.2.1 Mailbox temporarily unavailable: temp-busy@example.com\" to RCPT TO:<temp-busy@example.com>"))
        #expect(results[4].isSent, "\(results[4])")
        let mails = try await server.waitForMessages(2)
        #expect(mails.map(\.rcptTos) == [["first@example.com"], ["last@example.com"]])
        #expect(Set(mails.map(\.peerPort)).count == 1, "one connection for the batch")
    }

    @Test func connectionDroppedMidBatchFailsThatMessageAndReconnects() async throws {
        let server = try await SMTPTestServer.start()
        let emails = [sampleEmail(to: "a@example.com", id: "1@t"), sampleEmail(to: "drop-b@example.com", id: "2@t"),
                      sampleEmail(to: "c@example.com", id: "3@t")]
        let connector = SMTPConnector(relay: SMTPRelay(host: "127.0.0.1", port: server.port))
        let results = try await offPool {
            var seen: [Int] = []
            let results = connector.send(emails, accepted: { seen.append($0) })
            return (results, seen)
        }
        #expect(results.0[0].isSent)
        #expect(results.0[1].isTemporary)
        #expect(results.0[1].reason.hasPrefix("relay 127.0.0.1:\(server.port) failed during RCPT TO:<drop-b@example.com>:"), "\(results.0[1])")
        #expect(results.0[2].isSent, "\(results.0[2])")
        #expect(results.1 == [0, 2], "acceptances reported as they come")
        let mails = try await server.waitForMessages(2)
        #expect(mails.map(\.rcptTos) == [["a@example.com"], ["c@example.com"]])
        #expect(Set(mails.map(\.peerPort)).count == 2, "a new connection after the drop")
    }

    /// The daemon's connector keeps its plain-relay connection between
    /// batches instead of a connect, EHLO and QUIT for each.
    @Test func keptConnectionCarriesTheNextBatch() async throws {
        let server = try await SMTPTestServer.start()
        let connector = SMTPConnector(relay: SMTPRelay(host: "127.0.0.1", port: server.port), keepingConnections: true)
        let first = try await offPool { connector.send([sampleEmail(to: "a@example.com", id: "1@t"), sampleEmail(to: "b@example.com", id: "2@t")]) }
        #expect(connector.pool?.idleCount == 1, "the connection is kept once the batch is done")
        let second = try await offPool { connector.send([sampleEmail(to: "c@example.com", id: "3@t")]) }
        #expect((first + second).allSatisfy { $0.isSent }, "\(first + second)")
        let mails = try await server.waitForMessages(3)
        #expect(mails.map(\.rcptTos) == [["a@example.com"], ["b@example.com"], ["c@example.com"]])
        #expect(Set(mails.map(\.peerPort)).count == 1, "both batches on one connection")
        // The daemon stops: QUIT, and the next send has a connection of its own.
        try await offPool { connector.disconnect() }
        #expect(connector.pool?.idleCount == 0)
        let third = try await offPool { connector.send([sampleEmail(to: "e@example.com", id: "6@t")]) }
        #expect(third.allSatisfy { $0.isSent })
        let after = try await server.waitForMessages(4)
        #expect(after.count == 4 && after[3].peerPort != mails[0].peerPort)

        // Without keeping (a proof), each call has a connection of its own.
        let single = SMTPConnector(relay: SMTPRelay(host: "127.0.0.1", port: server.port))
        for id in 4...5 { _ = try await offPool { single.send([sampleEmail(to: "d\(id)@example.com", id: "\(id)@t")]) } }
        #expect(single.pool == nil)
        let all = try await server.waitForMessages(6)
        #expect(Set(all.suffix(2).map(\.peerPort)).count == 2)
    }

    /// A connection the relay closed (here after two messages, as Exim's
    /// smtp_accept_max_per_connection does, with a 421 to the next MAIL)
    /// costs no message: one whose data had not gone out is sent on a new
    /// connection, within the batch and on a kept connection alike.
    @Test(arguments: [true, false]) func connectionClosedBeforeTheDataIsReplacedForThatMessage(pipelining: Bool) async throws {
        let server = try await SMTPTestServer.start(.init(pipelining: pipelining, maxMessagesPerConnection: 2))
        let connector = SMTPConnector(relay: SMTPRelay(host: "127.0.0.1", port: server.port), keepingConnections: true)
        let first = try await offPool { connector.send((1...3).map { sampleEmail(to: "u\($0)@example.com", id: "\($0)@t") }) }
        #expect(first.allSatisfy { $0.isSent }, "\(first)\n\(server.serverLog)")
        // The kept connection has carried one message; the next batch's second MAIL meets the limit.
        let second = try await offPool { connector.send((4...5).map { sampleEmail(to: "u\($0)@example.com", id: "\($0)@t") }) }
        #expect(second.allSatisfy { $0.isSent }, "\(second)\n\(server.serverLog)")
        let mails = try await server.waitForMessages(5)
        try #require(mails.count == 5, "\(mails.map(\.rcptTos))")
        #expect(mails.map(\.rcptTos) == (1...5).map { ["u\($0)@example.com"] }, "each message once, in order")
        let ports = mails.map(\.peerPort)
        #expect(ports[0] == ports[1] && ports[2] == ports[3] && ports[4] != ports[3] && Set(ports).count == 3,
                "two messages per connection: \(ports)")
    }

    @Test func dataIsDotStuffedAndEnded() {
        func data(_ text: String) -> String {
            var out: [UInt8] = []
            PlainSMTPSession.appendData(Data(text.utf8), to: &out)
            return String(decoding: out, as: UTF8.self)
        }
        #expect(data("a\r\n.b\r\n..c\r\n") == "a\r\n..b\r\n...c\r\n.\r\n")
        #expect(data(".first\r\nx.y\r\n") == "..first\r\nx.y\r\n.\r\n")
        #expect(data("no end") == "no end\r\n.\r\n")
        #expect(data("") == "\r\n.\r\n")
    }

    @Test func answersToTheMessageItselfAreMappedToo() async throws {
        let server = try await SMTPTestServer.start()
        let results = try await send([sampleEmail(to: "tempdata-a@example.com", id: "1@t"), sampleEmail(to: "rejectdata-b@example.com", id: "2@t"),
                                      sampleEmail(to: "c@example.com", id: "3@t")],
                                     relay: SMTPRelay(host: "127.0.0.1", port: server.port))
        #expect(results[0] == .temporaryFailure(reason: "relay 127.0.0.1:\(server.port) answered \"451 4.3.0 Try the message again later\" to the message"))
        #expect(results[1] == .permanentFailure(reason: "relay 127.0.0.1:\(server.port) answered \"554 5.6.0 Message content rejected\" to the message"))
        #expect(results[2].isSent, "\(results[2])")
        #expect(try await server.waitForMessages(1).map(\.rcptTos) == [["c@example.com"]])
    }

    @Test func silentRelayTimesOutTemporarily() async throws {
        // A listener that never accepts: the TCP handshake completes, no greeting ever comes.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let (results, seconds) = try await timedSend([sampleEmail(id: "1@t"), sampleEmail(id: "2@t")],
                                                     relay: SMTPRelay(host: "127.0.0.1", port: port, connectTimeout: 1, timeout: 2))
        #expect(seconds < 6, "one timeout for the batch, not one per message")
        #expect(results.allSatisfy { $0.isTemporary }, "\(results)")
        #expect(results[0].reason == "relay 127.0.0.1:\(port) timed out before the transaction: no answer within 1 s", "\(results[0])")
    }

    @Test func connectionRefusedFailsTheBatchTemporarily() async throws {
        let port = closedPort()
        let (results, seconds) = try await timedSend([sampleEmail(id: "1@t"), sampleEmail(to: "bad address", id: "2@t"), sampleEmail(id: "3@t")],
                                                     relay: SMTPRelay(host: "127.0.0.1", port: port, connectTimeout: 5))
        #expect(seconds < 5, "a refused connection fails the batch at once, not after a timeout per message")
        #expect(results.count == 3)
        #expect(results[0].isTemporary)
        #expect(results[0].reason.hasPrefix("cannot connect to relay 127.0.0.1:\(port):"), "\(results[0])")
        #expect(results[1].isPermanent, "bad addresses are reported as such, not as connection failures")
        #expect(results[2] == results[0])
    }

    @Test func invalidEmailsFailPermanentlyWithoutNetwork() async throws {
        // Nothing listens there: a connection attempt would give a temporary failure.
        let results = try await send([sampleEmail(to: "a@b\nBcc: c@d"), sampleEmail(html: nil, text: nil)],
                                     relay: SMTPRelay(host: "127.0.0.1", port: closedPort()))
        #expect(results.allSatisfy { $0.isPermanent }, "\(results)")
    }
}

@Suite struct SMTPRelayConfigurationTests {
    let opener: (String) throws -> String = { stored in
        guard stored.hasPrefix("@") else { throw CampaignError.configuration("not sealed") }
        return String(stored.dropFirst())
    }

    @Test func readsRelayAttributes() throws {
        let relay = try EmailRelay(attributes: ["address": "smtp.example.com", "security": "starttls", "user": "u",
                                                "password": "@pw", "helo": "mail.example.com", "timeout": "30"],
                                   passwordOpener: opener)
        #expect(relay == .smtp(SMTPRelay(host: "smtp.example.com", port: 587, security: .starttls, username: "u", password: "pw",
                                         heloName: "mail.example.com", timeout: 30)))
        if case .smtp(let smtp) = relay {
            #expect(smtp.url == "smtp://smtp.example.com:587/mail.example.com")
            #expect(!smtp.description.contains("pw"))
            #expect(!String(reflecting: smtp).contains("\"pw\""))
        }
        #expect(try EmailRelay(attributes: ["address": "file:", "port": "25", "security": "none"], passwordOpener: opener) == .file(directory: nil))
        #expect(try EmailRelay(attributes: ["address": "file:/tmp/out"], passwordOpener: opener) == .file(directory: "/tmp/out"))
        let tls = try SMTPRelay(attributes: ["address": "::1", "security": "tls"], passwordOpener: opener)
        #expect(tls.url == "smtps://[::1]:465/")
    }

    @Test func makesTheMatchingConnector() throws {
        let layout = InstanceLayout(home: URL(fileURLWithPath: "/srv/campaign"), name: "prod")
        let outbox = try #require(EmailRelay.file(directory: nil).makeConnector(layout: layout) as? FileEmailOutbox)
        #expect(outbox.directory.path == layout.outboxDirectory.appendingPathComponent("email").path)
        let absolute = try #require(EmailRelay.file(directory: "/data/mail").makeConnector(layout: layout) as? FileEmailOutbox)
        #expect(absolute.directory.path == "/data/mail")
        let relative = try #require(EmailRelay.file(directory: "sent").makeConnector(layout: layout) as? FileEmailOutbox)
        #expect(relative.directory.path == layout.varDirectory.appendingPathComponent("sent").path)
        let smtp = try #require(EmailRelay.smtp(SMTPRelay(host: "mx")).makeConnector(layout: layout) as? SMTPConnector)
        #expect(smtp.relay.port == 25)
    }

    @Test func reportsBadValuesClearly() {
        let cases: [([String: String], String)] = [
            ([:], "<mta><relay address=…>: missing"),
            (["address": "smtp://host"], "<mta><relay address=…>: \"smtp://host\" is not a host name or IP address"),
            (["address": "smtp.example.com:25"], "<mta><relay address=…>: \"smtp.example.com:25\" is not a host name or IP address"),
            (["address": "h", "port": "0"], "<mta><relay port=…>: \"0\" is not a port number (1-65535)"),
            (["address": "h", "port": "x25"], "<mta><relay port=…>: \"x25\" is not a port number (1-65535)"),
            (["address": "h", "security": "ssl"], "<mta><relay security=…>: \"ssl\" is not one of none, starttls, tls"),
            (["address": "h", "user": "u"], "<mta><relay password=…>: missing while user is set"),
            (["address": "h", "user": "u", "password": "plain", "security": "tls"], "<mta><relay password=…>: cannot be opened"),
            (["address": "smtp.example.com", "user": "u", "password": "@p"], "<mta><relay security=…>: \"none\" would send the password in clear to smtp.example.com"),
            (["address": "h", "timeout": "-1"], "<mta><relay timeout=…>: \"-1\" is not a number of seconds (1-3600)"),
            (["address": "h", "caFile": "/nonexistent.pem"], "<mta><relay caFile=…>: /nonexistent.pem cannot be read"),
            (["address": "h", "prot": "25"], "<mta><relay prot=…>: unknown attribute"),
        ]
        for (attributes, message) in cases {
            do {
                _ = try SMTPRelay(attributes: attributes, passwordOpener: opener)
                Issue.record("accepted \(attributes)")
            } catch {
                #expect(error.status == .configuration)
                #expect(error.message.hasPrefix(message), "\(error.message)")
                #expect(error.hint != nil)
            }
        }
        // Loopback relays may authenticate without TLS (a local MTA).
        #expect(throws: Never.self) { try SMTPRelay(attributes: ["address": "127.0.0.1", "user": "u", "password": "@p"], passwordOpener: opener) }
    }
}

@Suite struct FileEmailOutboxTests {
    @Test func writesParseableEmlFilesIdempotently() async throws {
        let folder = TemporaryDirectory("outbox")
        let outbox = FileEmailOutbox(directory: folder.url.appendingPathComponent("var/test/outbox/email"))
        let emails = [sampleEmail(id: "evt-1@t", html: "<p>é <script>x</script></p>"), sampleEmail(to: "bad\r\nBcc: x@y", id: "evt-2@t")]
        let results = outbox.send(emails)
        let target = outbox.fileURL(messageId: "evt-1@t")
        #expect(results[0] == .sent(detail: target.path))
        #expect(results[1].isPermanent)
        let first = try Data(contentsOf: target)
        #expect(first == (try MIMEMessage(emails[0], boundary: MIMEMessage.stableBoundary(for: emails[0])).bytes))
        let parsed = try await parseWithPython(first)
        #expect(parsed["message_id"] as? String == "<evt-1@t>")
        #expect((parsed["parts"] as? [[String: Any]])?.last?["content"] as? String == "<p>é <script>x</script></p>")

        // Writing the same message again leaves one identical file and no temporaries.
        #expect(outbox.send([emails[0]]) == [.sent(detail: target.path)])
        #expect(try Data(contentsOf: target) == first)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outbox.directory.path) == ["evt-1@t.eml"])
    }

    @Test func unwritableFolderIsATemporaryFailure() throws {
        let folder = TemporaryDirectory("outbox")
        try folder.write("blocked", "a file where the folder should be")
        let outbox = FileEmailOutbox(directory: folder.file("blocked").appendingPathComponent("email"))
        let results = outbox.send([sampleEmail()])
        #expect(results.count == 1 && results[0].isTemporary, "\(results)")
        #expect(results[0].reason.contains("cannot create the email outbox"))
    }
}
