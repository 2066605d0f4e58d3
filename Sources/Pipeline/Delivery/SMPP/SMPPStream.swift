import Foundation

/// SMPP PDUs over a TCP connection.
extension TCPStream {
    func write(_ pdu: SMPPPDU) throws {
        try write(pdu.encoded)
    }

    /// Reads one PDU. Throws on EOF, on a read error, on a PDU that does not
    /// complete within `timeout` once started, and on an impossible length
    /// (`SMPPBadLength`: the peer deserves a generic_nack).
    func readPDU(timeout: TimeInterval) throws -> SMPPPDU {
        let header = try readExactly(16, timeout: timeout, atStart: true)
        guard let length = SMPPPDU.length(ofHeader: header) else {
            throw SMPPBadLength(sequence: header.readUInt32(at: 12), length: Int(header.readUInt32(at: 0)))
        }
        let body = try readExactly(length - 16, timeout: timeout, atStart: false)
        return SMPPPDU.decode(header: header, body: body)
    }
}

/// A header whose command_length cannot be right.
struct SMPPBadLength: Error, CustomStringConvertible {
    var sequence: UInt32
    var length: Int
    var description: String { "a PDU announced an impossible command_length \(length)" }
}

