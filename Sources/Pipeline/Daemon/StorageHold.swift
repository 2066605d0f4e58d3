import CampaignCore
import Foundation
import Logging

/// What ingest and processing do when the store cannot be written (the disk
/// holding it is full, or a write fails with an I/O error): hold, not fail.
/// Ingest keeps its batch and its offsets (nothing is acknowledged to the
/// pipeline that is not stored, and the stream stops being read once the
/// buffer is full); workers keep the outcomes they could not record and
/// claim nothing new. Each retries every `retryInterval`. The pause is
/// logged once, its end once, and the status page shows it while it lasts.
public final class StorageHold: @unchecked Sendable {
    public let retryInterval: TimeInterval
    let logger: Logger
    let stats: PipelinedStats
    private let lock = NSLock()
    private var since: Date?

    public init(retryInterval: TimeInterval = 2, logger: Logger, stats: PipelinedStats) {
        self.retryInterval = max(0.05, retryInterval)
        self.logger = logger
        self.stats = stats
    }

    /// Whether `error` says the store cannot be written for lack of space
    /// (or an I/O error on write): the store reports those as `.cannotCreate`.
    public static func isStorageFailure(_ error: any Error) -> Bool {
        (error as? CampaignError)?.status == .cannotCreate
    }

    /// Whether ingest and processing are holding now.
    public var isHeld: Bool { lock.withLock { since != nil } }

    /// A write failed. Returns true (and holds) when it is a storage failure;
    /// the first one of a streak is logged.
    @discardableResult
    public func writeFailed(_ error: any Error, while doing: String) -> Bool {
        guard Self.isStorageFailure(error) else { return false }
        logger.debug("storage write failed: \(error)")
        let reason = (error as? CampaignError)?.message ?? "\(error)"
        let first = lock.withLock { () -> Bool in
            guard since == nil else { return false }
            since = Date()
            return true
        }
        stats.update {
            $0.storageErrors += 1
            if first {
                $0.storagePausedSince = Date()
                $0.storagePauseReason = reason
                $0.storagePauses += 1
            }
        }
        if first {
            let every = retryInterval == retryInterval.rounded() ? String(Int(retryInterval)) : String(retryInterval)
            logger.error("disk full: \(reason) (while \(doing)); ingest and processing pausing, nothing is acknowledged to the pipeline until it is stored; will retry every \(every) s. Free space on the disk holding the store.")
        }
        return true
    }

    /// A write succeeded: ends the hold, if any, and logs how long it lasted.
    public func writeSucceeded() {
        guard let started = lock.withLock({ () -> Date? in
            let started = since
            since = nil
            return started
        }) else { return }
        stats.update {
            $0.storagePausedSince = nil
            $0.storagePauseReason = nil
        }
        logger.notice("disk space available again: ingest and processing resumed after \(Int(Date().timeIntervalSince(started).rounded())) s")
    }
}
