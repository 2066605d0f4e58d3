import Foundation

/// Connections to a plain relay kept open between batches, for the daemon:
/// without them every batch paid for a connect, the greeting, EHLO,
/// QUIT and a close (three round trips and a TCP handshake and teardown,
/// each of which wakes the relay too). A connection idle for longer than
/// `maxIdle` is closed rather than reused: relays drop idle clients (postfix
/// after 300 s, some far sooner), and one dropped anyway is noticed before
/// any message data goes out on it (`SMTPConnector` then sends that message
/// on a new connection).
final class RelayConnectionPool: @unchecked Sendable {
    static let defaultMaxIdle: TimeInterval = 10

    let maxIdle: TimeInterval
    /// More than the daemon's processing threads ever hold at once.
    let capacity: Int
    private let lock = NSLock()
    private var idle: [(session: PlainSMTPSession, since: Date)] = []

    init(maxIdle: TimeInterval = defaultMaxIdle, capacity: Int = 16) {
        self.maxIdle = maxIdle
        self.capacity = capacity
    }

    /// The most recently returned connection that is not too old, if any.
    func take(now: Date = Date()) -> PlainSMTPSession? {
        let (fresh, stale) = lock.withLock { () -> (PlainSMTPSession?, [PlainSMTPSession]) in
            let stale = idle.filter { now.timeIntervalSince($0.since) > maxIdle }.map(\.session)
            idle.removeAll { now.timeIntervalSince($0.since) > maxIdle }
            return (idle.popLast()?.session, stale)
        }
        for session in stale { session.close() }
        return fresh
    }

    /// Keeps a connection that is in a state to start the next transaction.
    func put(_ session: PlainSMTPSession, now: Date = Date()) {
        let kept = lock.withLock { () -> Bool in
            guard idle.count < capacity else { return false }
            idle.append((session, now))
            return true
        }
        if !kept { session.close() }
    }

    /// Says QUIT on every kept connection and closes it.
    func closeAll() {
        let sessions = lock.withLock { () -> [PlainSMTPSession] in
            defer { idle.removeAll() }
            return idle.map(\.session)
        }
        for session in sessions { session.close() }
    }

    /// How many connections are open and idle (for tests).
    var idleCount: Int { lock.withLock { idle.count } }

    deinit {
        closeAll()
    }
}
