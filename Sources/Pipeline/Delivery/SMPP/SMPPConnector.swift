import CampaignCore
import Foundation
import Logging

/// Sends SMS through an SMSC over SMPP 3.4. Keeps one transmitter session
/// bound between calls (kept alive by enquire_link) and rebinds after a loss.
///
/// Per message: GSM-7 (data_coding 0x00) or UCS-2 (0x08), one submit_sm per
/// part; a long text goes as parts with esm_class 0x40 and the UDH
/// `05 00 03 ref total seq`. Results:
/// - every part accepted → `.sent(detail:)` with the message_id(s), comma-separated;
/// - throttled (0x58), queue full (0x14), SMSC system error (0x08), ESME_RX_T_APPN
///   (0x64), lost bind, lost connection, failed bind → `.temporaryFailure`,
///   and the rest of the batch is not attempted (temporary failure too);
/// - any other status (invalid destination 0x0B…), a bad number, an empty or
///   too long text → `.permanentFailure`.
public final class SMPPConnector: SMSConnector, @unchecked Sendable {
    public let account: SMPPAccount
    public let options: SMPPOptions
    let logger: Logger
    private let lock = NSLock()
    private var session: SMPPSession?
    private var reference = UInt8.random(in: 0...255)

    public init(account: SMPPAccount, options: SMPPOptions = SMPPOptions(), logger: Logger = Logger(label: "campaignctl.smpp")) {
        self.account = account
        self.options = options
        self.logger = logger
    }

    deinit { session?.unbind() }

    /// Unbinds and closes the session, if one is open.
    public func disconnect() {
        let open = lock.withLock { () -> SMPPSession? in
            defer { session = nil }
            return session
        }
        open?.unbind()
    }

    /// The session in use, if bound (for stats and tests).
    public var currentSession: SMPPSession? { lock.withLock { session } }

    public func send(_ messages: [OutgoingSMS]) -> [DeliveryResult] {
        lock.withLock { sendLocked(messages) }
    }

    private func sendLocked(_ messages: [OutgoingSMS]) -> [DeliveryResult] {
        var results: [DeliveryResult] = []
        for (index, message) in messages.enumerated() {
            if let problem = Self.problem(with: message) {
                results.append(.permanentFailure(reason: problem))
                continue
            }
            let bound: SMPPSession
            do {
                bound = try boundSession()
            } catch {
                let reason = "SMPP \(account.endpoint): \(error)"
                logger.warning("cannot bind", metadata: ["smsc": "\(account.endpoint)", "reason": "\(error)"])
                return results + Array(repeating: .temporaryFailure(reason: reason), count: messages.count - index)
            }
            do {
                let ids = try submit(message, on: bound)
                results.append(.sent(detail: ids.joined(separator: ",")))
            } catch {
                let reason = "SMPP \(account.endpoint): \(error)"
                guard error.isTemporary else {
                    results.append(.permanentFailure(reason: reason))
                    continue
                }
                if case .connection = error { session = nil }
                logger.warning("temporary SMPP failure; the rest of the batch waits",
                               metadata: ["smsc": "\(account.endpoint)", "reason": "\(error)"])
                results.append(.temporaryFailure(reason: reason))
                let rest = messages.count - index - 1
                results += Array(repeating: .temporaryFailure(reason: "not attempted: \(reason)"), count: rest)
                return results
            }
        }
        return results
    }

    private func boundSession() throws(SMPPError) -> SMPPSession {
        if let session, session.isOpen { return session }
        session?.close(reason: "replaced")
        session = nil
        let fresh = try SMPPSession.open(account, options: options)
        session = fresh
        return fresh
    }

    /// Submits every part of one message; returns the SMSC's message ids.
    private func submit(_ message: OutgoingSMS, on session: SMPPSession) throws(SMPPError) -> [String] {
        let encoding = SMSText.encoding(for: message.text)
        let parts = SMSText.split(message.text)
        let destination = message.to.hasPrefix("+") ? (String(message.to.dropFirst()), UInt8(1), UInt8(1)) : (message.to, UInt8(0), UInt8(1))
        var source = account.sourceAddressing
        if let from = message.from, !from.isEmpty {
            var override = account
            override.sourceAddress = from
            source = override.sourceAddressing
        }
        reference &+= 1
        var ids: [String] = []
        for (index, part) in parts.enumerated() {
            var submit = SMPPSubmit(destinationAddress: destination.0, dataCoding: encoding.dataCoding, shortMessage: part.bytes)
            submit.destinationTON = destination.1
            submit.destinationNPI = destination.2
            submit.sourceAddress = source.address
            submit.sourceTON = source.ton
            submit.sourceNPI = source.npi
            submit.registeredDelivery = account.registeredDelivery
            if parts.count > 1 {
                submit.esmClass = SMPPSubmit.udhIndicator
                submit.shortMessage = [0x05, 0x00, 0x03, reference, UInt8(parts.count), UInt8(index + 1)] + part.bytes
            }
            ids.append(try session.submit(submit))
        }
        return ids
    }

    /// Why a message cannot be sent at all, if it cannot.
    static func problem(with message: OutgoingSMS) -> String? {
        let digits = message.to.hasPrefix("+") ? message.to.dropFirst() : Substring(message.to)
        guard (3...20).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return "invalid destination number '\(message.to)': digits with an optional leading '+'"
        }
        if message.text.isEmpty { return "the SMS text is empty" }
        let segments = SMSText.split(message.text).count
        if segments > 255 { return "the SMS text needs \(segments) parts; at most 255 can be concatenated" }
        return nil
    }
}

extension SMPPSession {
    /// Binds with `account` and unbinds at once: proves the host, port,
    /// system id and password. Returns the SMSC's system_id.
    public static func check(_ account: SMPPAccount, options: SMPPOptions = SMPPOptions()) throws(SMPPError) -> String {
        let session = try open(account, options: options)
        let smsc = session.smscSystemId
        session.unbind()
        return smsc
    }
}
