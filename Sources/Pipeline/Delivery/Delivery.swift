import Foundation

/// One email ready to send: already rendered, addresses already checked.
/// The connector turns it into MIME; nothing in here is trusted to be free
/// of CR/LF or non-ASCII.
public struct OutgoingEmail: Sendable, Equatable {
    public var from: String
    public var to: String
    public var replyTo: String?
    public var subject: String
    public var html: String?
    public var text: String?
    /// The RFC 5322 Message-ID without angle brackets. The daemon derives it
    /// from the event so that a resend is recognisable downstream.
    public var messageId: String
    public var date: Date

    public init(from: String, to: String, replyTo: String? = nil, subject: String, html: String?, text: String?,
                messageId: String, date: Date = Date()) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.html = html
        self.text = text
        self.messageId = messageId
        self.date = date
    }
}

/// One SMS ready to send.
public struct OutgoingSMS: Sendable, Equatable {
    /// E.164-ish destination, digits with an optional leading '+'.
    public var to: String
    public var text: String
    /// The source address (short code or alphanumeric sender), if any.
    public var from: String?
    /// Stable id derived from the event, like an email's Message-ID.
    public var messageId: String

    public init(to: String, text: String, from: String? = nil, messageId: String) {
        self.to = to
        self.text = text
        self.from = from
        self.messageId = messageId
    }
}

/// What happened to one message. Temporary failures are retried by the
/// daemon until `retryValiditySec`; permanent ones are not.
public enum DeliveryResult: Sendable, Equatable {
    /// Accepted by the next hop; `detail` is its reply (SMTP `250 …`, SMPP message id, file path).
    case sent(detail: String)
    case temporaryFailure(reason: String)
    case permanentFailure(reason: String)

    public var isSent: Bool { if case .sent = self { return true } else { return false } }
}

/// Sends emails: SMTP through libcurl, or the `file:` outbox.
public protocol EmailConnector: Sendable {
    /// Sends each message and returns one result per message, in order. A
    /// connection-level failure gives every unsent message a temporary failure.
    func send(_ emails: [OutgoingEmail]) -> [DeliveryResult]
    /// The same, telling `accepted` the index of each message as soon as the
    /// server took it, so that the caller can record it before the batch ends.
    func send(_ emails: [OutgoingEmail], accepted: (Int) -> Void) -> [DeliveryResult]
    /// Closes what the connector keeps open between calls (QUIT to a kept
    /// relay connection), for a daemon that stops.
    func disconnect()
}

extension EmailConnector {
    public func disconnect() {}

    /// Connectors that cannot tell earlier report acceptance when the batch is done.
    public func send(_ emails: [OutgoingEmail], accepted: (Int) -> Void) -> [DeliveryResult] {
        let results = send(emails)
        for (index, result) in results.enumerated() where result.isSent { accepted(index) }
        return results
    }
}

/// Sends SMS: SMPP 3.4, or the `file:` outbox.
public protocol SMSConnector: Sendable {
    func send(_ messages: [OutgoingSMS]) -> [DeliveryResult]
    /// Closes what the connector keeps open between calls (an SMPP bind).
    func disconnect()
}

extension SMSConnector {
    public func disconnect() {}
}
