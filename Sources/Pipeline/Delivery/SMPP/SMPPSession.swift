import Foundation

/// Counters of one session's link keeping, for tests and the daemon's stats.
public struct SMPPSessionCounters: Sendable, Equatable {
    /// enquire_link PDUs this client sent when the link was idle.
    public var enquireLinksSent = 0
    /// enquire_link_resp PDUs the SMSC returned for them.
    public var enquireLinkResponses = 0
    /// enquire_link PDUs from the SMSC this client answered.
    public var enquireLinksAnswered = 0
    /// generic_nack PDUs received from the SMSC.
    public var genericNacksReceived = 0
    /// generic_nack PDUs sent (unknown command or bad length from the SMSC).
    public var genericNacksSent = 0
    public var submitted = 0
}

/// One bound SMPP 3.4 transmitter session over TCP. The calls are blocking
/// (they suit the synchronous `SMSConnector.send`) and thread-safe; a reader
/// thread owns the socket's input: it matches responses to requests by
/// sequence number, answers the SMSC's enquire_link, unbind and stray
/// deliver_sm, nacks what it does not know, and sends enquire_link when the
/// link has been idle for `enquireLinkInterval`.
public final class SMPPSession: @unchecked Sendable {
    public let account: SMPPAccount
    public let options: SMPPOptions
    /// The SMSC's system_id from bind_transmitter_resp.
    public private(set) var smscSystemId = ""

    private let socket: TCPStream
    private let state = NSCondition()
    private var nextSequence: UInt32 = 1
    private var waiting: Set<UInt32> = []
    private var answers: [UInt32: SMPPPDU] = [:]
    private var closedReason: String?
    private var bound = false
    private var lastActivity = Date()
    private var keepAlive: (sequence: UInt32, sentAt: Date)?
    private var counters = SMPPSessionCounters()

    private init(account: SMPPAccount, options: SMPPOptions, socket: TCPStream) {
        self.account = account
        self.options = options
        self.socket = socket
    }

    /// Connects and binds as a transmitter.
    /// - Throws: `SMPPError.connection` (cannot connect, no answer) or
    ///   `.bindRefused` (bad system id or password…).
    public static func open(_ account: SMPPAccount, options: SMPPOptions = SMPPOptions()) throws(SMPPError) -> SMPPSession {
        let socket: TCPStream
        do {
            socket = try TCPStream.connect(host: account.host, port: account.port, timeout: options.connectTimeout)
        } catch {
            throw .connection("\(error)")
        }
        let session = SMPPSession(account: account, options: options, socket: socket)
        let thread = Thread { session.readLoop() }
        thread.name = "smpp-reader \(account.endpoint)"
        thread.start()
        let bind = SMPPBind(systemId: account.systemId, password: account.password, systemType: account.systemType)
        let response: SMPPPDU
        do {
            response = try session.request(.bindTransmitter, body: bind.body)
        } catch {
            session.close(reason: "bind failed")
            if case .refused(_, let status) = error { throw .bindRefused(status: status) }
            throw error
        }
        var reader = SMPPReader(response.body)
        session.state.withLock {
            session.smscSystemId = reader.cString()
            session.bound = true
        }
        return session
    }

    public var isOpen: Bool { state.withLock { closedReason == nil && bound } }

    /// Why the session closed, if it did.
    public var closeReason: String? { state.withLock { closedReason } }

    public var snapshot: SMPPSessionCounters { state.withLock { counters } }

    /// Sends one submit_sm and returns the SMSC's message_id.
    public func submit(_ submit: SMPPSubmit) throws(SMPPError) -> String {
        let response = try request(.submitSM, body: submit.body)
        state.withLock { counters.submitted += 1 }
        var reader = SMPPReader(response.body)
        return reader.cString()
    }

    /// Sends an enquire_link and waits for its response.
    public func enquireLink() throws(SMPPError) {
        _ = try request(.enquireLink, body: [])
    }

    /// Sends unbind, waits (briefly) for unbind_resp, and closes the connection.
    /// Safe to call twice or on a dead session.
    public func unbind() {
        if isOpen {
            _ = try? request(.unbind, body: [], timeout: min(options.responseTimeout, 5))
        }
        close(reason: "unbound")
    }

    /// Closes the connection without unbinding.
    public func close(reason: String) {
        state.withLock {
            if closedReason == nil { closedReason = reason }
            bound = false
            state.broadcast()
        }
        socket.shutdown()
    }

    private func allocateSequence() -> UInt32 {
        let sequence = nextSequence
        nextSequence = nextSequence >= 0x7FFF_FFFF ? 1 : nextSequence + 1
        return sequence
    }

    /// Sends a request and waits for the response with its sequence number.
    /// A non-zero command_status (or a generic_nack) throws `.refused`.
    private func request(_ command: SMPPCommand, body: [UInt8], timeout: TimeInterval? = nil) throws(SMPPError) -> SMPPPDU {
        let allocated: Result<UInt32, SMPPError> = state.withLock {
            if let closedReason { return .failure(.connection("the SMPP connection is closed (\(closedReason))")) }
            let sequence = allocateSequence()
            waiting.insert(sequence)
            lastActivity = Date()
            return .success(sequence)
        }
        let sequence = try allocated.get()
        do {
            try socket.write(SMPPPDU(command, sequence: sequence, body: body))
        } catch {
            state.withLock { _ = waiting.remove(sequence) }
            close(reason: "\(error)")
            throw .connection("the SMPP connection was lost sending \(command.name): \(error)")
        }
        let deadline = Date().addingTimeInterval(timeout ?? options.responseTimeout)
        let outcome: Result<SMPPPDU, SMPPError> = state.withLock {
            defer { waiting.remove(sequence) }
            while true {
                if let answer = answers.removeValue(forKey: sequence) { return .success(answer) }
                if let closedReason {
                    return .failure(.connection("the SMPP connection was lost waiting for \(command.name)_resp: \(closedReason)"))
                }
                if !state.wait(until: deadline) {
                    if let answer = answers.removeValue(forKey: sequence) { return .success(answer) }
                    return .failure(.connection("no \(command.name)_resp within \(Int(timeout ?? options.responseTimeout)) s"))
                }
            }
        }
        let response: SMPPPDU
        switch outcome {
        case .success(let pdu): response = pdu
        case .failure(let error):
            if case .connection(let reason) = error, reason.hasPrefix("no ") { close(reason: reason) }
            throw error
        }
        if response.commandId == SMPPCommand.genericNack.rawValue {
            throw .refused(command: "generic_nack to \(command.name)", status: response.status)
        }
        guard response.status == SMPPStatus.ok else { throw .refused(command: command.name, status: response.status) }
        return response
    }

    private func send(_ pdu: SMPPPDU) {
        do {
            try socket.write(pdu)
        } catch {
            close(reason: "\(error)")
        }
    }

    private func readLoop() {
        defer {
            close(reason: "the connection closed")
            socket.close()
        }
        while true {
            if let keepAliveSequence = keepAliveDue() {
                send(SMPPPDU(.enquireLink, sequence: keepAliveSequence))
            }
            if closedReasonIsFinal { return }
            guard socket.waitReadable(timeout: 0.25) else { continue }
            let pdu: SMPPPDU
            do {
                pdu = try socket.readPDU(timeout: options.responseTimeout)
            } catch let bad as SMPPBadLength {
                state.withLock { counters.genericNacksSent += 1 }
                send(SMPPPDU(.genericNack, status: SMPPStatus.invalidCommandLength, sequence: bad.sequence))
                close(reason: "the SMSC sent \(bad)")
                return
            } catch {
                close(reason: "\(error)")
                return
            }
            handle(pdu)
        }
    }

    private var closedReasonIsFinal: Bool { state.withLock { closedReason != nil } }

    /// Sequence number of an enquire_link to send now, if the link is idle;
    /// closes the session when the previous one went unanswered.
    private func keepAliveDue() -> UInt32? {
        state.withLock {
            guard bound, closedReason == nil else { return nil }
            if let keepAlive {
                if Date().timeIntervalSince(keepAlive.sentAt) > options.responseTimeout {
                    closedReason = "no enquire_link_resp within \(Int(options.responseTimeout)) s: the link is dead"
                    bound = false
                    state.broadcast()
                    socket.shutdown()
                }
                return nil
            }
            guard Date().timeIntervalSince(lastActivity) >= options.enquireLinkInterval else { return nil }
            let sequence = allocateSequence()
            keepAlive = (sequence, Date())
            lastActivity = Date()
            counters.enquireLinksSent += 1
            return sequence
        }
    }

    private func handle(_ pdu: SMPPPDU) {
        let reply: SMPPPDU? = state.withLock {
            lastActivity = Date()
            if pdu.isResponse {
                if pdu.commandId == SMPPCommand.genericNack.rawValue { counters.genericNacksReceived += 1 }
                if let keepAlive, keepAlive.sequence == pdu.sequence {
                    self.keepAlive = nil
                    if pdu.commandId == SMPPCommand.enquireLinkResp.rawValue { counters.enquireLinkResponses += 1 }
                    return nil
                }
                if waiting.contains(pdu.sequence) {
                    answers[pdu.sequence] = pdu
                    state.broadcast()
                }
                return nil
            }
            switch pdu.command {
            case .enquireLink?:
                counters.enquireLinksAnswered += 1
                return SMPPPDU(.enquireLinkResp, sequence: pdu.sequence)
            case .unbind?:
                return SMPPPDU(.unbindResp, sequence: pdu.sequence)
            case .deliverSM?:
                // A transmitter should get none; acknowledge so the SMSC does not retry.
                return SMPPPDU(.deliverSMResp, sequence: pdu.sequence, body: [0])
            default:
                counters.genericNacksSent += 1
                return SMPPPDU(.genericNack, status: SMPPStatus.invalidCommandId, sequence: pdu.sequence)
            }
        }
        if let reply { send(reply) }
        if pdu.command == .unbind { close(reason: "the SMSC unbound the session") }
    }
}
