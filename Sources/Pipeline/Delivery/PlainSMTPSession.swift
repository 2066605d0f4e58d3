import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One SMTP connection to a relay that needs neither TLS nor a login (the
/// usual way to hand mail to an MTA on the same host or network), speaking
/// the protocol itself so that commands can be pipelined (RFC 2920).
///
/// Why not libcurl here: libcurl waits for the answer to each command, four
/// round trips and about sixteen system calls per message, which the
/// profile of the daemon put at a third of its processing threads (most of
/// it in the kernel's loopback TCP path, and as much again in the relay).
/// When the relay offers PIPELINING a message costs one round trip: its
/// data, the end of data and the next message's MAIL, RCPT and DATA go out
/// in one write, and their answers come back in one read. A relay that does
/// not offer it gets one command at a time. TLS and AUTH stay with libcurl
/// (`SMTPConnector`), which implements them.
///
/// The answers are read in the order the commands were written; the first
/// refusal of a transaction is the one reported, as libcurl reports it.
final class PlainSMTPSession {
    /// The relay cannot be used: nothing was sent.
    struct Unusable: Error {
        var reason: String
    }

    /// How one message ended. `connectionLost`: the connection broke or the
    /// relay closed it (421); the session must not be used again.
    enum Outcome {
        case finished(DeliveryResult)
        case connectionLost(DeliveryResult)
    }

    struct Reply {
        var code: Int
        /// The last line, printable ASCII only (others are '?'), at most 512 characters.
        var text: String
    }

    private let stream: TCPStream
    private let relayName: String
    private let timeout: TimeInterval
    private(set) var pipelining = false
    private var input: [UInt8] = []
    private var inputStart = 0
    private var output: [UInt8] = []
    private var scratch = [UInt8](repeating: 0, count: 16_384)
    /// The next message's MAIL, RCPT and DATA went out behind the last data.
    private var commandsInFlight = false
    /// A transaction was left open by a refusal before its data: RSET first.
    private var needsReset = false
    /// Whether the last `send` wrote its message's data. A connection lost
    /// before that delivered nothing of the message, which may then go on
    /// another connection without any risk of a duplicate.
    private(set) var wroteMessageData = false

    private init(stream: TCPStream, relay: SMTPRelay) {
        self.stream = stream
        relayName = "\(relay.host):\(relay.port)"
        timeout = TimeInterval(relay.timeout)
        input.reserveCapacity(16_384)
        output.reserveCapacity(65_536)
    }

    /// Connects, reads the greeting and says EHLO (HELO if EHLO is refused),
    /// all within the relay's connect timeout.
    static func open(relay: SMTPRelay) throws(Unusable) -> PlainSMTPSession {
        let name = "\(relay.host):\(relay.port)"
        let stream: TCPStream
        do {
            stream = try TCPStream.connect(host: relay.host, port: relay.port, timeout: TimeInterval(relay.connectTimeout))
        } catch {
            throw Unusable(reason: "cannot connect to relay \(name): \(error.reason)")
        }
        let session = PlainSMTPSession(stream: stream, relay: relay)
        let deadline = Date().addingTimeInterval(TimeInterval(relay.connectTimeout))
        do {
            let greeting = try session.readReply(until: deadline)
            guard greeting.code == 220 else {
                throw Unusable(reason: "relay \(name) refused the connection: \"\(greeting.text)\"")
            }
            let helo = relay.heloName ?? localHostName
            try session.send("EHLO \(helo)\r\n")
            var hello = try session.readReply(until: deadline, collectingLines: true)
            if hello.reply.code / 100 == 5 {
                try session.send("HELO \(helo)\r\n")
                hello = try session.readReply(until: deadline, collectingLines: true)
            }
            guard hello.reply.code / 100 == 2 else {
                throw Unusable(reason: "relay \(name) refused the greeting (EHLO/HELO): \"\(hello.reply.text)\"")
            }
            // Extension lines: "250-PIPELINING", "250 PIPELINING" (after the code and separator).
            session.pipelining = hello.lines.contains { line in
                line.count >= 14 && line[4...].prefix(10).map { $0 & 0xDF } == Array("PIPELINING".utf8)
                    && (line.count == 14 || line[14] == UInt8(ascii: " "))
            }
        } catch let unusable as Unusable {
            stream.close()
            throw unusable
        } catch let error as TCPStreamError {
            stream.close()
            if error.isTimeout {
                throw Unusable(reason: "relay \(name) timed out before the transaction: no answer within \(relay.connectTimeout) s")
            }
            throw Unusable(reason: "relay \(name) failed before the transaction: \(error.reason)")
        } catch {
            stream.close()
            throw Unusable(reason: "relay \(name) failed before the transaction: \(error)")
        }
        return session
    }

    /// Sends one message; `next`, if given, is the message the caller sends
    /// after this one: with PIPELINING its commands ride behind this data.
    func send(_ message: MIMEMessage, then next: MIMEMessage?) -> Outcome {
        let steps = Self.commands(for: message)
        var step = steps[0]
        wroteMessageData = false
        do {
            var replies: [Reply] = []
            if pipelining {
                if !commandsInFlight {
                    output.removeAll(keepingCapacity: true)
                    if needsReset { output.append(contentsOf: Self.reset) }
                    appendCommands(steps)
                    try stream.write(output)
                    if needsReset {
                        step = "RSET"
                        needsReset = false
                        if let lost = closing(try readReply(), step: step) { return lost }
                    }
                }
                commandsInFlight = false
                for command in steps {
                    step = command
                    let reply = try readReply()
                    if let lost = closing(reply, step: command) { return lost }
                    replies.append(reply)
                }
            } else {
                if needsReset {
                    step = "RSET"
                    needsReset = false
                    try stream.write(Self.reset)
                    if let lost = closing(try readReply(), step: step) { return lost }
                }
                for command in steps {
                    step = command
                    try send(command + "\r\n")
                    let reply = try readReply()
                    if let lost = closing(reply, step: command) { return lost }
                    replies.append(reply)
                    if !accepts(reply, step: command) { break }
                }
            }
            if let refused = zip(steps, replies).first(where: { !accepts($0.1, step: $0.0) }) {
                if replies.count == 3 && replies[2].code == 354 {
                    // DATA accepted in spite of the refusal before it: end that empty message.
                    step = "DATA"
                    try send(".\r\n")
                    _ = try readReply()
                }
                needsReset = true
                return refusal(refused.1, to: refused.0)
            }

            step = "the message"
            output.removeAll(keepingCapacity: true)
            Self.appendData(message.bytes, to: &output)
            if pipelining, let next {
                appendCommands(Self.commands(for: next))
                commandsInFlight = true
            }
            wroteMessageData = true
            try stream.write(output)
            let final = try readReply()
            if final.code / 100 == 2 { return .finished(.sent(detail: final.text)) }
            return refusal(final, to: step)
        } catch {
            if let error = error as? TCPStreamError, error.isTimeout {
                return .connectionLost(.temporaryFailure(
                    reason: "relay \(relayName) timed out during \(step): no answer within \(Int(timeout)) s"))
            }
            let reason = (error as? TCPStreamError)?.reason ?? "\(error)"
            return .connectionLost(.temporaryFailure(reason: "relay \(relayName) failed during \(step): \(reason)"))
        }
    }

    /// Closes a connection that broke, without a word.
    func abandon() {
        stream.close()
    }

    /// Says QUIT, waits briefly for the goodbye, and closes.
    func close() {
        if (try? stream.write(Self.quit)) != nil {
            _ = try? readReply(until: Date().addingTimeInterval(min(timeout, 2)))
        }
        stream.close()
    }

    // MARK: - Answers

    private func accepts(_ reply: Reply, step: String) -> Bool {
        step == "DATA" ? reply.code == 354 : reply.code / 100 == 2
    }

    private func refusal(_ reply: Reply, to step: String) -> Outcome {
        let reason = "relay \(relayName) answered \"\(reply.text)\" to \(step)"
        if reply.code == 421 { return .connectionLost(.temporaryFailure(reason: reason)) }
        return .finished(reply.code / 100 == 5 ? .permanentFailure(reason: reason) : .temporaryFailure(reason: reason))
    }

    /// A 421, to any command: the relay is closing the connection.
    private func closing(_ reply: Reply, step: String) -> Outcome? {
        reply.code == 421 ? refusal(reply, to: step) : nil
    }

    private func readReply() throws -> Reply {
        try readReply(until: Date().addingTimeInterval(timeout))
    }

    private func readReply(until deadline: Date) throws -> Reply {
        try readReply(until: deadline, collectingLines: false).reply
    }

    /// Reads one reply, all of its lines ("250-…" up to "250 …").
    private func readReply(until deadline: Date, collectingLines: Bool) throws -> (reply: Reply, lines: [ArraySlice<UInt8>]) {
        var lines: [ArraySlice<UInt8>] = []
        while true {
            let line = try readLine(until: deadline)
            guard line.count >= 3, line.prefix(3).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  line.count == 3 || line[line.startIndex + 3] == UInt8(ascii: " ") || line[line.startIndex + 3] == UInt8(ascii: "-")
            else {
                let shown = String(decoding: printableASCII(line.prefix(80)), as: UTF8.self)
                throw TCPStreamError("not an SMTP reply: \"\(shown)\"")
            }
            if collectingLines { lines.append(ArraySlice(Array(line))) }
            if line.count == 3 || line[line.startIndex + 3] == UInt8(ascii: " ") {
                let code = line.prefix(3).reduce(0) { $0 * 10 + Int($1 - 0x30) }
                let text = String(decoding: printableASCII(line.prefix(512)), as: UTF8.self)
                return (Reply(code: code, text: text), lines)
            }
        }
    }

    /// The next line without its CR LF (or bare LF).
    private func readLine(until deadline: Date) throws -> ArraySlice<UInt8> {
        while true {
            if let newline = input[inputStart...].firstIndex(of: 0x0A) {
                var end = newline
                if end > inputStart && input[end - 1] == 0x0D { end -= 1 }
                let line = input[inputStart..<end]
                inputStart = newline + 1
                return line
            }
            guard input.count - inputStart < 65_536 else {
                throw TCPStreamError("an answer line longer than 64 KiB")
            }
            if inputStart > 0 {
                input.removeSubrange(0..<inputStart)
                inputStart = 0
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw Self.timedOut }
            let count: Int
            do {
                count = try scratch.withUnsafeMutableBytes { try stream.read(into: $0, timeout: remaining) }
            } catch let error as TCPStreamError where error.isTimeout {
                throw Self.timedOut
            }
            input.append(contentsOf: scratch[..<count])
            if count == 0 { throw TCPStreamError("the relay closed the connection") }
        }
    }

    /// The deadline passed without a full answer; callers say which limit it was.
    private static let timedOut = TCPStreamError("no answer in time", isTimeout: true)

    // MARK: - Commands

    private static let reset = Array("RSET\r\n".utf8)
    private static let quit = Array("QUIT\r\n".utf8)

    private func send(_ command: String) throws {
        try stream.write(Array(command.utf8))
    }

    /// MAIL, RCPT and DATA of one message, without their CR LF.
    private static func commands(for message: MIMEMessage) -> [String] {
        ["MAIL FROM:<\(message.envelopeFrom)>", "RCPT TO:<\(message.envelopeTo)>", "DATA"]
    }

    private func appendCommands(_ commands: [String]) {
        for command in commands {
            output.append(contentsOf: command.utf8)
            output.append(contentsOf: [0x0D, 0x0A])
        }
    }

    /// The message with every line that starts with "." given a second one
    /// (RFC 5321 §4.5.2), then the end of data.
    static func appendData(_ body: Data, to out: inout [UInt8]) {
        body.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var runStart = 0
            var atLineStart = true
            for index in bytes.indices {
                let byte = bytes[index]
                if atLineStart && byte == UInt8(ascii: ".") {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                    out.append(UInt8(ascii: "."))
                    runStart = index
                }
                atLineStart = byte == 0x0A
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
            if !(bytes.count >= 2 && bytes[bytes.count - 2] == 0x0D && bytes[bytes.count - 1] == 0x0A) {
                out.append(contentsOf: [0x0D, 0x0A])
            }
        }
        out.append(contentsOf: [UInt8(ascii: "."), 0x0D, 0x0A])
    }

    /// This machine's host name, for EHLO when the relay has no `helo`.
    static let localHostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }()
}

/// A relay's words as they may be shown and logged: printable ASCII, every
/// other byte a '?'.
func printableASCII(_ bytes: some Sequence<UInt8>) -> [UInt8] {
    bytes.map { $0 >= 0x20 && $0 < 0x7F ? $0 : UInt8(ascii: "?") }
}
