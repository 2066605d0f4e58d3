import Foundation
import GRDB

/// Copies the write-ahead log into the database file from a connection and a
/// thread of its own, for the daemon. Left to SQLite, the checkpoint runs in
/// the writer after the commit that crosses 1,000 log pages, holding the one
/// write lock that ingest and every processing worker wait for, fsyncs
/// included: two thirds of the time a batch of 1,000 stored events spent in
/// its commit (docs/performance.md). A passive checkpoint waits for no one,
/// and the writer keeps a far higher threshold of its own in case this one
/// falls behind.
public final class BackgroundCheckpoints: @unchecked Sendable {
    /// Log pages (16 KiB) the writer lets pile up before it checkpoints
    /// itself: only when the background checkpoints fall behind.
    public static let writerThreshold = 16_384
    /// SQLite's own threshold, given back to the writer at stop.
    static let sqliteThreshold = 1_000
    /// At ingest's pace, a few hundred log pages between two checkpoints.
    public static let defaultInterval: TimeInterval = 0.1

    let interval: TimeInterval
    private let queue: DatabaseQueue
    private let pool: DatabasePool
    private let condition = NSCondition()
    private var stopping = false
    private var running = false

    /// Takes the checkpoints of `pool`'s store from its writer and starts
    /// making them every `interval`.
    static func start(for pool: DatabasePool, every interval: TimeInterval = defaultInterval) throws -> BackgroundCheckpoints {
        let checkpoints = try BackgroundCheckpoints(pool: pool, interval: interval)
        checkpoints.condition.withLock { checkpoints.running = true }
        let thread = Thread { [checkpoints] in checkpoints.loop() }
        thread.name = "store-checkpoints"
        thread.start()
        return checkpoints
    }

    private init(pool: DatabasePool, interval: TimeInterval) throws {
        self.pool = pool
        self.interval = interval
        var configuration = Configuration()
        configuration.busyMode = .timeout(InstanceStore.busyTimeout)
        queue = try DatabaseQueue(path: pool.path, configuration: configuration)
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.writerThreshold)")
        }
    }

    /// Copies what the log holds now, without waiting for readers or the
    /// writer. Returns the log's frames and how many of them are in the
    /// database file.
    @discardableResult
    public func checkpoint() throws -> (logFrames: Int, copiedFrames: Int) {
        try queue.writeWithoutTransaction { db in
            let result = try db.checkpoint(.passive)
            return (result.walFrameCount, result.checkpointedFrameCount)
        }
    }

    /// Stops the thread, and gives the checkpoints back to the writer.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
        try? pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.sqliteThreshold)") }
        try? queue.close()
    }

    private func loop() {
        condition.lock()
        while !stopping {
            _ = condition.wait(until: Date().addingTimeInterval(interval))
            if stopping { break }
            condition.unlock()
            // A failure (a full disk) is left to the writer's own threshold; tried again next time.
            _ = try? checkpoint()
            condition.lock()
        }
        running = false
        condition.broadcast()
        condition.unlock()
    }
}

extension InstanceStore {
    /// Starts checkpointing the store's log in the background every
    /// `interval` (the daemon's); `stop()` gives them back to the writer.
    public func startBackgroundCheckpoints(every interval: TimeInterval = BackgroundCheckpoints.defaultInterval) throws -> BackgroundCheckpoints {
        try BackgroundCheckpoints.start(for: dbPool, every: interval)
    }
}
