import CCurl
import CampaignCore
import Foundation

/// The most the mail path can take on this machine: one pre-rendered
/// message sent again and again to an SMTP server, `connections`
/// connections in parallel, each reused for all of its messages — no store,
/// no rendering, no bookkeeping. `scripts/bench` compares the daemon's end
/// to end rate with it. The client is libcurl (one command at a time), or
/// the daemon's own plain-relay client with pipelining (`PlainSMTPSession`),
/// which is what the daemon uses for such a relay.
public enum DeliveryCeiling {
    public enum Client: String, Sendable, CaseIterable, Codable {
        case libcurl
        case pipelined
    }

    public struct Result: Sendable, Codable {
        public var client: Client
        public var messages: Int
        public var connections: Int
        public var failed: Int
        public var seconds: Double
        public var messagesPerSecond: Double
    }

    public static func measure(host: String, port: Int, messages: Int, connections: Int, message: Data,
                               client: Client = .libcurl) -> Result {
        CurlRuntime.initialise()
        let connections = max(1, connections)
        let failures = Counter()
        let group = DispatchGroup()
        let started = DispatchTime.now().uptimeNanoseconds
        for lane in 0..<connections {
            let share = messages / connections + (lane < messages % connections ? 1 : 0)
            group.enter()
            Thread.detachNewThread {
                switch client {
                case .libcurl: failures.add(send(count: share, url: "smtp://\(host):\(port)", message: message))
                case .pipelined: failures.add(sendPipelined(count: share, relay: SMTPRelay(host: host, port: port), message: message))
                }
                group.leave()
            }
        }
        group.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let failed = failures.value
        return Result(client: client, messages: messages, connections: connections, failed: failed, seconds: seconds,
                      messagesPerSecond: Double(messages - failed) / seconds)
    }

    /// Sends `count` copies on one pipelined connection; returns how many failed.
    private static func sendPipelined(count: Int, relay: SMTPRelay, message: Data) -> Int {
        guard count > 0, let session = try? PlainSMTPSession.open(relay: relay) else { return count }
        defer { session.close() }
        let mail = MIMEMessage(preRendered: message, envelopeFrom: "bench@example.com", envelopeTo: "sink@example.com")
        for sent in 0..<count {
            guard case .finished(let result) = session.send(mail, then: sent + 1 < count ? mail : nil), result.isSent else {
                return count - sent
            }
        }
        return 0
    }

    /// Sends `count` copies on one connection; returns how many failed.
    private static func send(count: Int, url: String, message: Data) -> Int {
        guard count > 0, let handle = curl_easy_init() else { return count }
        defer { curl_easy_cleanup(handle) }
        let body = Body(message)
        let context = Unmanaged.passRetained(body)
        defer { context.release() }
        var recipients: UnsafeMutablePointer<curl_slist>?
        recipients = curl_slist_append(recipients, "<sink@example.com>")
        defer { curl_slist_free_all(recipients) }
        _ = cc_setopt_string(handle, CURLOPT_URL, url)
        _ = cc_setopt_long(handle, CURLOPT_UPLOAD, 1)
        _ = cc_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = cc_setopt_long(handle, CURLOPT_TCP_NODELAY, 1)
        _ = cc_setopt_string(handle, CURLOPT_MAIL_FROM, "<bench@example.com>")
        _ = cc_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients)
        _ = cc_setopt_long(handle, CURLOPT_INFILESIZE, message.count)
        _ = cc_setopt_read_callback(handle, bodyReadCallback)
        _ = cc_setopt_pointer(handle, CURLOPT_READDATA, context.toOpaque())
        var failed = 0
        for _ in 0..<count {
            body.offset = 0
            if curl_easy_perform(handle) != CURLE_OK { failed += 1 }
        }
        return failed
    }

    private final class Body {
        let bytes: Data
        var offset = 0
        init(_ bytes: Data) { self.bytes = bytes }
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var total = 0
        func add(_ n: Int) { lock.withLock { total += n } }
        var value: Int { lock.withLock { total } }
    }

    private static let bodyReadCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { buffer, size, count, user in
        guard let buffer, let user else { return 0 }
        let body = Unmanaged<Body>.fromOpaque(user).takeUnretainedValue()
        return copyUploadChunk(body.bytes, offset: &body.offset, into: buffer, capacity: size * count)
    }
}
