import Foundation

/// The daemon's counters, named as on Adobe's status page (pipelined.md §6).
/// Updated from many threads; read by the status server.
public final class PipelinedStats: @unchecked Sendable {
    public struct Snapshot: Sendable, Equatable, Codable {
        public var bytesRead: Int64 = 0
        public var pingReceived: Int64 = 0
        public var triggerReceived: Int64 = 0
        /// Messages of no configured trigger, counted and dropped.
        public var triggerDiscarded: Int64 = 0
        /// Replays recognised as already stored.
        public var triggerDuplicates: Int64 = 0
        public var triggerStored: Int64 = 0
        public var triggerProcessed: Int64 = 0
        public var triggerFailures: Int64 = 0
        public var protocolFaults: Int64 = 0
        public var currentMessages: Int64 = 0
        public var peakMessages: Int64 = 0
        public var currentRetries: Int64 = 0
        public var pointerFlushes: Int64 = 0
        public var pointerFlushErrors: Int64 = 0
        public var pointerFlushTimeTotalMs: Double = 0
        public var processingTimeTotalMs: Double = 0
        public var messagesSent: Int64 = 0
        public var reconnects: Int64 = 0
        public var lastAlive: Date?
        public var lastFailedConnection: Date?
        public var lastFlush: Date?
        public var processedSinceLastFlush: Int64 = 0
        public var pipelineHost: String = ""
        public var statusCounts: [String: Int64] = [:]
        /// Set while ingest and processing hold because the store cannot be written.
        public var storagePausedSince: Date?
        public var storagePauseReason: String?
        /// Holds since start, and writes that failed for lack of space.
        public var storagePauses: Int64 = 0
        public var storageErrors: Int64 = 0
    }

    private let lock = NSLock()
    private var value = Snapshot()

    public init() {}

    public var snapshot: Snapshot { lock.withLock { value } }

    public func update(_ body: (inout Snapshot) -> Void) {
        lock.withLock { body(&value) }
    }

    func setCurrentMessages(_ count: Int64) {
        lock.withLock {
            value.currentMessages = count
            value.peakMessages = max(value.peakMessages, count)
        }
    }
}
