import CCurl
import Foundation

/// Sends emails to an SMTP relay. One `send` call uses one connection for
/// the messages of a batch, and reconnects after a connection lost in the
/// middle (a message whose data had not gone out yet is tried once more on
/// the new connection). A relay with TLS or a login goes through libcurl (one easy
/// handle, kept open between transfers); a plain relay without a login (an
/// MTA on the same host or network) through `PlainSMTPSession`, which
/// pipelines commands when the relay offers it (measured in
/// docs/performance.md).
///
/// Results: accepted → `.sent("250 …")`; a 4xx answer to MAIL, RCPT or the
/// message → `.temporaryFailure`, 5xx → `.permanentFailure`, and the batch
/// goes on with the next message. A failure before the transaction
/// (connection refused, timeout, TLS, STARTTLS, greeting or AUTH refused)
/// fails that message and every later one of the batch temporarily, without
/// trying them. Messages that cannot be encoded (bad address…) fail
/// permanently before any network I/O.
public struct SMTPConnector: EmailConnector {
    public let relay: SMTPRelay
    /// Plain-relay connections kept between calls (the daemon's); without
    /// it each call opens its own and says QUIT at the end (a proof).
    let pool: RelayConnectionPool?

    /// `keepingConnections`: keep plain-relay connections open between
    /// calls, for a caller that sends batch after batch (the daemon).
    public init(relay: SMTPRelay, keepingConnections: Bool = false) {
        self.relay = relay
        pool = keepingConnections ? RelayConnectionPool() : nil
    }

    public func send(_ emails: [OutgoingEmail]) -> [DeliveryResult] {
        send(emails, accepted: { _ in })
    }

    /// Says QUIT on the kept connections and closes them.
    public func disconnect() {
        pool?.closeAll()
    }

    public func send(_ emails: [OutgoingEmail], accepted: (Int) -> Void) -> [DeliveryResult] {
        let prepared = emails.map { email in Result { () throws(EmailRejected) in try MIMEMessage(email) } }
        guard prepared.contains(where: { if case .success = $0 { true } else { false } }) else {
            return prepared.map { Self.rejection($0) ?? .permanentFailure(reason: "unreachable") }
        }
        if relay.security == .none && relay.username == nil {
            return sendPipelined(prepared, accepted: accepted)
        }
        CurlRuntime.initialise()
        guard let handle = curl_easy_init() else {
            return prepared.map { Self.rejection($0) ?? .temporaryFailure(reason: "libcurl could not create a handle") }
        }
        let session = SMTPSession(handle: handle)
        let unmanaged = Unmanaged.passRetained(session)
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        defer {
            curl_easy_cleanup(handle) // sends QUIT on the open connection
            errorBuffer.deallocate()
            unmanaged.release()
        }
        configure(handle, context: unmanaged.toOpaque(), errorBuffer: errorBuffer)

        var results: [DeliveryResult] = []
        var connectionFailure: String?
        for item in prepared {
            let message: MIMEMessage
            switch item {
            case .failure(let rejected):
                results.append(.permanentFailure(reason: rejected.reason))
                continue
            case .success(let value):
                message = value
            }
            if let connectionFailure {
                results.append(.temporaryFailure(reason: connectionFailure))
                continue
            }
            let outcome = perform(message, handle: handle, session: session, errorBuffer: errorBuffer)
            if case .connectionFailed(let reason) = outcome {
                connectionFailure = reason
                results.append(.temporaryFailure(reason: reason))
            } else if case .result(let result) = outcome {
                if result.isSent { accepted(results.count) }
                results.append(result)
            }
        }
        return results
    }

    private func sendPipelined(_ prepared: [Result<MIMEMessage, EmailRejected>], accepted: (Int) -> Void) -> [DeliveryResult] {
        var results = prepared.map { Self.rejection($0) ?? .temporaryFailure(reason: "not sent") }
        let sendable = prepared.indices.compactMap { index -> (index: Int, message: MIMEMessage)? in
            if case .success(let message) = prepared[index] { (index, message) } else { nil }
        }
        var session = pool?.take()
        defer {
            if let session {
                if let pool { pool.put(session) } else { session.close() }
            }
        }
        var position = 0
        var secondTry = false
        while position < sendable.count {
            let item = sendable[position]
            if session == nil {
                do {
                    session = try PlainSMTPSession.open(relay: relay)
                } catch {
                    for rest in sendable[position...] { results[rest.index] = .temporaryFailure(reason: error.reason) }
                    return results
                }
            }
            let next = position + 1 < sendable.count ? sendable[position + 1].message : nil
            switch session!.send(item.message, then: next) {
            case .finished(let result):
                results[item.index] = result
            case .connectionLost(let result):
                let unsent = !session!.wroteMessageData
                session?.abandon()
                session = nil
                // Lost before its data went out (a kept connection the relay
                // had dropped, a relay's limit of messages per connection):
                // nothing of it was delivered, so once more on a new one.
                if unsent && !secondTry {
                    secondTry = true
                    continue
                }
                results[item.index] = result
            }
            if results[item.index].isSent { accepted(item.index) }
            secondTry = false
            position += 1
        }
        return results
    }

    private static func rejection(_ item: Result<MIMEMessage, EmailRejected>) -> DeliveryResult? {
        if case .failure(let rejected) = item { return .permanentFailure(reason: rejected.reason) }
        return nil
    }

    private func configure(_ handle: UnsafeMutableRawPointer, context: UnsafeMutableRawPointer, errorBuffer: UnsafeMutablePointer<CChar>) {
        _ = cc_setopt_string(handle, CURLOPT_URL, relay.url)
        _ = cc_setopt_long(handle, CURLOPT_UPLOAD, 1)
        _ = cc_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = cc_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, relay.connectTimeout)
        _ = cc_setopt_long(handle, CURLOPT_TIMEOUT, relay.timeout)
        _ = cc_setopt_long(handle, CURLOPT_FORBID_REUSE, 0)
        _ = cc_setopt_long(handle, CURLOPT_TCP_NODELAY, 1)
        if relay.security == .starttls {
            _ = cc_setopt_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))
        }
        if let caFile = relay.caFile { _ = cc_setopt_string(handle, CURLOPT_CAINFO, caFile) }
        if let username = relay.username {
            _ = cc_setopt_string(handle, CURLOPT_USERNAME, username)
            _ = cc_setopt_string(handle, CURLOPT_PASSWORD, relay.password ?? "")
        }
        _ = cc_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        _ = cc_setopt_read_callback(handle, smtpReadCallback)
        _ = cc_setopt_pointer(handle, CURLOPT_READDATA, context)
        // The debug callback is how we learn which command an error answers
        // and the relay's own words; verbose output goes nowhere else.
        _ = cc_setopt_long(handle, CURLOPT_VERBOSE, 1)
        _ = cc_setopt_debug_callback(handle, smtpDebugCallback)
        _ = cc_setopt_pointer(handle, CURLOPT_DEBUGDATA, context)
    }

    private enum Outcome {
        case result(DeliveryResult)
        case connectionFailed(String)
    }

    private func perform(_ message: MIMEMessage, handle: UnsafeMutableRawPointer, session: SMTPSession,
                         errorBuffer: UnsafeMutablePointer<CChar>) -> Outcome {
        session.begin(body: message.bytes)
        errorBuffer[0] = 0
        var recipients: UnsafeMutablePointer<curl_slist>?
        recipients = curl_slist_append(recipients, "<\(message.envelopeTo)>")
        defer { curl_slist_free_all(recipients) }
        _ = cc_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(message.envelopeFrom)>")
        _ = cc_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients)
        _ = cc_setopt_long(handle, CURLOPT_INFILESIZE, message.bytes.count)

        let code = curl_easy_perform(handle)
        var status = 0
        _ = cc_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        let reply = session.lastReply

        if code == CURLE_OK {
            return .result(.sent(detail: reply.flatMap { $0.hasPrefix("2") ? $0 : nil } ?? "250 accepted"))
        }
        let curlText = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        let command = session.lastCommand ?? "connect"
        let relayName = "\(relay.host):\(relay.port)"

        if ["MAIL", "RCPT", "DATA"].contains(command) {
            let answer = reply.map { "\"\($0)\"" } ?? "nothing"
            let step = switch command {
            case "MAIL": "MAIL FROM:<\(message.envelopeFrom)>"
            case "RCPT": "RCPT TO:<\(message.envelopeTo)>"
            default: session.sentBody ? "the message" : "DATA"
            }
            if (500..<600).contains(status) {
                return .result(.permanentFailure(reason: "relay \(relayName) answered \(answer) to \(step)"))
            }
            if (400..<500).contains(status) {
                return .result(.temporaryFailure(reason: "relay \(relayName) answered \(answer) to \(step)"))
            }
            return .result(.temporaryFailure(reason: "relay \(relayName) failed during \(step): \(curlText)"))
        }

        // Before the transaction: the relay is unusable for this batch.
        switch command {
        case "AUTH":
            let answer = reply.map { "\"\($0)\"" } ?? curlText
            return .connectionFailed("relay \(relayName) refused authentication as \(relay.username ?? "?"): \(answer)")
        case "STARTTLS" where code == CURLE_USE_SSL_FAILED || (400..<600).contains(status):
            return .connectionFailed("relay \(relayName) could not start TLS (STARTTLS): \(reply.map { "\"\($0)\"" } ?? curlText)")
        default:
            break
        }
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST:
            return .connectionFailed("cannot connect to relay \(relayName): \(curlText)")
        case CURLE_OPERATION_TIMEDOUT:
            return .connectionFailed("relay \(relayName) timed out: \(curlText)")
        case CURLE_USE_SSL_FAILED:
            return .connectionFailed("relay \(relayName) does not offer STARTTLS, which security=starttls requires: \(curlText)")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
            return .connectionFailed("TLS with relay \(relayName) failed: \(curlText)")
        case CURLE_LOGIN_DENIED:
            return .connectionFailed("relay \(relayName) refused authentication as \(relay.username ?? "?"): \(reply.map { "\"\($0)\"" } ?? curlText)")
        default:
            let answer = reply.map { " (last answer \"\($0)\")" } ?? ""
            return .connectionFailed("relay \(relayName) failed before the transaction, after \(command): \(curlText)\(answer)")
        }
    }
}

/// What the C callbacks see of one connection: the body being uploaded and
/// the last command verb and reply. Only used on the sending thread. The
/// callbacks run for every command and reply of every message, so they
/// keep bytes; text is made when it is read.
private final class SMTPSession {
    let handle: UnsafeMutableRawPointer
    var body = Data()
    var offset = 0
    /// The verb of the last command sent (EHLO, STARTTLS, AUTH, MAIL, RCPT,
    /// DATA…). AUTH continuation lines (credentials) are not commands and
    /// are never kept.
    var lastCommand: String?
    /// The last line of the last reply, printable ASCII only (others are '?').
    var lastReply: String? { replyLine.map { String(decoding: $0, as: UTF8.self) } }
    private var replyLine: [UInt8]?
    var sentBody = false
    /// Set once libcurl says QUIT (it does after a failed transaction): the
    /// reply to the failing command is the one to keep.
    var quitting = false

    static let quit = Array("QUIT".utf8)
    static let verbs = ["EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "RSET", "QUIT", "NOOP", "VRFY"].map { Array($0.utf8) }

    init(handle: UnsafeMutableRawPointer) { self.handle = handle }

    func begin(body: Data) {
        self.body = body
        offset = 0
        lastCommand = nil
        replyLine = nil
        sentBody = false
        quitting = false
    }

    func commandSent(_ bytes: UnsafeBufferPointer<UInt8>) {
        let verb = bytes.prefix(while: { $0 != UInt8(ascii: " ") && $0 != 0x0D && $0 != 0x0A }).prefix(10)
        guard let known = Self.verbs.first(where: { $0.count == verb.count && zip($0, verb).allSatisfy { $0 == ($1 & 0xDF) } }) else { return }
        if known == Self.quit {
            quitting = true
            return
        }
        lastCommand = String(decoding: known, as: UTF8.self)
        replyLine = nil
        if lastCommand != "DATA" { sentBody = false }
    }

    func replyReceived(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !quitting else { return }
        // Keep the last non-empty line of a multi-line reply ("250-…", "250 …").
        let text = bytes.prefix(512)
        var end = text.endIndex
        while end > text.startIndex, text[end - 1] == 0x0A || text[end - 1] == 0x0D { end -= 1 }
        guard end > text.startIndex else { return }
        var start = end
        while start > text.startIndex, text[start - 1] != 0x0A, text[start - 1] != 0x0D { start -= 1 }
        replyLine = printableASCII(text[start..<end])
    }
}

private let smtpReadCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { buffer, size, count, user in
    guard let buffer, let user else { return 0 }
    let session = Unmanaged<SMTPSession>.fromOpaque(user).takeUnretainedValue()
    return copyUploadChunk(session.body, offset: &session.offset, into: buffer, capacity: size * count)
}

/// Copies the next part of a message being uploaded into libcurl's buffer
/// and advances `offset`; 0 once everything was sent.
func copyUploadChunk(_ body: Data, offset: inout Int, into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
    let length = min(capacity, body.count - offset)
    guard length > 0 else { return 0 }
    let start = offset
    body.withUnsafeBytes { raw in
        UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress! + start, byteCount: length)
    }
    offset += length
    return length
}

private let smtpDebugCallback: @convention(c) (UnsafeMutableRawPointer?, curl_infotype, UnsafeMutablePointer<CChar>?, Int, UnsafeMutableRawPointer?) -> Int32 = { _, type, data, size, user in
    guard let data, let user else { return 0 }
    let session = Unmanaged<SMTPSession>.fromOpaque(user).takeUnretainedValue()
    let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: size)
    switch type {
    case CURLINFO_HEADER_OUT: session.commandSent(bytes)
    case CURLINFO_HEADER_IN: session.replyReceived(bytes)
    case CURLINFO_DATA_OUT: session.sentBody = true
    default: break
    }
    return 0
}
