import CCurl
import Foundation

/// One HTTP GET whose body is consumed line by line as it arrives, on the
/// calling thread, through libcurl. The pipeline's topic stream is a chunked
/// response held open for minutes; URLSession on Linux cannot stream a body
/// as an async sequence, and libcurl gives direct control of stall detection.
final class StreamingHTTPGet: @unchecked Sendable {
    enum Outcome: Sendable, Equatable {
        /// The server closed the body normally.
        case ended(status: Int)
        /// A non-2xx answer, with (the start of) its body.
        case rejected(status: Int, body: String)
        /// Connection failure, timeout, or no bytes for `stallSeconds`.
        case failed(String)
        /// `cancel()` was called, or the line handler asked to stop.
        case cancelled
    }

    /// The most libcurl hands over per read (see `perform`); 512 KiB is also
    /// the largest value libcurl before 7.88 accepts.
    static let readBufferBytes = 512 * 1024

    private let lock = NSLock()
    private var cancelRequested = false
    private var socket: Int32 = -1

    /// Stops a running `perform` now: shutting the socket down wakes libcurl
    /// from its wait for data. Under the lock that libcurl's close of the
    /// socket takes too (`socketClosing`): a descriptor closed and reused by
    /// another connection of the process is never shut down.
    func cancel() {
        lock.withLock {
            cancelRequested = true
            if socket >= 0 { shutdown(socket, Int32(SHUT_RDWR)) }
        }
    }

    func socketOpened(_ fd: Int32) {
        lock.withLock {
            socket = fd
            if cancelRequested { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    func socketClosing(_ fd: Int32) {
        lock.withLock {
            if socket == fd { socket = -1 }
            close(fd)
        }
    }

    var isCancelled: Bool { lock.withLock { cancelRequested } }

    /// Performs the GET, calling `onLines` with each batch of complete lines
    /// (without their newline). `onLines` returns false to stop reading.
    /// `onConnected` is called once when a 2xx status line has arrived.
    func perform(url: URL, headers: [String], connectTimeout: Int = 10, stallSeconds: Int = 30,
                 maximumLineBytes: Int, onConnected: @escaping () -> Void = {}, onLines: @escaping ([Data]) -> Bool,
                 onOverlongLine: @escaping (Int) -> Void) -> Outcome {
        CurlRuntime.initialise()
        guard let handle = curl_easy_init() else { return .failed("libcurl could not create a handle") }
        defer { curl_easy_cleanup(handle) }

        let context = StreamContext(owner: self, handle: handle, maximumLineBytes: maximumLineBytes,
                                    onConnected: onConnected, onLines: onLines, onOverlongLine: onOverlongLine)
        let unmanaged = Unmanaged.passRetained(context)
        defer { unmanaged.release() }

        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }

        _ = cc_setopt_string(handle, CURLOPT_URL, url.absoluteString)
        _ = cc_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        _ = cc_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, connectTimeout)
        // A stream that sends nothing for `stallSeconds` is dead: the server
        // pings at least every 10 s (pipeline-protocol §3).
        _ = cc_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1)
        _ = cc_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, stallSeconds)
        _ = cc_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = cc_setopt_long(handle, CURLOPT_TCP_NODELAY, 1)
        // Reads of up to 512 KiB (libcurl's default is 16 KiB, ~10
        // envelopes): a flood arrives in reads of hundreds of lines, which
        // the listener parses on every core and hands to the writer at once;
        // a quiet stream still gets each read as soon as it arrives.
        _ = cc_setopt_long(handle, CURLOPT_BUFFERSIZE, Self.readBufferBytes)
        _ = cc_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
        _ = cc_setopt_write_callback(handle, streamWriteCallback)
        _ = cc_setopt_pointer(handle, CURLOPT_WRITEDATA, unmanaged.toOpaque())
        _ = cc_setopt_xferinfo_callback(handle, streamProgressCallback)
        _ = cc_setopt_pointer(handle, CURLOPT_XFERINFODATA, unmanaged.toOpaque())
        _ = cc_setopt_sockopt_callback(handle, streamSocketCallback)
        _ = cc_setopt_pointer(handle, CURLOPT_SOCKOPTDATA, unmanaged.toOpaque())
        // `self`, not the context: libcurl closes the socket in curl_easy_cleanup, after the context's last use.
        _ = cc_setopt_closesocket_callback(handle, streamCloseSocketCallback)
        _ = cc_setopt_pointer(handle, CURLOPT_CLOSESOCKETDATA, Unmanaged.passUnretained(self).toOpaque())

        let code = curl_easy_perform(handle)
        var status = 0
        _ = cc_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        lock.withLock { socket = -1 }

        if context.stopRequested || isCancelled { return .cancelled }
        if status != 0 && !(200..<300).contains(status) {
            return .rejected(status: status, body: String(decoding: context.errorBody.prefix(2048), as: UTF8.self))
        }
        guard code == CURLE_OK else {
            return .failed(String(cString: curl_easy_strerror(code)))
        }
        context.flushTrailingLine()
        return .ended(status: status)
    }
}

/// State shared with the C callbacks of one transfer.
private final class StreamContext {
    unowned let owner: StreamingHTTPGet
    let handle: UnsafeMutableRawPointer
    let maximumLineBytes: Int
    let onConnected: () -> Void
    var connectedReported = false
    let onLines: ([Data]) -> Bool
    let onOverlongLine: (Int) -> Void
    var pending = Data()
    /// Bytes of an over-long line being skipped until its newline.
    var skipping = 0
    var stopRequested = false
    var checkedStatus = false
    var isError = false
    var errorBody = Data()

    init(owner: StreamingHTTPGet, handle: UnsafeMutableRawPointer, maximumLineBytes: Int, onConnected: @escaping () -> Void,
         onLines: @escaping ([Data]) -> Bool, onOverlongLine: @escaping (Int) -> Void) {
        self.owner = owner
        self.handle = handle
        self.onConnected = onConnected
        self.maximumLineBytes = maximumLineBytes
        self.onLines = onLines
        self.onOverlongLine = onOverlongLine
    }

    func receive(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        var lines: [Data] = []
        var start = 0
        // Newlines found by memchr (vectorised): a read is up to 512 KiB.
        while start < bytes.count, let found = memchr(base + start, 0x0A, bytes.count - start) {
            let index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            var line: Data?
            if pending.isEmpty && skipping == 0 && index - start <= maximumLineBytes {
                // The whole line is in this read: one copy, straight from it.
                line = Data(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            } else {
                appendBounded(UnsafeBufferPointer(rebasing: bytes[start..<index]))
                if skipping > 0 {
                    onOverlongLine(skipping)
                    skipping = 0
                } else {
                    line = pending
                }
                pending.removeAll(keepingCapacity: true)
            }
            if var line {
                if line.last == 0x0D { line.removeLast() }
                if !line.isEmpty { lines.append(line) }
            }
            start = index + 1
        }
        appendBounded(UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]))
        if !lines.isEmpty, !onLines(lines) { stopRequested = true }
    }

    /// Keeps at most `maximumLineBytes` of a line; beyond that the line is
    /// counted and dropped, so a hostile producer cannot exhaust memory.
    private func appendBounded(_ bytes: UnsafeBufferPointer<UInt8>) {
        if skipping > 0 {
            skipping += bytes.count
        } else if pending.count + bytes.count > maximumLineBytes {
            skipping = pending.count + bytes.count
            pending.removeAll(keepingCapacity: false)
        } else {
            pending.append(bytes)
        }
    }

    func flushTrailingLine() {
        if skipping == 0, !pending.isEmpty { _ = onLines([pending]) }
        pending.removeAll()
    }
}

private let streamWriteCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, user in
    guard let data, let user else { return 0 }
    let context = Unmanaged<StreamContext>.fromOpaque(user).takeUnretainedValue()
    let length = size * count
    let buffer = UnsafeBufferPointer(start: UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length)
    if !context.checkedStatus {
        context.checkedStatus = true
        // The status line has been read by the time body bytes arrive; an
        // error answer's body is kept for the message, not parsed as lines.
        var status = 0
        _ = cc_getinfo_long(context.handle, CURLINFO_RESPONSE_CODE, &status)
        context.isError = !(200..<300).contains(status)
    }
    if context.isError {
        if context.errorBody.count < 4096 { context.errorBody.append(buffer) }
        return length
    }
    context.receive(buffer)
    return context.stopRequested || context.owner.isCancelled ? 0 : length
}

private let streamProgressCallback: @convention(c) (UnsafeMutableRawPointer?, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> Int32 = { user, _, _, _, _ in
    guard let user else { return 0 }
    let context = Unmanaged<StreamContext>.fromOpaque(user).takeUnretainedValue()
    if !context.connectedReported {
        var status = 0
        _ = cc_getinfo_long(context.handle, CURLINFO_RESPONSE_CODE, &status)
        if (200..<300).contains(status) {
            context.connectedReported = true
            context.onConnected()
        }
    }
    return context.owner.isCancelled ? 1 : 0
}

private let streamSocketCallback: @convention(c) (UnsafeMutableRawPointer?, curl_socket_t, curlsocktype) -> Int32 = { user, fd, _ in
    guard let user else { return 0 }
    Unmanaged<StreamContext>.fromOpaque(user).takeUnretainedValue().owner.socketOpened(fd)
    return 0 // CURL_SOCKOPT_OK
}

private let streamCloseSocketCallback: @convention(c) (UnsafeMutableRawPointer?, curl_socket_t) -> Int32 = { user, fd in
    guard let user else { return Int32(close(fd)) }
    Unmanaged<StreamingHTTPGet>.fromOpaque(user).takeUnretainedValue().socketClosing(fd)
    return 0
}

/// libcurl wants one global initialisation before any handle is created.
enum CurlRuntime {
    private static let once: Void = { _ = cc_global_init() }()
    static func initialise() { _ = once }
}
