import Foundation

/// SMPP 3.4 command ids (§5.1.2.1).
public enum SMPPCommand: UInt32, Sendable, Codable, CaseIterable {
    case genericNack = 0x8000_0000
    case bindReceiver = 0x0000_0001
    case bindReceiverResp = 0x8000_0001
    case bindTransmitter = 0x0000_0002
    case bindTransmitterResp = 0x8000_0002
    case querySM = 0x0000_0003
    case querySMResp = 0x8000_0003
    case submitSM = 0x0000_0004
    case submitSMResp = 0x8000_0004
    case deliverSM = 0x0000_0005
    case deliverSMResp = 0x8000_0005
    case unbind = 0x0000_0006
    case unbindResp = 0x8000_0006
    case bindTransceiver = 0x0000_0009
    case bindTransceiverResp = 0x8000_0009
    case enquireLink = 0x0000_0015
    case enquireLinkResp = 0x8000_0015

    public var name: String {
        switch self {
        case .genericNack: "generic_nack"
        case .bindReceiver: "bind_receiver"
        case .bindReceiverResp: "bind_receiver_resp"
        case .bindTransmitter: "bind_transmitter"
        case .bindTransmitterResp: "bind_transmitter_resp"
        case .querySM: "query_sm"
        case .querySMResp: "query_sm_resp"
        case .submitSM: "submit_sm"
        case .submitSMResp: "submit_sm_resp"
        case .deliverSM: "deliver_sm"
        case .deliverSMResp: "deliver_sm_resp"
        case .unbind: "unbind"
        case .unbindResp: "unbind_resp"
        case .bindTransceiver: "bind_transceiver"
        case .bindTransceiverResp: "bind_transceiver_resp"
        case .enquireLink: "enquire_link"
        case .enquireLinkResp: "enquire_link_resp"
        }
    }

    static func name(of id: UInt32) -> String {
        SMPPCommand(rawValue: id)?.name ?? String(format: "command 0x%08X", id)
    }
}

/// SMPP 3.4 command_status values (§5.1.3) the client and the simulator use.
public enum SMPPStatus {
    public static let ok: UInt32 = 0x00
    public static let invalidMessageLength: UInt32 = 0x01
    public static let invalidCommandLength: UInt32 = 0x02
    public static let invalidCommandId: UInt32 = 0x03
    public static let incorrectBindStatus: UInt32 = 0x04
    public static let alreadyBound: UInt32 = 0x05
    public static let systemError: UInt32 = 0x08
    public static let invalidSourceAddress: UInt32 = 0x0A
    public static let invalidDestinationAddress: UInt32 = 0x0B
    public static let bindFailed: UInt32 = 0x0D
    public static let invalidPassword: UInt32 = 0x0E
    public static let invalidSystemId: UInt32 = 0x0F
    public static let messageQueueFull: UInt32 = 0x14
    public static let submitFailed: UInt32 = 0x45
    public static let throttled: UInt32 = 0x58
    public static let temporaryAppError: UInt32 = 0x64

    /// `ESME_RTHROTTLED (0x58)`.
    public static func describe(_ status: UInt32) -> String {
        let name: String? = switch status {
        case ok: "ESME_ROK"
        case invalidMessageLength: "ESME_RINVMSGLEN"
        case invalidCommandLength: "ESME_RINVCMDLEN"
        case invalidCommandId: "ESME_RINVCMDID"
        case incorrectBindStatus: "ESME_RINVBNDSTS"
        case alreadyBound: "ESME_RALYBND"
        case systemError: "ESME_RSYSERR"
        case invalidSourceAddress: "ESME_RINVSRCADR"
        case invalidDestinationAddress: "ESME_RINVDSTADR"
        case bindFailed: "ESME_RBINDFAIL"
        case invalidPassword: "ESME_RINVPASWD"
        case invalidSystemId: "ESME_RINVSYSID"
        case messageQueueFull: "ESME_RMSGQFUL"
        case submitFailed: "ESME_RSUBMITFAIL"
        case throttled: "ESME_RTHROTTLED"
        case temporaryAppError: "ESME_RX_T_APPN"
        default: nil
        }
        let code = String(format: "0x%02X", status)
        return name.map { "\($0) (\(code))" } ?? "status \(code)"
    }

    /// Statuses worth retrying later: throttling, a full queue, an SMSC-side
    /// system error, a temporary application error, a lost bind.
    public static func isTemporary(_ status: UInt32) -> Bool {
        [throttled, messageQueueFull, systemError, temporaryAppError, incorrectBindStatus].contains(status)
    }
}

/// One SMPP PDU: the 16-octet header and the raw body.
public struct SMPPPDU: Sendable, Equatable {
    public var commandId: UInt32
    public var status: UInt32
    public var sequence: UInt32
    public var body: [UInt8]

    /// The largest PDU either side accepts; a submit_sm is at most ~400 octets.
    public static let maximumLength = 64 * 1024

    public init(_ command: SMPPCommand, status: UInt32 = SMPPStatus.ok, sequence: UInt32, body: [UInt8] = []) {
        self.init(commandId: command.rawValue, status: status, sequence: sequence, body: body)
    }

    public init(commandId: UInt32, status: UInt32, sequence: UInt32, body: [UInt8]) {
        self.commandId = commandId
        self.status = status
        self.sequence = sequence
        self.body = body
    }

    public var command: SMPPCommand? { SMPPCommand(rawValue: commandId) }
    public var isResponse: Bool { commandId & 0x8000_0000 != 0 }
    public var name: String { SMPPCommand.name(of: commandId) }

    public var encoded: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16 + body.count)
        for value in [UInt32(16 + body.count), commandId, status, sequence] { out.appendUInt32(value) }
        return out + body
    }

    /// Parses the header's length; nil if it cannot be a PDU.
    static func length(ofHeader header: [UInt8]) -> Int? {
        let length = Int(header.readUInt32(at: 0))
        return (16...maximumLength).contains(length) ? length : nil
    }

    static func decode(header: [UInt8], body: [UInt8]) -> SMPPPDU {
        SMPPPDU(commandId: header.readUInt32(at: 4), status: header.readUInt32(at: 8),
                sequence: header.readUInt32(at: 12), body: body)
    }
}

/// Writes SMPP body fields.
struct SMPPWriter {
    var bytes: [UInt8] = []

    mutating func cString(_ value: String, max: Int) {
        bytes += Array(value.utf8.prefix(max - 1)) + [0]
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func octets(_ value: [UInt8]) { bytes += value }
}

/// Reads SMPP body fields; a truncated body reads as empty values.
struct SMPPReader {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset >= bytes.count }

    mutating func cString() -> String {
        var end = offset
        while end < bytes.count, bytes[end] != 0 { end += 1 }
        let value = String(decoding: bytes[offset..<end], as: UTF8.self)
        offset = min(end + 1, bytes.count)
        return value
    }

    mutating func u8() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func octets(_ count: Int) -> [UInt8] {
        let end = min(offset + count, bytes.count)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }
}

/// The fields of a bind_transmitter / bind_transceiver / bind_receiver (§4.1).
public struct SMPPBind: Sendable, Equatable, Codable {
    public var systemId: String
    public var password: String
    public var systemType: String
    public var interfaceVersion: UInt8
    public var addrTON: UInt8
    public var addrNPI: UInt8
    public var addressRange: String

    public init(systemId: String, password: String, systemType: String = "", interfaceVersion: UInt8 = 0x34,
                addrTON: UInt8 = 0, addrNPI: UInt8 = 0, addressRange: String = "") {
        self.systemId = systemId
        self.password = password
        self.systemType = systemType
        self.interfaceVersion = interfaceVersion
        self.addrTON = addrTON
        self.addrNPI = addrNPI
        self.addressRange = addressRange
    }

    var body: [UInt8] {
        var writer = SMPPWriter()
        writer.cString(systemId, max: 16)
        writer.cString(password, max: 9)
        writer.cString(systemType, max: 13)
        writer.u8(interfaceVersion)
        writer.u8(addrTON)
        writer.u8(addrNPI)
        writer.cString(addressRange, max: 41)
        return writer.bytes
    }

    init(body: [UInt8]) {
        var reader = SMPPReader(body)
        systemId = reader.cString()
        password = reader.cString()
        systemType = reader.cString()
        interfaceVersion = reader.u8()
        addrTON = reader.u8()
        addrNPI = reader.u8()
        addressRange = reader.cString()
    }
}

/// The fields of a submit_sm (§4.4.1). `shortMessage` includes the UDH when
/// `esmClass` has the UDHI bit (0x40).
public struct SMPPSubmit: Sendable, Equatable {
    public var serviceType: String = ""
    public var sourceTON: UInt8 = 0
    public var sourceNPI: UInt8 = 0
    public var sourceAddress: String = ""
    public var destinationTON: UInt8 = 1
    public var destinationNPI: UInt8 = 1
    public var destinationAddress: String
    public var esmClass: UInt8 = 0
    public var protocolId: UInt8 = 0
    public var priorityFlag: UInt8 = 0
    public var scheduleDeliveryTime: String = ""
    public var validityPeriod: String = ""
    public var registeredDelivery: UInt8 = 0
    public var replaceIfPresent: UInt8 = 0
    public var dataCoding: UInt8
    public var smDefaultMessageId: UInt8 = 0
    public var shortMessage: [UInt8]

    public init(destinationAddress: String, dataCoding: UInt8, shortMessage: [UInt8]) {
        self.destinationAddress = destinationAddress
        self.dataCoding = dataCoding
        self.shortMessage = shortMessage
    }

    /// The esm_class bit saying short_message starts with a User Data Header.
    public static let udhIndicator: UInt8 = 0x40

    var body: [UInt8] {
        var writer = SMPPWriter()
        writer.cString(serviceType, max: 6)
        writer.u8(sourceTON)
        writer.u8(sourceNPI)
        writer.cString(sourceAddress, max: 21)
        writer.u8(destinationTON)
        writer.u8(destinationNPI)
        writer.cString(destinationAddress, max: 21)
        writer.u8(esmClass)
        writer.u8(protocolId)
        writer.u8(priorityFlag)
        writer.cString(scheduleDeliveryTime, max: 17)
        writer.cString(validityPeriod, max: 17)
        writer.u8(registeredDelivery)
        writer.u8(replaceIfPresent)
        writer.u8(dataCoding)
        writer.u8(smDefaultMessageId)
        writer.u8(UInt8(min(shortMessage.count, 254)))
        writer.octets(Array(shortMessage.prefix(254)))
        return writer.bytes
    }

    init(body: [UInt8]) {
        var reader = SMPPReader(body)
        serviceType = reader.cString()
        sourceTON = reader.u8()
        sourceNPI = reader.u8()
        sourceAddress = reader.cString()
        destinationTON = reader.u8()
        destinationNPI = reader.u8()
        destinationAddress = reader.cString()
        esmClass = reader.u8()
        protocolId = reader.u8()
        priorityFlag = reader.u8()
        scheduleDeliveryTime = reader.cString()
        validityPeriod = reader.cString()
        registeredDelivery = reader.u8()
        replaceIfPresent = reader.u8()
        dataCoding = reader.u8()
        smDefaultMessageId = reader.u8()
        let length = Int(reader.u8())
        shortMessage = reader.octets(length)
    }

    /// The UDH (including its length octet) and the user data after it.
    public var userDataHeader: [UInt8]? {
        guard esmClass & Self.udhIndicator != 0, let first = shortMessage.first, shortMessage.count > Int(first) else { return nil }
        return Array(shortMessage.prefix(Int(first) + 1))
    }

    public var userData: [UInt8] {
        guard let udh = userDataHeader else { return shortMessage }
        return Array(shortMessage.dropFirst(udh.count))
    }
}

extension [UInt8] {
    mutating func appendUInt32(_ value: UInt32) {
        append(UInt8(value >> 24 & 0xFF))
        append(UInt8(value >> 16 & 0xFF))
        append(UInt8(value >> 8 & 0xFF))
        append(UInt8(value & 0xFF))
    }

    func readUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8 | UInt32(self[offset + 3])
    }
}
