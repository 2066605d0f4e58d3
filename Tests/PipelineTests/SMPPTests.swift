import CampaignCore
import Foundation
import Logging
@testable import Pipeline
import Testing
import TestSupport

/// Runs blocking SMPP calls on a thread of their own, so that they never
/// hold one of the cooperative pool's threads.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

@Suite struct SMPPTests {
    let options = SMPPOptions(connectTimeout: 5, responseTimeout: 5, enquireLinkInterval: 30)

    func simulator(_ faults: SMSCFaults = SMSCFaults()) throws -> SMSCSimulator {
        let simulator = SMSCSimulator(systemId: "acme", password: "s3cret", faults: faults)
        try simulator.start()
        return simulator
    }

    func account(_ simulator: SMSCSimulator, password: String = "s3cret", systemId: String = "acme") -> SMPPAccount {
        SMPPAccount(host: "127.0.0.1", port: Int(simulator.port), systemId: systemId, password: password,
                    systemType: "cmt", sourceAddress: "ACME")
    }

    func submits(_ simulator: SMSCSimulator) -> [SMSCSubmitRecord] { simulator.submits }

    @Test func bindsAndSubmitsGSM7ThenUnbindsOnClose() async throws {
        let smsc = try simulator()
        defer { smsc.stop() }
        let connector = SMPPConnector(account: account(smsc), options: options)
        let results = try await offPool {
            connector.send([OutgoingSMS(to: "+33612345678", text: "Hello €", messageId: "m1")])
        }
        #expect(results == [.sent(detail: "SIM00000001")])

        let bind = try #require(smsc.records.first)
        #expect(bind.command == "bind_transmitter")
        #expect(bind.systemId == "acme")
        #expect(bind.systemType == "cmt")
        #expect(bind.interfaceVersion == 0x34)
        let submit = try #require(smsc.submits.first)
        #expect(submit.dataCoding == 0x00)
        #expect(submit.esmClass == 0x00)
        #expect(submit.udh == nil)
        #expect(submit.shortMessage == Array("Hello ".utf8) + [0x1B, 0x65])
        #expect(submit.text == "Hello €")
        #expect(submit.destinationAddress == "33612345678")
        #expect((submit.destinationTON, submit.destinationNPI) == (1, 1))
        #expect(submit.sourceAddress == "ACME")
        #expect((submit.sourceTON, submit.sourceNPI) == (5, 0))
        #expect(submit.registeredDelivery == 0)
        #expect(smsc.boundSessions == 1)

        try await offPool { connector.disconnect() }
        #expect(try await eventually(timeout: .seconds(10)) { smsc.records.contains { $0.command == "unbind" } && smsc.boundSessions == 0 })
        #expect(connector.currentSession == nil)
    }

    @Test func submitsUCS2BigEndianWithDataCoding8() async throws {
        let smsc = try simulator()
        defer { smsc.stop() }
        let connector = SMPPConnector(account: account(smsc), options: options)
        defer { connector.disconnect() }
        let text = "Привет 👋"
        let results = try await offPool {
            connector.send([OutgoingSMS(to: "0612345678", text: text, from: "+33700000000", messageId: "m2")])
        }
        #expect(results.first?.isSent == true)
        let submit = try #require(smsc.submits.first)
        #expect(submit.dataCoding == 0x08)
        #expect(submit.shortMessage == text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
        #expect(submit.text == text)
        #expect((submit.destinationTON, submit.destinationNPI) == (0, 1))
        #expect(submit.sourceAddress == "33700000000")
        #expect((submit.sourceTON, submit.sourceNPI) == (1, 1))
    }

    @Test func longMessagesGoAsConcatenatedPartsWithOneReference() async throws {
        let smsc = try simulator()
        defer { smsc.stop() }
        let connector = SMPPConnector(account: account(smsc), options: options)
        defer { connector.disconnect() }
        let gsm = String(repeating: "0123456789", count: 40) + " {fin}"
        let ucs = String(repeating: "ж", count: 100) + "😀"
        let results = try await offPool {
            connector.send([OutgoingSMS(to: "+447700900001", text: gsm, messageId: "long-1"),
                            OutgoingSMS(to: "+447700900002", text: ucs, messageId: "long-2")])
        }
        #expect(results.count == 2)
        #expect(results.allSatisfy { $0.isSent })
        if case .sent(let detail) = results[0] { #expect(detail.split(separator: ",").count == 3) }

        for (destination, text, parts, coding) in [("447700900001", gsm, 3, UInt8(0)), ("447700900002", ucs, 2, UInt8(8))] {
            let received = smsc.submits.filter { $0.destinationAddress == destination }
            #expect(received.count == parts)
            let headers = received.compactMap(\.concatenation)
            #expect(headers.count == parts)
            #expect(Set(headers.map(\.reference)).count == 1)
            #expect(headers.map(\.total) == Array(repeating: UInt8(parts), count: parts))
            #expect(headers.map(\.sequence) == (1...parts).map { UInt8($0) })
            #expect(received.allSatisfy { $0.esmClass == 0x40 && $0.dataCoding == coding && $0.udh?.prefix(3) == [0x05, 0x00, 0x03] })
            #expect(received.map(\.text).joined() == text)
        }
        let references = smsc.submits.compactMap(\.concatenation?.reference)
        #expect(references.first != references.last)
    }

    @Test func enquireLinkWorksInBothDirections() async throws {
        let smsc = try simulator()
        defer { smsc.stop() }
        let account = account(smsc)
        let quick = SMPPOptions(connectTimeout: 5, responseTimeout: 5, enquireLinkInterval: 0.2)
        let session = try await offPool { try SMPPSession.open(account, options: quick) }
        #expect(session.smscSystemId == "smsc-simulator")
        // Idle: the client keeps the link alive and gets answers.
        #expect(try await eventually(timeout: .seconds(10)) {
            smsc.records.contains { $0.command == "enquire_link" } && session.snapshot.enquireLinkResponses >= 1
        })
        // The SMSC asks: the client answers with the same sequence number.
        #expect(smsc.sendEnquireLink() == 1)
        #expect(try await eventually(timeout: .seconds(10)) {
            session.snapshot.enquireLinksAnswered >= 1 && smsc.records.contains { $0.command == "enquire_link_resp" }
        })
        let response = try #require(smsc.records.first { $0.command == "enquire_link_resp" })
        #expect(response.status == 0)
        #expect(session.isOpen)
        try await offPool { session.unbind() }
        #expect(!session.isOpen)
        #expect(try await eventually(timeout: .seconds(10)) { smsc.records.contains { $0.command == "unbind" } })
    }

    @Test func unansweredEnquireLinkClosesTheSession() async throws {
        let smsc = try simulator(SMSCFaults(ignoreEnquireLink: true))
        defer { smsc.stop() }
        let account = account(smsc)
        let quick = SMPPOptions(connectTimeout: 5, responseTimeout: 0.5, enquireLinkInterval: 0.2)
        let session = try await offPool { try SMPPSession.open(account, options: quick) }
        #expect(try await eventually(timeout: .seconds(10)) { !session.isOpen })
        #expect(session.closeReason?.contains("enquire_link_resp") == true)
    }

    @Test func unknownCommandFromTheSMSCGetsAGenericNack() async throws {
        let smsc = try simulator()
        defer { smsc.stop() }
        let account = account(smsc)
        let session = try await offPool { try SMPPSession.open(account, options: self.options) }
        defer { session.close(reason: "test over") }
        #expect(smsc.sendToBoundSessions(commandId: 0x0000_0103) == 1)
        #expect(try await eventually(timeout: .seconds(10)) { smsc.records.contains { $0.command == "generic_nack" } })
        let nack = try #require(smsc.records.first { $0.command == "generic_nack" })
        #expect(nack.status == SMPPStatus.invalidCommandId)
        #expect(nack.sequence == 1)
        #expect(session.snapshot.genericNacksSent == 1)
        #expect(session.isOpen)
    }

    @Test func badPasswordOrSystemIdIsAClearBindError() async throws {
        let smsc = try simulator()
        defer { smsc.stop() }
        let wrongPassword = account(smsc, password: "nope")
        let wrongSystem = account(smsc, systemId: "other")
        let options = self.options
        let error = await #expect(throws: SMPPError.self) { try await offPool { try SMPPSession.open(wrongPassword, options: options) } }
        #expect(error == .bindRefused(status: SMPPStatus.invalidPassword))
        #expect(error?.description == "the SMSC refused the bind: invalid password ESME_RINVPASWD (0x0E)")
        let other = await #expect(throws: SMPPError.self) { try await offPool { try SMPPSession.open(wrongSystem, options: options) } }
        #expect(other == .bindRefused(status: SMPPStatus.invalidSystemId))

        let connector = SMPPConnector(account: wrongPassword, options: options)
        let results = try await offPool { connector.send([OutgoingSMS(to: "+33612345678", text: "hi", messageId: "x")]) }
        guard case .temporaryFailure(let reason) = results.first else { Issue.record("\(results)"); return }
        #expect(reason.contains("invalid password"))
        #expect(smsc.submits.isEmpty)
    }

    @Test func rejectedDestinationIsPermanentAndTheBatchGoesOn() async throws {
        let smsc = try simulator(SMSCFaults(rejectDestinationPrefixes: ["+999"]))
        defer { smsc.stop() }
        let connector = SMPPConnector(account: account(smsc), options: options)
        defer { connector.disconnect() }
        let results = try await offPool {
            connector.send([OutgoingSMS(to: "+999123456", text: "a", messageId: "1"),
                            OutgoingSMS(to: "+33612345678", text: "b", messageId: "2"),
                            OutgoingSMS(to: "not-a-number", text: "c", messageId: "3")])
        }
        guard case .permanentFailure(let reason) = results[0] else { Issue.record("\(results)"); return }
        #expect(reason.contains("ESME_RINVDSTADR (0x0B)"))
        #expect(results[1].isSent)
        guard case .permanentFailure(let bad) = results[2] else { Issue.record("\(results)"); return }
        #expect(bad.contains("invalid destination number"))
        #expect(smsc.submits.count == 2)
    }

    @Test func throttlingIsTemporaryAndHoldsTheRestOfTheBatch() async throws {
        let smsc = try simulator(SMSCFaults(throttleNext: 1))
        defer { smsc.stop() }
        let connector = SMPPConnector(account: account(smsc), options: options)
        defer { connector.disconnect() }
        let batch = [OutgoingSMS(to: "+33612345678", text: "a", messageId: "1"),
                     OutgoingSMS(to: "+33612345679", text: "b", messageId: "2")]
        let first = try await offPool { connector.send(batch) }
        guard case .temporaryFailure(let reason) = first[0], case .temporaryFailure(let rest) = first[1] else {
            Issue.record("\(first)"); return
        }
        #expect(reason.contains("ESME_RTHROTTLED (0x58)"))
        #expect(rest.hasPrefix("not attempted"))
        #expect(smsc.submits.count == 1)
        let retry = try await offPool { connector.send(batch) }
        #expect(retry.allSatisfy { $0.isSent })

        smsc.setFaults(SMSCFaults(queueFullNext: 1))
        let full = try await offPool { connector.send([batch[0]]) }
        guard case .temporaryFailure(let queue) = full.first else { Issue.record("\(full)"); return }
        #expect(queue.contains("ESME_RMSGQFUL (0x14)"))
    }

    @Test func genericNackToASubmitFailsThatMessageByItsStatus() async throws {
        let smsc = try simulator(SMSCFaults(nackNext: 1))
        defer { smsc.stop() }
        let connector = SMPPConnector(account: account(smsc), options: options)
        defer { connector.disconnect() }
        let message = OutgoingSMS(to: "+33612345678", text: "a", messageId: "1")
        let first = try await offPool { connector.send([message]) }
        guard case .temporaryFailure(let reason) = first.first else { Issue.record("\(first)"); return }
        #expect(reason.contains("generic_nack to submit_sm with ESME_RSYSERR (0x08)"))
        #expect(connector.currentSession?.snapshot.genericNacksReceived == 1)
        let second = try await offPool { connector.send([message]) }
        #expect(second.first?.isSent == true)
    }

    @Test func lostConnectionIsTemporaryAndTheNextSendRebinds() async throws {
        let smsc = try simulator(SMSCFaults(dropNext: 1))
        defer { smsc.stop() }
        let connector = SMPPConnector(account: account(smsc), options: options)
        defer { connector.disconnect() }
        let message = OutgoingSMS(to: "+33612345678", text: "a", messageId: "1")
        let first = try await offPool { connector.send([message]) }
        guard case .temporaryFailure(let reason) = first.first else { Issue.record("\(first)"); return }
        #expect(reason.contains("connection"))
        let second = try await offPool { connector.send([message]) }
        #expect(second.first?.isSent == true)
        #expect(smsc.records.filter { $0.command == "bind_transmitter" }.count == 2)
    }

    @Test func unreachableSMSCIsATemporaryFailure() async throws {
        let smsc = try simulator()
        let port = smsc.port
        smsc.stop()
        let account = SMPPAccount(host: "127.0.0.1", port: Int(port), systemId: "acme", password: "s3cret")
        let connector = SMPPConnector(account: account, options: options)
        let results = try await offPool { connector.send([OutgoingSMS(to: "+33612345678", text: "a", messageId: "1")]) }
        guard case .temporaryFailure(let reason) = results.first else { Issue.record("\(results)"); return }
        #expect(reason.contains("cannot connect to 127.0.0.1:\(port)"))
    }

    @Test func fileOutboxWritesOneJSONFilePerSMS() throws {
        let directory = TemporaryDirectory("sms-outbox")
        let outbox = FileSMSOutbox(directory: directory.url.appendingPathComponent("outbox/sms"))
        let results = outbox.send([
            OutgoingSMS(to: "+33612345678", text: "Hello {name}", from: "ACME", messageId: "evt-1"),
            OutgoingSMS(to: "+33612345678", text: String(repeating: "ж", count: 71), messageId: "evt/2"),
            OutgoingSMS(to: "", text: "x", messageId: "evt-3"),
        ])
        #expect(results[0] == .sent(detail: outbox.file(for: "evt-1").path))
        #expect(results[1].isSent)
        if case .permanentFailure = results[2] {} else { Issue.record("\(results[2])") }
        let first = try JSONSerialization.jsonObject(with: Data(contentsOf: outbox.file(for: "evt-1"))) as? [String: Any]
        #expect(first?["to"] as? String == "+33612345678")
        #expect(first?["from"] as? String == "ACME")
        #expect(first?["text"] as? String == "Hello {name}")
        #expect(first?["encoding"] as? String == "gsm7")
        #expect(first?["segments"] as? Int == 1)
        let second = try JSONSerialization.jsonObject(with: Data(contentsOf: outbox.file(for: "evt/2"))) as? [String: Any]
        #expect(outbox.file(for: "evt/2").lastPathComponent == "evt_2.json")
        #expect(second?["encoding"] as? String == "ucs2")
        #expect(second?["segments"] as? Int == 2)
        let files = try FileManager.default.contentsOfDirectory(atPath: outbox.directory.path)
        #expect(files.sorted() == ["evt-1.json", "evt_2.json"])
    }
}
