import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure of a TCP connection. `reason` is the system's words alone
/// (for callers that say which peer themselves).
struct TCPStreamError: Error, CustomStringConvertible {
    var description: String
    var reason: String
    /// Nothing arrived before the deadline (the connection may still be fine).
    var isTimeout: Bool
    init(_ description: String, reason: String? = nil, isTimeout: Bool = false) {
        self.description = description
        self.reason = reason ?? description
        self.isTimeout = isTimeout
    }
}

/// A blocking TCP connection, under an SMPP session or an SMTP relay
/// session. Writes are serialised by a lock; reads belong to one thread
/// (the session's or the simulator's reader). `shutdown()` wakes a
/// blocked reader; the reader closes the fd.
final class TCPStream: @unchecked Sendable {
    let fd: Int32
    /// Guards writes and `isClosed`, so that no write ever reaches a closed
    /// (and perhaps reused) descriptor.
    private let writeLock = NSLock()
    private var isClosed = false

    init(fd: Int32) {
        self.fd = fd
        var yes: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
        // A peer that stops reading cannot block a writer (who holds the lock) for long.
        var sendTimeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
        #if canImport(Darwin)
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &yes, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }

    /// Connects to `host:port` within `timeout` seconds, trying each address.
    static func connect(host: String, port: Int, timeout: TimeInterval) throws(TCPStreamError) -> TCPStream {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            let reason = String(cString: gai_strerror(resolved))
            throw TCPStreamError("cannot resolve \(host): \(reason)", reason: "cannot resolve \(host): \(reason)")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            cursor = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else { lastError = String(cString: strerror(errno)); continue }
            let flags = fcntl(fd, F_GETFL, 0)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            var result = Glibc_connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
            if result != 0 && errno == EINPROGRESS {
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let ready = poll(&pfd, 1, Int32(timeout * 1000))
                if ready == 1 {
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                    result = error == 0 ? 0 : -1
                    errno = error
                } else {
                    result = -1
                    errno = ETIMEDOUT
                }
            }
            if result == 0 {
                _ = fcntl(fd, F_SETFL, flags)
                return TCPStream(fd: fd)
            }
            lastError = errno == ETIMEDOUT ? "no answer within \(Int(timeout)) s" : String(cString: strerror(errno))
            _ = Glibc_close(fd)
        }
        throw TCPStreamError("cannot connect to \(host):\(port): \(lastError)", reason: lastError)
    }

    /// Writes all of `bytes` (blocking; a peer that stops reading fails it after 10 s).
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try writeLock.withLock {
            guard !isClosed else { throw TCPStreamError("the connection is closed") }
            var sent = 0
            while sent < bytes.count {
                #if canImport(Glibc)
                let n = Glibc.send(fd, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
                #else
                let n = Darwin.send(fd, bytes.baseAddress! + sent, bytes.count - sent, 0)
                #endif
                if n < 0 {
                    if errno == EINTR { continue }
                    throw TCPStreamError("write failed: \(String(cString: strerror(errno)))")
                }
                sent += n
            }
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Waits up to `timeout` seconds for data (or EOF); true if readable.
    func waitReadable(timeout: TimeInterval) -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, Int32(max(timeout, 0) * 1000))
        return ready > 0
    }

    /// Reads what has arrived, at most `capacity` bytes, waiting up to
    /// `timeout` seconds for the first; 0 means the peer closed the connection.
    func read(into buffer: UnsafeMutableRawBufferPointer, timeout: TimeInterval) throws(TCPStreamError) -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if !waitReadable(timeout: deadline.timeIntervalSinceNow) {
                throw TCPStreamError("no answer within \(Int(timeout.rounded(.up))) s", isTimeout: true)
            }
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n >= 0 { return n }
            if errno == EINTR || errno == EAGAIN { continue }
            throw TCPStreamError("read failed: \(String(cString: strerror(errno)))")
        }
    }

    func readExactly(_ count: Int, timeout: TimeInterval, atStart: Bool) throws(TCPStreamError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var got = 0
        let deadline = Date().addingTimeInterval(timeout)
        while got < count {
            if !waitReadable(timeout: deadline.timeIntervalSinceNow) {
                throw TCPStreamError("a PDU did not arrive in full within \(Int(timeout)) s")
            }
            let n = buffer[got...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, count - got, 0) }
            if n == 0 {
                throw TCPStreamError(got == 0 && atStart ? "the peer closed the connection" : "the peer closed the connection mid-PDU")
            }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw TCPStreamError("read failed: \(String(cString: strerror(errno)))")
            }
            got += n
        }
        return buffer
    }

    /// Wakes the reader; the reader closes the fd.
    func shutdown() {
        writeLock.withLock {
            if !isClosed { _ = Glibc_shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    func close() {
        writeLock.withLock {
            if !isClosed {
                isClosed = true
                _ = Glibc_close(fd)
            }
        }
    }
}

// Free-function aliases: inside the class, `connect`, `shutdown` and `close`
// would name the methods.
#if canImport(Glibc)
private func Glibc_connect(_ fd: Int32, _ address: UnsafePointer<sockaddr>!, _ length: socklen_t) -> Int32 { Glibc.connect(fd, address, length) }
private func Glibc_shutdown(_ fd: Int32, _ how: Int32) -> Int32 { Glibc.shutdown(fd, how) }
private func Glibc_close(_ fd: Int32) -> Int32 { Glibc.close(fd) }
#else
private func Glibc_connect(_ fd: Int32, _ address: UnsafePointer<sockaddr>!, _ length: socklen_t) -> Int32 { Darwin.connect(fd, address, length) }
private func Glibc_shutdown(_ fd: Int32, _ how: Int32) -> Int32 { Darwin.shutdown(fd, how) }
private func Glibc_close(_ fd: Int32) -> Int32 { Darwin.close(fd) }
#endif
