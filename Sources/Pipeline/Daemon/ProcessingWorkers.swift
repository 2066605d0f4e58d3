import CampaignCore
import Foundation
import Logging
import Store

/// Decides and carries out what happens to stored events: reconcile,
/// render, send. Implementations call `InstanceStore.beginSends` before
/// handing messages to a connector and return one outcome per event.
public protocol EventHandler: Sendable {
    func handle(_ events: [ClaimedEvent], now: Date) -> [(eventId: Int64, outcome: EventOutcome)]
    /// The daemon stops: close what is kept open (relay connections, binds).
    func stop()
}

extension EventHandler {
    public func stop() {}
}

/// `processingThreads` workers. Worker k owns the partitions whose number is
/// k modulo the worker count, so each partition's events are handled in
/// offset order by one thread, while partitions proceed in parallel.
public final class ProcessingWorkers: @unchecked Sendable {
    let store: InstanceStore
    let stats: PipelinedStats
    let logger: Logger
    let count: Int
    let batchSize: Int
    let hold: StorageHold
    private let handlerLock = NSLock()
    private var handler: any EventHandler
    private let condition = NSCondition()
    private var generation = 0
    private var stopping = false
    private var running = 0

    /// Events a worker reads, sends and records together. Each batch costs
    /// a read of due events, one of profiles and the denylist, two writes
    /// and a relay connection whatever its size: 200 instead of 50 was
    /// about a tenth more messages a second end to end (docs/performance.md).
    /// A crash resends at most the last ~10 ms of acceptances
    /// (`AcceptanceRecorder`), whatever the batch size.
    public static let defaultBatchSize = 200

    /// `hold` is shared with ingest: a full disk pauses both (one is made when none is given).
    public init(store: InstanceStore, handler: any EventHandler, threads: Int, batchSize: Int = defaultBatchSize,
                stats: PipelinedStats, logger: Logger, hold: StorageHold? = nil) {
        self.store = store
        self.hold = hold ?? StorageHold(logger: logger, stats: stats)
        self.handler = handler
        self.count = max(1, threads)
        self.batchSize = max(1, batchSize)
        self.stats = stats
        self.logger = logger
    }

    /// Swaps the handler (after a configuration reload); batches in flight finish with the old one.
    public func replaceHandler(_ new: any EventHandler) { handlerLock.withLock { handler = new } }

    public func start() {
        condition.lock()
        running = count
        condition.unlock()
        for lane in 0..<count {
            let thread = Thread { [self] in loop(lane: lane) }
            thread.name = "pipelined-worker-\(lane)"
            thread.start()
        }
    }

    /// New events were stored: wake the workers.
    public func wake() {
        condition.lock()
        generation &+= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Lets every worker finish the batch in hand, then returns.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    private func loop(lane: Int) {
        var idle = false
        // Events whose outcome could not be written (not a full disk): not
        // read again by this run, processed at the next start.
        var unrecorded = Set<Int64>()
        while true {
            condition.lock()
            if stopping {
                running -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            if idle {
                // Sleep until new events arrive, or a retry may be due.
                let seen = generation
                let deadline = Date().addingTimeInterval(hold.isHeld ? hold.retryInterval : 0.5)
                while generation == seen && !stopping && Date() < deadline {
                    _ = condition.wait(until: deadline)
                }
            }
            condition.unlock()
            idle = !runBatch(lane: lane, unrecorded: &unrecorded)
        }
    }

    /// Returns whether there was anything to do.
    private func runBatch(lane: Int, unrecorded: inout Set<Int64>) -> Bool {
        let events: [ClaimedEvent]
        do {
            events = try store.dueEvents(lane: lane, lanes: count, limit: batchSize, excluding: unrecorded)
        } catch {
            logger.error("Processing: cannot read pending events: \(error)")
            return false
        }
        guard !events.isEmpty else { return false }
        let started = Date()
        let current = handlerLock.withLock { handler }
        let outcomes = current.handle(events, now: started)
        guard record(outcomes) else {
            unrecorded.formUnion(events.map(\.id))
            return true
        }
        let elapsedMs = Date().timeIntervalSince(started) * 1000
        var finished = 0, failed = 0, sent = 0
        for (_, outcome) in outcomes {
            if outcome.sent { sent += 1 }
            guard outcome.status.isFinal else { continue }
            finished += 1
            if outcome.status != .processed && outcome.status != .ignored { failed += 1 }
        }
        if logger.logLevel <= .debug {
            for (id, outcome) in outcomes where outcome.status != .processed && outcome.status != .ignored {
                logger.debug("Processing: event \(id) \(outcome.status == .pending ? "to retry" : outcome.status.rawValue): \(outcome.detail ?? "")")
            }
        }
        logger.debug("Processing lane \(lane): \(events.count) events in \(String(format: "%.1f", elapsedMs)) ms: \(finished - failed) done, \(failed) failed, \(events.count - finished) to retry; \(sent) messages sent")
        stats.update {
            $0.triggerProcessed += Int64(finished - failed)
            $0.triggerFailures += Int64(failed)
            $0.messagesSent += Int64(sent)
            $0.processingTimeTotalMs += elapsedMs
        }
        return true
    }

    /// Writes the outcomes of a batch. On a full disk the worker holds them
    /// and tries again every `hold.retryInterval` (a message already sent is
    /// never sent again for want of a row), until it is stopped: then the
    /// events stay `pending` and are processed at the next start.
    private func record(_ outcomes: [(eventId: Int64, outcome: EventOutcome)]) -> Bool {
        while true {
            do {
                try store.finishEvents(outcomes)
                hold.writeSucceeded()
                return true
            } catch {
                guard hold.writeFailed(error, while: "recording the outcome of \(outcomes.count) events") else {
                    // The events stay pending: the caller leaves them for the next start.
                    logger.error("Processing: cannot record the outcome of \(outcomes.count) events (they are processed again at the next start): \(error)")
                    return false
                }
            }
            condition.lock()
            let deadline = Date().addingTimeInterval(hold.retryInterval)
            while !stopping && Date() < deadline { _ = condition.wait(until: deadline) }
            let stop = stopping
            condition.unlock()
            if stop {
                logger.warning("Processing: stopping with the outcome of \(outcomes.count) events unrecorded (the store cannot be written); they are processed again at the next start")
                return false
            }
        }
    }
}
