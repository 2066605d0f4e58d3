import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Faults the emulator injects on request, so that operators and tests can
/// rehearse what the real pipeline does on a bad day.
public struct StreamFaults: Sendable, Equatable {
    /// Close the connection after every N data messages sent (0 = never).
    public var dropEvery: Int = 0
    /// Answer 401 to the first N stream requests, as an expired token would get.
    public var unauthorizedFirst: Int = 0
    /// Answer 500 to the first N stream requests.
    public var serverErrorFirst: Int = 0
    /// Send a garbage (non-JSON) line after every N data messages (0 = never).
    public var garbageEvery: Int = 0
    /// Seconds between pings when idle; nil sends none (a stalled stream).
    public var pingInterval: Double? = 10

    public init(dropEvery: Int = 0, unauthorizedFirst: Int = 0, serverErrorFirst: Int = 0,
                garbageEvery: Int = 0, pingInterval: Double? = 10) {
        self.dropEvery = dropEvery
        self.unauthorizedFirst = unauthorizedFirst
        self.serverErrorFirst = serverErrorFirst
        self.garbageEvery = garbageEvery
        self.pingInterval = pingInterval
    }
}

/// What the stream server has done, for tests and the emulator's summary.
public struct StreamServerCounters: Sendable, Equatable {
    public var requests = 0
    public var discoveryRequests = 0
    public var rejectedUnauthorized = 0
    public var rejectedServerError = 0
    public var dataMessagesSent = 0
    public var pingsSent = 0
    public var garbageLinesSent = 0
    public var connectionsDropped = 0
}

/// The pipeline's topic endpoint, `GET /v1/topics/{topic}/messages`
/// (pipeline-protocol.md §3): a chunked `application/x-ndjson` answer held
/// open, resuming after the offsets the consumer sends. A small blocking
/// HTTP/1.1 server with a thread per connection: the stream must carry
/// hundreds of thousands of lines a second, which a general-purpose async
/// server's per-byte body sequences cannot.
public final class TopicStreamServer: @unchecked Sendable {
    public typealias TokenCheck = @Sendable (String) -> Bool

    let logs: [String: any TopicLog]
    let isValidToken: TokenCheck
    let lock = NSLock()
    var faults: StreamFaults
    var counters = StreamServerCounters()
    var listener: Int32 = -1
    var stopped = false
    var connections: Set<Int32> = []
    public private(set) var port: UInt16 = 0

    /// - Parameters:
    ///   - logs: topic name → its messages.
    ///   - isValidToken: accepts the bearer tokens the emulator's IMS issued.
    public init(logs: [String: any TopicLog], faults: StreamFaults = StreamFaults(), isValidToken: @escaping TokenCheck) {
        self.logs = logs
        self.faults = faults
        self.isValidToken = isValidToken
    }

    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    public var snapshot: StreamServerCounters { lock.withLock { counters } }

    public func setFaults(_ new: StreamFaults) { lock.withLock { faults = new } }

    /// Binds 127.0.0.1:`port` (0 picks a free one) and starts accepting.
    public func start(port requested: UInt16 = 0) throws {
        let (fd, bound) = try LoopbackSocket.listen(port: requested, backlog: 64, what: "the pipeline emulator")
        port = bound
        lock.withLock { listener = fd }
        Thread.detachNewThread { [self] in acceptLoop(fd) }
    }

    /// Stops accepting and closes every open stream. The streams are shut
    /// down under the lock their threads take to forget them before closing
    /// them: a descriptor closed meanwhile (and reused by another connection
    /// of the process) is never shut down.
    public func stop() {
        let fd = lock.withLock { () -> Int32 in
            stopped = true
            for connection in connections { shutdown(connection, Int32(SHUT_RDWR)) }
            defer { listener = -1 }
            return listener
        }
        // The accept loop closes the listener when shutdown wakes it, so
        // that it never calls accept on a descriptor number reused since.
        if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    var isStopped: Bool { lock.withLock { stopped } }

    private func acceptLoop(_ fd: Int32) {
        defer { close(fd) }
        while !isStopped {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            var yes: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            lock.withLock { _ = connections.insert(client) }
            Thread.detachNewThread { [self] in
                serve(client)
                lock.withLock { _ = connections.remove(client) }
                close(client)
            }
        }
    }

    private func serve(_ fd: Int32) {
        guard let request = readRequest(fd) else { return }
        let (path, query) = splitTarget(request.target)
        if request.method != "GET" {
            return respond(fd, status: 405, body: #"{"error":"method_not_allowed"}"#)
        }
        let parts = path.split(separator: "/").map(String.init)
        if parts == ["v1", "endpoints"] {
            return discovery(fd, request: request)
        }
        guard parts.count == 4, parts[0] == "v1", parts[1] == "topics", parts[3] == "messages" else {
            return respond(fd, status: 404, body: #"{"error":"not_found"}"#)
        }
        let topic = parts[2]
        let authorization = request.headers["authorization"] ?? ""
        let token = authorization.hasPrefix("Bearer ") ? String(authorization.dropFirst(7)) : ""

        enum Verdict { case unauthorized, serverError, open }
        let verdict: Verdict = lock.withLock {
            counters.requests += 1
            if faults.unauthorizedFirst > 0 {
                faults.unauthorizedFirst -= 1
                counters.rejectedUnauthorized += 1
                return .unauthorized
            }
            if faults.serverErrorFirst > 0 {
                faults.serverErrorFirst -= 1
                counters.rejectedServerError += 1
                return .serverError
            }
            return .open
        }
        switch verdict {
        case .unauthorized:
            return respond(fd, status: 401, body: #"{"error":"invalid_token","error_description":"the access token has expired"}"#,
                           extra: ["WWW-Authenticate: Bearer realm=\"Adobe Analytics\""])
        case .serverError:
            return respond(fd, status: 500, body: #"{"error":"internal_error"}"#)
        case .open:
            break
        }
        guard isValidToken(token) else {
            lock.withLock { counters.rejectedUnauthorized += 1 }
            return respond(fd, status: 401, body: #"{"error":"invalid_token","error_description":"unknown or expired access token"}"#,
                           extra: ["WWW-Authenticate: Bearer realm=\"Adobe Analytics\""])
        }
        guard let log = logs[topic] else {
            return respond(fd, status: 404, body: #"{"error":"unknown_topic","error_description":"no topic \#(topic)"}"#)
        }
        guard query["consumer"]?.isEmpty == false else {
            return respond(fd, status: 400, body: #"{"error":"bad_request","error_description":"consumer is required"}"#)
        }
        var positions: [Int: Int64] = [:]
        for partition in log.partitions { positions[partition] = -1 }
        for pair in (query["offsets"] ?? "").split(separator: ",") {
            let pieces = pair.split(separator: ":")
            guard pieces.count == 2, let p = Int(pieces[0]), let o = Int64(pieces[1]) else {
                return respond(fd, status: 400, body: #"{"error":"bad_request","error_description":"offsets must be p:o,p:o"}"#)
            }
            positions[p] = o
        }
        stream(fd, topic: topic, log: log, positions: positions)
    }

    /// `GET /v1/endpoints` (pipeline-protocol.md §2): this server carries every topic.
    private func discovery(_ fd: Int32, request: Request) {
        let authorization = request.headers["authorization"] ?? ""
        let token = authorization.hasPrefix("Bearer ") ? String(authorization.dropFirst(7)) : ""
        lock.withLock { counters.discoveryRequests += 1 }
        guard isValidToken(token) else {
            return respond(fd, status: 401, body: #"{"error":"invalid_token","error_description":"unknown or expired access token"}"#,
                           extra: ["WWW-Authenticate: Bearer realm=\"Adobe Analytics\""])
        }
        let answer: [String: Any] = ["endpoints": [["url": baseURL.absoluteString, "topics": logs.keys.sorted()]]]
        let body = (try? JSONSerialization.data(withJSONObject: answer, options: [.sortedKeys])) ?? Data()
        respond(fd, status: 200, body: String(decoding: body, as: UTF8.self))
    }

    private func stream(_ fd: Int32, topic: String, log: any TopicLog, positions start: [Int: Int64]) {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\nCache-Control: no-store\r\n\r\n"
        guard writeAll(fd, Data(head.utf8)) else { return }
        var positions = start
        let partitions = positions.keys.sorted()
        var lastWrite = Date()
        var sentSinceDrop = 0
        var sentSinceGarbage = 0
        var chunk = Data()
        // A chunk is sent once it passes 256 KiB: room for the last line added.
        chunk.reserveCapacity(1 << 19)
        while !isStopped {
            let now = Date()
            let (faults) = lock.withLock { self.faults }
            var sentThisRound = 0
            var dropNow = false
            for partition in partitions {
                let entries = log.entries(topic: topic, partition: partition, after: positions[partition] ?? -1, limit: 256, at: now)
                for entry in entries {
                    chunk.append(entry.line)
                    chunk.append(0x0A)
                    positions[partition] = entry.offset
                    sentThisRound += 1
                    sentSinceDrop += 1
                    sentSinceGarbage += 1
                    if faults.garbageEvery > 0, sentSinceGarbage >= faults.garbageEvery {
                        sentSinceGarbage = 0
                        chunk.append(contentsOf: Array("this is not json {\n".utf8))
                        lock.withLock { counters.garbageLinesSent += 1 }
                    }
                    if faults.dropEvery > 0, sentSinceDrop >= faults.dropEvery {
                        dropNow = true
                        break
                    }
                }
                if dropNow || chunk.count >= (1 << 18) {
                    guard writeChunk(fd, &chunk) else { return }
                }
                if dropNow { break }
            }
            if sentThisRound > 0 {
                lock.withLock { counters.dataMessagesSent += sentThisRound }
            }
            if dropNow {
                // An abrupt end, as when a broker goes away: no final chunk.
                lock.withLock { counters.connectionsDropped += 1 }
                return
            }
            if !chunk.isEmpty {
                guard writeChunk(fd, &chunk) else { return }
                lastWrite = Date()
                continue
            }
            if let interval = faults.pingInterval, Date().timeIntervalSince(lastWrite) >= interval {
                chunk.append(contentsOf: Array(#"{"envelopeType":"PING","createTime":\#(Int64(Date().timeIntervalSince1970 * 1000))}"#.utf8))
                chunk.append(0x0A)
                guard writeChunk(fd, &chunk) else { return }
                lock.withLock { counters.pingsSent += 1 }
                lastWrite = Date()
            }
            // Nothing to send: wait for the next message or ping, briefly,
            // so a stop or a new message is noticed quickly.
            var wait = 0.005
            if let next = log.nextArrival(after: Date()) { wait = min(wait, max(0, next.timeIntervalSinceNow)) }
            if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
        }
    }

    /// Sends `chunk` framed as one HTTP chunk, without copying it into a
    /// framed buffer (a fresh 256 KiB allocation per chunk, whose page
    /// faults were a third of the emulator's time beside the daemon).
    private func writeChunk(_ fd: Int32, _ chunk: inout Data) -> Bool {
        let sent = writeAll(fd, Data((String(chunk.count, radix: 16) + "\r\n").utf8), more: true)
            && writeAll(fd, chunk, more: true) && writeAll(fd, Data([0x0D, 0x0A]))
        chunk.removeAll(keepingCapacity: true)
        return sent
    }

    private func respond(_ fd: Int32, status: Int, body: String, extra: [String] = []) {
        let reason = [200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error"][status] ?? "Error"
        var head = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n"
        for line in extra { head += line + "\r\n" }
        _ = writeAll(fd, Data((head + "\r\n" + body).utf8))
    }

    /// `more`: more follows at once (MSG_MORE), so that a chunk's frame and
    /// data leave in the same segments.
    private func writeAll(_ fd: Int32, _ data: Data, more: Bool = false) -> Bool {
        data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let n = send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL) | (more ? Int32(MSG_MORE) : 0))
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }

    struct Request {
        var method: String
        var target: String
        var headers: [String: String]
    }

    private func readRequest(_ fd: Int32) -> Request? {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var received = 0
        while received < buffer.count {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + received, $0.count - received, 0) }
            if n <= 0 { return nil }
            received += n
            if let text = String(bytes: buffer[0..<received], encoding: .utf8), let end = text.range(of: "\r\n\r\n") {
                let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
                let requestLine = lines[0].split(separator: " ")
                guard requestLine.count == 3 else { return nil }
                var headers: [String: String] = [:]
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                return Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers)
            }
        }
        return nil
    }

    private func splitTarget(_ target: String) -> (String, [String: String]) {
        guard let components = URLComponents(string: target) else { return (target, [:]) }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }
        return (components.path, query)
    }
}
