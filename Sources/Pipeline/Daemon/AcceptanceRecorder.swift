import Dispatch
import Foundation
import Logging
import Store

/// Writes the relay's acceptances for all workers together, a few
/// milliseconds after the first of a group, on a queue of its own.
///
/// Recording each acceptance before the batch's outcome narrows the resend
/// window after a crash (docs/reliability.md) to the messages accepted in
/// the last `delay`. Written by each worker in groups of five, the updates
/// were a tenth of the workers' time and made them wait for the write lock
/// between two messages; here one transaction carries every worker's
/// acceptances and no worker waits for it. A group not yet written when the
/// batch's outcome is recorded is harmless: the outcome says `sent` too.
final class AcceptanceRecorder: @unchecked Sendable {
    private let store: InstanceStore
    private let logger: Logger
    private let delay: DispatchTimeInterval
    private let queue = DispatchQueue(label: "campaignctl.pipelined.acceptances")
    private let lock = NSLock()
    private var pending: [Int64] = []
    private var scheduled = false

    init(store: InstanceStore, logger: Logger, delay: DispatchTimeInterval = .milliseconds(10)) {
        self.store = store
        self.logger = logger
        self.delay = delay
    }

    /// The relay accepted the message of this event.
    func record(_ eventId: Int64) {
        let schedule = lock.withLock { () -> Bool in
            pending.append(eventId)
            if scheduled { return false }
            scheduled = true
            return true
        }
        if schedule { queue.asyncAfter(deadline: .now() + delay) { [self] in write() } }
    }

    /// Waits until every acceptance recorded so far is written (or failed).
    func drain() {
        queue.sync { write() }
    }

    private func write() {
        let ids = lock.withLock { () -> [Int64] in
            scheduled = false
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        guard !ids.isEmpty else { return }
        do {
            try store.markSent(eventIds: ids)
        } catch {
            // Not fatal: each batch's outcome records them a moment later.
            logger.warning("Processing: cannot record \(ids.count) accepted messages yet: \(error)")
        }
    }
}
