import CampaignCore
import Foundation
import Logging

/// Gives the consumer a bearer token, and forgets it when the pipeline
/// answers 401 so that the next call fetches a new one.
public protocol BearerTokenSource: Sendable {
    func bearerToken() async throws -> String
    func invalidate() async
}

/// Where one topic is read from, and as whom.
public struct TopicSubscription: Sendable, Equatable {
    public var endpoint: URL
    public var topic: String
    public var consumer: String
    /// Sent as `x-api-key`.
    public var clientId: String
    /// Sent as `x-gw-ims-org-id`.
    public var orgId: String

    public init(endpoint: URL, topic: String, consumer: String, clientId: String, orgId: String) {
        self.endpoint = endpoint
        self.topic = topic
        self.consumer = consumer
        self.clientId = clientId
        self.orgId = orgId
    }
}

/// What the consumer hands on: it is called on the consumer's thread and may
/// block (back-pressure: the stream is not read while it blocks).
public protocol TopicSink: Sendable {
    func receive(_ envelopes: [PipelineEnvelope], from subscription: TopicSubscription)
    func fault(_ fault: EnvelopeFault, from subscription: TopicSubscription)
    func pingReceived(from subscription: TopicSubscription)
    func connectionChanged(connected: Bool, host: String, from subscription: TopicSubscription)
}

/// Reconnect delays: 1 s doubling to 30 s, with jitter (pipeline-protocol §3).
public struct Backoff: Sendable {
    public var initial: Double
    public var maximum: Double
    public init(initial: Double = 1, maximum: Double = 30) {
        self.initial = initial
        self.maximum = maximum
    }

    func delay(attempt: Int) -> Double {
        let base = min(maximum, initial * pow(2, Double(max(0, attempt - 1))))
        return base * Double.random(in: 0.8...1.2)
    }
}

/// Reads one topic for one consumer, for as long as it runs: one long-running
/// stream from the stored offsets, reconnecting with backoff, renewing the
/// token on a 401. Runs on its own thread (`run()` blocks).
public final class TopicConsumer: @unchecked Sendable {
    public let subscription: TopicSubscription
    let tokens: any BearerTokenSource
    let sink: any TopicSink
    let logger: Logger
    let backoff: Backoff
    let stallSeconds: Int
    let lock = NSLock()
    var stopped = false
    var current: StreamingHTTPGet?
    /// The highest offset seen per partition: a replay at or below it is dropped.
    var seen: [Int: Int64]

    public init(subscription: TopicSubscription, startOffsets: [Int: Int64], tokens: any BearerTokenSource,
                sink: any TopicSink, logger: Logger, backoff: Backoff = Backoff(), stallSeconds: Int = 30) {
        self.subscription = subscription
        self.seen = startOffsets
        self.tokens = tokens
        self.sink = sink
        self.logger = logger
        self.backoff = backoff
        self.stallSeconds = stallSeconds
    }

    public func stop() {
        let stream = lock.withLock { () -> StreamingHTTPGet? in
            stopped = true
            return current
        }
        stream?.cancel()
    }

    var isStopped: Bool { lock.withLock { stopped } }

    /// The `offsets` query value: `p:o,p:o`, the last processed offset per partition.
    static func offsetsParameter(_ offsets: [Int: Int64]) -> String {
        offsets.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
    }

    func streamURL() -> URL {
        var components = URLComponents(url: subscription.endpoint.appendingPathComponent("v1/topics/\(subscription.topic)/messages"),
                                       resolvingAgainstBaseURL: false)!
        var items = [URLQueryItem(name: "consumer", value: subscription.consumer)]
        let offsets = lock.withLock { seen }
        if !offsets.isEmpty { items.append(URLQueryItem(name: "offsets", value: Self.offsetsParameter(offsets))) }
        components.queryItems = items
        return components.url!
    }

    public func run() {
        var failures = 0
        let host = subscription.endpoint.host ?? subscription.endpoint.absoluteString
        while !isStopped {
            let token: String
            do {
                token = try blocking { try await self.tokens.bearerToken() }
            } catch {
                failures += 1
                logger.error("Listener: cannot get an access token: \(error)")
                if !pause(backoff.delay(attempt: failures)) { return }
                continue
            }
            let stream = StreamingHTTPGet()
            lock.withLock { current = stream }
            if isStopped { return }
            let url = streamURL()
            logger.debug("Listener: requesting \(url.absoluteString)")
            var receivedData = false
            var connectedReported = false
            let outcome = stream.perform(
                url: url,
                headers: ["Authorization: Bearer \(token)", "x-api-key: \(subscription.clientId)",
                          "x-gw-ims-org-id: \(subscription.orgId)", "Accept: application/x-ndjson"],
                stallSeconds: stallSeconds, maximumLineBytes: PipelineEnvelopeParser.maximumLineBytes,
                onConnected: { [self] in
                    logger.debug("Listener: streaming topic '\(subscription.topic)' from \(host)")
                    connectedReported = true
                    sink.connectionChanged(connected: true, host: host, from: subscription)
                },
                onLines: { [self] lines in
                    receivedData = handle(lines) || receivedData
                    return !isStopped
                },
                onOverlongLine: { [self] size in
                    sink.fault(EnvelopeFault("line of \(size) bytes exceeds the \(PipelineEnvelopeParser.maximumLineBytes)-byte limit"),
                               from: subscription)
                })
            lock.withLock { current = nil }
            if connectedReported { sink.connectionChanged(connected: false, host: host, from: subscription) }
            if isStopped { return }
            if receivedData { failures = 0 }
            switch outcome {
            case .cancelled:
                return
            case .rejected(status: 401, _), .rejected(status: 403, _):
                logger.warning("Listener: the pipeline refused the access token (HTTP 401); renewing it.")
                blocking { await self.tokens.invalidate() }
                failures += 1
                // A fresh token is worth one immediate retry; after that, back off.
                if failures > 1, !pause(backoff.delay(attempt: failures - 1)) { return }
            case .rejected(let status, let body):
                failures += 1
                logger.warning("Connection seems to have been lost. Attempting to reconnect. (HTTP \(status): \(body.prefix(200)))")
                if !pause(backoff.delay(attempt: failures)) { return }
            case .failed(let reason):
                failures += 1
                logger.warning("Connection seems to have been lost. Attempting to reconnect. (\(reason))")
                if !pause(backoff.delay(attempt: failures)) { return }
            case .ended:
                failures += 1
                logger.warning("Connection seems to have been lost. Attempting to reconnect. (the server ended the stream)")
                if !pause(backoff.delay(attempt: failures)) { return }
            }
        }
    }

    /// Parses a batch of lines; returns whether any DATA envelope was new.
    func handle(_ lines: [Data]) -> Bool {
        var accepted: [PipelineEnvelope] = []
        accepted.reserveCapacity(lines.count)
        var pings = 0
        for parsed in Self.parse(lines) {
            do {
                let envelope = try parsed.get()
                switch envelope.kind {
                case .ping:
                    pings += 1
                case .data:
                    let isNew = lock.withLock { () -> Bool in
                        if let last = seen[envelope.partition], envelope.offset <= last { return false }
                        seen[envelope.partition] = envelope.offset
                        return true
                    }
                    if isNew { accepted.append(envelope) }
                case .unknown(let type):
                    sink.fault(EnvelopeFault("unknown envelopeType '\(type)'"), from: subscription)
                }
            } catch {
                sink.fault(error, from: subscription)
            }
        }
        let replayed = lines.count - pings - accepted.count
        if replayed > 0 || pings > 0 {
            logger.debug("Listener: \(pings) PING, \(accepted.count) new messages, \(replayed) replayed or refused on topic '\(subscription.topic)'")
        }
        for _ in 0..<pings { sink.pingReceived(from: subscription) }
        if !accepted.isEmpty { sink.receive(accepted, from: subscription) }
        return !accepted.isEmpty
    }

    /// Parsing is most of ingest's work (the strict parser reads every
    /// member of a ~1.7 KB envelope): a large read is parsed on every core,
    /// in slices, and the results keep the stream's order.
    static func parse(_ lines: [Data]) -> [Result<PipelineEnvelope, EnvelopeFault>] {
        let slices = lines.count >= 128 ? min(ProcessInfo.processInfo.activeProcessorCount, 8) : 1
        guard slices > 1 else { return lines.map { line in Result { () throws(EnvelopeFault) in try PipelineEnvelopeParser.parse(line) } } }
        let results = ParsedSlices(count: slices)
        let size = (lines.count + slices - 1) / slices
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let range = (slice * size)..<min(lines.count, (slice + 1) * size)
            results.set(slice, range.map { index in Result { () throws(EnvelopeFault) in try PipelineEnvelopeParser.parse(lines[index]) } })
        }
        return results.joined
    }

    /// Sleeps up to `seconds`, waking early on stop. Returns false if stopped.
    func pause(_ seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if isStopped { return false }
            usleep(20_000)
        }
        return !isStopped
    }
}

/// Runs an async call from a plain thread and waits for it. The call runs
/// on its own executor, not on the shared cooperative pool: a listener thread
/// must get its token even when every pool thread is busy (or blocked by
/// someone else's synchronous work), or the stream would stall behind them.
func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task(executorPreference: DedicatedExecutor.shared) {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

/// A task executor on a private serial queue (GCD's overcommitting threads,
/// outside the width-limited cooperative pool).
final class DedicatedExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = DedicatedExecutor()
    private let queue = DispatchQueue(label: "campaignctl.listener-tasks")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

func blocking(_ body: @escaping @Sendable () async -> Void) {
    _ = try? blocking { () async throws -> Int in
        await body()
        return 0
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

/// The slices of one parallel parse, each written by one thread.
private final class ParsedSlices: @unchecked Sendable {
    private let lock = NSLock()
    private var slices: [[Result<PipelineEnvelope, EnvelopeFault>]]

    init(count: Int) { slices = Array(repeating: [], count: count) }

    func set(_ index: Int, _ value: [Result<PipelineEnvelope, EnvelopeFault>]) { lock.withLock { slices[index] = value } }

    var joined: [Result<PipelineEnvelope, EnvelopeFault>] { lock.withLock { slices.flatMap { $0 } } }
}
