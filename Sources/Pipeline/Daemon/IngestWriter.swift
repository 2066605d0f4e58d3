import CampaignCore
import Foundation
import Logging
import Store

/// Decides, for one envelope, whether the instance wants it and for which
/// trigger event.
public protocol EnvelopeRouter: Sendable {
    /// The campaignctl trigger event that takes this Analytics trigger, or
    /// nil when no configured trigger does (the message is dropped).
    func route(analyticsTriggerId: String?, topic: String) -> String?
}

/// Turns routed envelopes into stored events: group commits of up to
/// `maximumBatch` events, each written in one transaction together with the
/// offsets it advances. A batch is written as soon as it is full, or when its
/// oldest event has waited `maximumDelay` (so latency stays in milliseconds
/// at low rates), and offsets alone are flushed at least every `offsetPeriod`.
/// When the store cannot keep up (or the disk is full) the buffer fills and
/// `receive` blocks, which stops reading the stream: back-pressure instead of
/// unbounded memory. On a full disk the writer holds (see `StorageHold`):
/// the batch and its offsets stay in memory until a retry stores them.
public final class IngestWriter: TopicSink, @unchecked Sendable {
    public struct Settings: Sendable {
        /// `pointerFlushMessageCount`.
        public var maximumBatch: Int
        public var maximumDelay: TimeInterval
        /// `pointerFlushPeriodSec`.
        public var offsetPeriod: TimeInterval
        /// Events buffered before `receive` blocks.
        public var highWatermark: Int

        public init(maximumBatch: Int = 1000, maximumDelay: TimeInterval = 0.02, offsetPeriod: TimeInterval = 5, highWatermark: Int? = nil) {
            self.maximumBatch = max(1, maximumBatch)
            self.maximumDelay = maximumDelay
            self.offsetPeriod = offsetPeriod
            self.highWatermark = highWatermark ?? max(4 * self.maximumBatch, 4000)
        }
    }

    let store: InstanceStore
    let router: any EnvelopeRouter
    let settings: Settings
    let stats: PipelinedStats
    let logger: Logger
    let hold: StorageHold
    /// Called after each batch that stored new events (the processor wakes up).
    let onStored: @Sendable (Int) -> Void

    private let condition = NSCondition()
    private var buffer: [IncomingEvent] = []
    private var offsets: [PartitionKey: Int64] = [:]
    private var oldestBuffered: Date?
    private var lastOffsetFlush = Date()
    private var stopping = false
    private var finished = false

    /// `hold` is shared with the processing workers: a full disk pauses both
    /// (one is made when none is given).
    public init(store: InstanceStore, router: any EnvelopeRouter, settings: Settings, stats: PipelinedStats,
                logger: Logger, hold: StorageHold? = nil, onStored: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.store = store
        self.router = router
        self.settings = settings
        self.stats = stats
        self.logger = logger
        self.hold = hold ?? StorageHold(logger: logger, stats: stats)
        self.onStored = onStored
    }

    /// Starts the writer thread.
    public func start() {
        let thread = Thread { [self] in writeLoop() }
        thread.name = "pipelined-ingest"
        thread.start()
    }

    /// Flushes what is buffered and stops the writer; returns when done.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    // MARK: TopicSink

    public func receive(_ envelopes: [PipelineEnvelope], from subscription: TopicSubscription) {
        var accepted: [IncomingEvent] = []
        accepted.reserveCapacity(envelopes.count)
        var highest: [Int: Int64] = [:]
        var bytes = 0
        for envelope in envelopes {
            bytes += envelope.raw.count + 1
            highest[envelope.partition] = max(highest[envelope.partition] ?? -1, envelope.offset)
            guard let trigger = router.route(analyticsTriggerId: envelope.analyticsTriggerId, topic: subscription.topic) else { continue }
            accepted.append(IncomingEvent(
                consumer: subscription.consumer, topic: subscription.topic, partition: envelope.partition, offset: envelope.offset,
                messageId: envelope.messageId, sentTime: envelope.sentTime, analyticsTriggerId: envelope.analyticsTriggerId, triggerEventId: trigger,
                createTime: envelope.createTime, envelope: envelope.raw))
        }
        let discarded = envelopes.count - accepted.count
        let received = bytes
        stats.update {
            $0.triggerReceived += Int64(envelopes.count)
            $0.triggerDiscarded += Int64(discarded)
            $0.bytesRead += Int64(received)
            $0.lastAlive = Date()
        }

        condition.lock()
        while buffer.count >= settings.highWatermark && !stopping { condition.wait() }
        if buffer.isEmpty && !accepted.isEmpty { oldestBuffered = Date() }
        buffer.append(contentsOf: accepted)
        for (partition, offset) in highest {
            let key = PartitionKey(consumer: subscription.consumer, topic: subscription.topic, partition: partition)
            offsets[key] = max(offsets[key] ?? -1, offset)
        }
        let count = buffer.count
        condition.signal()
        condition.unlock()
        stats.setCurrentMessages(Int64(count))
    }

    public func fault(_ fault: EnvelopeFault, from subscription: TopicSubscription) {
        stats.update { $0.protocolFaults += 1 }
        logger.warning("Listener: protocol fault on topic '\(subscription.topic)': \(fault.reason); skipped")
    }

    public func pingReceived(from subscription: TopicSubscription) {
        stats.update {
            $0.pingReceived += 1
            $0.lastAlive = Date()
        }
    }

    public func connectionChanged(connected: Bool, host: String, from subscription: TopicSubscription) {
        stats.update {
            if connected {
                $0.pipelineHost = host
                $0.lastAlive = Date()
            } else {
                $0.lastFailedConnection = Date()
                $0.reconnects += 1
            }
        }
    }

    // MARK: Writing

    private func writeLoop() {
        condition.lock()
        while true {
            let now = Date()
            let batchDue = buffer.count >= settings.maximumBatch
                || (oldestBuffered.map { now.timeIntervalSince($0) >= settings.maximumDelay } ?? false)
            let offsetsDue = !offsets.isEmpty && now.timeIntervalSince(lastOffsetFlush) >= settings.offsetPeriod
            if batchDue || offsetsDue || (stopping && (!buffer.isEmpty || !offsets.isEmpty)) {
                let take = min(buffer.count, settings.maximumBatch)
                let batch = Array(buffer.prefix(take))
                // Offsets may be committed only up to what this batch stores:
                // when more events stay buffered, commit the batch's own
                // highest offsets per partition, not the stream's.
                let batchOffsets: [PartitionKey: Int64]
                if take == buffer.count {
                    batchOffsets = offsets
                } else {
                    var partial: [PartitionKey: Int64] = [:]
                    for event in batch {
                        let key = PartitionKey(consumer: event.consumer, topic: event.topic, partition: event.partition)
                        partial[key] = max(partial[key] ?? -1, event.offset)
                    }
                    batchOffsets = partial
                }
                condition.unlock()
                let written = write(batch, batchOffsets)
                condition.lock()
                if written {
                    buffer.removeFirst(take)
                    for (key, offset) in batchOffsets where offsets[key] == offset { offsets[key] = nil }
                    oldestBuffered = buffer.isEmpty ? nil : Date()
                    lastOffsetFlush = Date()
                    condition.broadcast()
                } else if stopping {
                    break
                } else {
                    // Kept: the batch and its offsets (nothing acknowledged
                    // that is not stored); tried again after a pause.
                    _ = condition.wait(until: Date().addingTimeInterval(hold.retryInterval))
                }
                continue
            }
            if stopping { break }
            let wake = oldestBuffered.map { $0.addingTimeInterval(settings.maximumDelay) }
                ?? lastOffsetFlush.addingTimeInterval(settings.offsetPeriod)
            _ = condition.wait(until: max(wake, Date().addingTimeInterval(0.001)))
        }
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// `topic/partition:offset` of each partition, for debug lines.
    static func describe(_ offsets: [PartitionKey: Int64]) -> String {
        offsets.isEmpty ? "unchanged" : offsets.sorted { $0.key < $1.key }.map { "\($0.key.topic)/\($0.key.partition):\($0.value)" }.joined(separator: " ")
    }

    /// Writes one batch; returns false (and keeps the batch) on failure.
    private func write(_ batch: [IncomingEvent], _ batchOffsets: [PartitionKey: Int64]) -> Bool {
        let started = Date()
        do {
            let result = try store.storeEvents(batch, advancing: batchOffsets)
            let elapsed = Date().timeIntervalSince(started) * 1000
            hold.writeSucceeded()
            stats.update {
                $0.pointerFlushes += 1
                $0.pointerFlushTimeTotalMs += elapsed
                $0.triggerStored += Int64(result.stored)
                $0.triggerDuplicates += Int64(result.duplicates)
                $0.lastFlush = Date()
                $0.processedSinceLastFlush = Int64(batch.count)
            }
            if result.stored > 0 { onStored(result.stored) }
            logger.debug("Stored \(result.stored) events (\(result.duplicates) already stored) in \(String(format: "%.1f", elapsed)) ms; offsets \(Self.describe(batchOffsets))")
            return true
        } catch {
            stats.update { $0.pointerFlushErrors += 1 }
            if !hold.writeFailed(error, while: "storing \(batch.count) events") {
                logger.error("Cannot store \(batch.count) events: \(error); retrying")
            }
            return false
        }
    }
}
