import CampaignCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Faults the SMSC simulator injects, to rehearse a bad day.
public struct SMSCFaults: Sendable, Equatable {
    /// submit_sm to a destination starting with one of these (digits, the
    /// leading '+' ignored) is refused with ESME_RINVDSTADR (0x0B).
    public var rejectDestinationPrefixes: [String]
    /// Answer the next N submit_sm with ESME_RTHROTTLED (0x58).
    public var throttleNext: Int
    /// Answer the next N submit_sm with ESME_RMSGQFUL (0x14).
    public var queueFullNext: Int
    /// Close the connection instead of answering the next N submit_sm.
    public var dropNext: Int
    /// Answer the next N submit_sm with a generic_nack carrying ESME_RSYSERR (0x08).
    public var nackNext: Int
    /// Never answer enquire_link (a dead link).
    public var ignoreEnquireLink: Bool

    public init(rejectDestinationPrefixes: [String] = [], throttleNext: Int = 0, queueFullNext: Int = 0,
                dropNext: Int = 0, nackNext: Int = 0, ignoreEnquireLink: Bool = false) {
        self.rejectDestinationPrefixes = rejectDestinationPrefixes
        self.throttleNext = throttleNext
        self.queueFullNext = queueFullNext
        self.dropNext = dropNext
        self.nackNext = nackNext
        self.ignoreEnquireLink = ignoreEnquireLink
    }
}

/// A decoded submit_sm as the simulator received it.
public struct SMSCSubmitRecord: Sendable, Equatable, Codable {
    public var sourceTON: UInt8
    public var sourceNPI: UInt8
    public var sourceAddress: String
    public var destinationTON: UInt8
    public var destinationNPI: UInt8
    public var destinationAddress: String
    public var esmClass: UInt8
    public var registeredDelivery: UInt8
    public var dataCoding: UInt8
    /// The User Data Header with its length octet (`05 00 03 ref total seq`), if any.
    public var udh: [UInt8]?
    /// short_message without the UDH.
    public var shortMessage: [UInt8]
    /// shortMessage decoded (UCS-2 for data_coding 0x08, else GSM-7 unpacked).
    public var text: String
    /// The status the simulator answered.
    public var status: UInt32
    /// The message_id it returned, when accepted.
    public var messageId: String?

    /// Concatenation reference, total and sequence from an `05 00 03` UDH.
    public var concatenation: (reference: UInt8, total: UInt8, sequence: UInt8)? {
        guard let udh, udh.count >= 6, udh[1] == 0x00, udh[2] == 0x03 else { return nil }
        return (udh[3], udh[4], udh[5])
    }
}

/// One PDU the simulator received.
public struct SMSCRecord: Sendable, Equatable, Codable {
    /// Which TCP connection (1, 2, …) it came on.
    public var connection: Int
    public var commandId: UInt32
    public var command: String
    public var status: UInt32
    public var sequence: UInt32
    /// For binds: the system_id, system_type and interface_version (never the password).
    public var systemId: String?
    public var systemType: String?
    public var interfaceVersion: UInt8?
    public var submit: SMSCSubmitRecord?
}

/// A small SMSC that speaks SMPP 3.4 on loopback, for `pipeline emulate`
/// and tests: checks bind credentials, answers submit_sm with message ids,
/// answers and sends enquire_link, answers unbind, records every PDU it
/// receives, and injects `SMSCFaults`. A thread per connection.
public final class SMSCSimulator: @unchecked Sendable {
    public let systemId: String
    let password: String
    public let smscSystemId: String
    private let lock = NSLock()
    private var faults: SMSCFaults
    private var received: [SMSCRecord] = []
    private var listener: Int32 = -1
    private var stopped = false
    private var connections: [Int: Connection] = [:]
    private var connectionCount = 0
    private var messageCount = 0
    public private(set) var port: UInt16 = 0

    final class Connection: @unchecked Sendable {
        let id: Int
        let socket: TCPStream
        var bound = false
        var nextSequence: UInt32 = 1
        init(id: Int, socket: TCPStream) {
            self.id = id
            self.socket = socket
        }
    }

    /// - Parameters:
    ///   - systemId, password: the credentials binds must present.
    ///   - smscSystemId: the system_id the simulator answers binds with.
    public init(systemId: String, password: String, smscSystemId: String = "smsc-simulator", faults: SMSCFaults = SMSCFaults()) {
        self.systemId = systemId
        self.password = password
        self.smscSystemId = smscSystemId
        self.faults = faults
    }

    public func setFaults(_ new: SMSCFaults) { lock.withLock { faults = new } }

    /// Every PDU received so far, in arrival order.
    public var records: [SMSCRecord] { lock.withLock { received } }

    /// The submit_sm received so far (accepted or not).
    public var submits: [SMSCSubmitRecord] { records.compactMap(\.submit) }

    /// Sessions currently bound.
    public var boundSessions: Int { lock.withLock { connections.values.filter(\.bound).count } }

    /// Binds 127.0.0.1:`port` (0 picks a free one, read it back from `port`).
    public func start(port requested: UInt16 = 0) throws {
        let (fd, bound) = try LoopbackSocket.listen(port: requested, backlog: 16, what: "the SMSC simulator")
        port = bound
        lock.withLock { listener = fd }
        let thread = Thread { [self] in acceptLoop(fd) }
        thread.name = "smsc-simulator accept"
        thread.start()
    }

    /// Stops accepting and drops every connection.
    public func stop() {
        let (fd, open) = lock.withLock { () -> (Int32, [Connection]) in
            stopped = true
            defer { listener = -1 }
            return (listener, Array(connections.values))
        }
        // The accept loop closes the listener when shutdown wakes it, so
        // that it never calls accept on a descriptor number reused since.
        if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)) }
        for connection in open { connection.socket.shutdown() }
    }

    deinit { stop() }

    /// Sends enquire_link to every bound session; returns how many. Their
    /// enquire_link_resp show up in `records`.
    @discardableResult
    public func sendEnquireLink() -> Int {
        sendToBoundSessions(commandId: SMPPCommand.enquireLink.rawValue)
    }

    /// Sends a PDU of any command id (with the next SMSC-side sequence
    /// number) to every bound session; returns how many. For rehearsing
    /// what a client does with a PDU it does not expect.
    @discardableResult
    public func sendToBoundSessions(commandId: UInt32, body: [UInt8] = []) -> Int {
        let targets = lock.withLock { () -> [(Connection, UInt32)] in
            connections.values.filter(\.bound).map { connection in
                let sequence = connection.nextSequence
                connection.nextSequence += 1
                return (connection, sequence)
            }
        }
        for (connection, sequence) in targets {
            try? connection.socket.write(SMPPPDU(commandId: commandId, status: SMPPStatus.ok, sequence: sequence, body: body))
        }
        return targets.count
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func acceptLoop(_ fd: Int32) {
        defer { close(fd) }
        while !isStopped {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let connection = lock.withLock { () -> Connection in
                connectionCount += 1
                let connection = Connection(id: connectionCount, socket: TCPStream(fd: client))
                connections[connection.id] = connection
                return connection
            }
            let thread = Thread { [self] in
                serve(connection)
                lock.withLock { _ = connections.removeValue(forKey: connection.id) }
                connection.socket.close()
            }
            thread.name = "smsc-simulator connection \(connection.id)"
            thread.start()
        }
    }

    private func serve(_ connection: Connection) {
        while !isStopped {
            guard connection.socket.waitReadable(timeout: 0.5) else { continue }
            let pdu: SMPPPDU
            do {
                pdu = try connection.socket.readPDU(timeout: 10)
            } catch let bad as SMPPBadLength {
                try? connection.socket.write(SMPPPDU(.genericNack, status: SMPPStatus.invalidCommandLength, sequence: bad.sequence))
                return
            } catch {
                return
            }
            switch answer(pdu, on: connection) {
            case .silent: continue
            case .drop: return
            case .reply(let reply):
                do { try connection.socket.write(reply) } catch { return }
                if pdu.command == .unbind { return }
            }
        }
    }

    private enum Action {
        case silent
        case drop
        case reply(SMPPPDU)
    }

    /// Records `pdu` and decides the answer.
    private func answer(_ pdu: SMPPPDU, on connection: Connection) -> Action {
        lock.withLock { () -> Action in
            var record = SMSCRecord(connection: connection.id, commandId: pdu.commandId, command: pdu.name,
                                    status: pdu.status, sequence: pdu.sequence)
            defer { received.append(record) }
            if pdu.isResponse { return .silent }
            switch pdu.command {
            case .bindTransmitter?, .bindTransceiver?, .bindReceiver?:
                let bind = SMPPBind(body: pdu.body)
                record.systemId = bind.systemId
                record.systemType = bind.systemType
                record.interfaceVersion = bind.interfaceVersion
                let status: UInt32 = if connection.bound {
                    SMPPStatus.alreadyBound
                } else if bind.systemId != systemId {
                    SMPPStatus.invalidSystemId
                } else if bind.password != password {
                    SMPPStatus.invalidPassword
                } else {
                    SMPPStatus.ok
                }
                if status == SMPPStatus.ok { connection.bound = true }
                var body = SMPPWriter()
                body.cString(smscSystemId, max: 16)
                return .reply(SMPPPDU(commandId: pdu.commandId | 0x8000_0000, status: status, sequence: pdu.sequence, body: body.bytes))
            case .submitSM?:
                let submit = SMPPSubmit(body: pdu.body)
                let encoding: SMSEncoding = submit.dataCoding == 0x08 ? .ucs2 : .gsm7
                var status = SMPPStatus.ok
                let destination = submit.destinationAddress.hasPrefix("+") ? String(submit.destinationAddress.dropFirst()) : submit.destinationAddress
                var drop = false
                if connection.bound, faults.nackNext > 0 {
                    faults.nackNext -= 1
                    record.submit = SMSCSubmitRecord(
                        sourceTON: submit.sourceTON, sourceNPI: submit.sourceNPI, sourceAddress: submit.sourceAddress,
                        destinationTON: submit.destinationTON, destinationNPI: submit.destinationNPI,
                        destinationAddress: submit.destinationAddress, esmClass: submit.esmClass,
                        registeredDelivery: submit.registeredDelivery, dataCoding: submit.dataCoding, udh: submit.userDataHeader,
                        shortMessage: submit.userData, text: SMSText.decode(submit.userData, as: encoding),
                        status: SMPPStatus.systemError, messageId: nil)
                    return .reply(SMPPPDU(.genericNack, status: SMPPStatus.systemError, sequence: pdu.sequence))
                }
                if !connection.bound {
                    status = SMPPStatus.incorrectBindStatus
                } else if faults.dropNext > 0 {
                    faults.dropNext -= 1
                    drop = true
                } else if faults.rejectDestinationPrefixes.contains(where: { destination.hasPrefix($0.hasPrefix("+") ? String($0.dropFirst()) : $0) }) {
                    status = SMPPStatus.invalidDestinationAddress
                } else if faults.throttleNext > 0 {
                    faults.throttleNext -= 1
                    status = SMPPStatus.throttled
                } else if faults.queueFullNext > 0 {
                    faults.queueFullNext -= 1
                    status = SMPPStatus.messageQueueFull
                }
                var messageId: String?
                if status == SMPPStatus.ok && !drop {
                    messageCount += 1
                    messageId = String(format: "SIM%08X", messageCount)
                }
                record.submit = SMSCSubmitRecord(
                    sourceTON: submit.sourceTON, sourceNPI: submit.sourceNPI, sourceAddress: submit.sourceAddress,
                    destinationTON: submit.destinationTON, destinationNPI: submit.destinationNPI,
                    destinationAddress: submit.destinationAddress, esmClass: submit.esmClass,
                    registeredDelivery: submit.registeredDelivery, dataCoding: submit.dataCoding, udh: submit.userDataHeader,
                    shortMessage: submit.userData, text: SMSText.decode(submit.userData, as: encoding),
                    status: drop ? SMPPStatus.systemError : status, messageId: messageId)
                if drop { return .drop }
                var body = SMPPWriter()
                if let messageId { body.cString(messageId, max: 65) }
                return .reply(SMPPPDU(.submitSMResp, status: status, sequence: pdu.sequence, body: body.bytes))
            case .enquireLink?:
                return faults.ignoreEnquireLink ? .silent : .reply(SMPPPDU(.enquireLinkResp, sequence: pdu.sequence))
            case .unbind?:
                connection.bound = false
                return .reply(SMPPPDU(.unbindResp, sequence: pdu.sequence))
            default:
                return .reply(SMPPPDU(.genericNack, status: SMPPStatus.invalidCommandId, sequence: pdu.sequence))
            }
        }
    }
}
