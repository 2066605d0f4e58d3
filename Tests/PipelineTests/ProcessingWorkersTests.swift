import CampaignCore
import Foundation
import GRDB
import Pipeline
import Store
import Testing
import TestSupport

/// Workers read their lane's due events without marking them; what keeps
/// an event from being processed twice is the outcome written before the
/// next read, or, when it cannot be written, the worker's own exclusion.
@Suite struct ProcessingWorkersTests {
    final class CountingHandler: EventHandler, @unchecked Sendable {
        let lock = NSLock()
        var handled: [Int64: Int] = [:]
        var count: Int { lock.withLock { handled.count } }
        var counts: [Int64: Int] { lock.withLock { handled } }

        func handle(_ events: [ClaimedEvent], now: Date) -> [(eventId: Int64, outcome: EventOutcome)] {
            lock.withLock { for event in events { handled[event.id, default: 0] += 1 } }
            return events.map { ($0.id, EventOutcome(status: .processed)) }
        }
    }

    func events(_ offsets: ClosedRange<Int64>) -> [IncomingEvent] {
        offsets.map { offset in
            IncomingEvent(consumer: "c", topic: "triggers", partition: Int(offset % 4), offset: offset, messageId: "m-\(offset)",
                          analyticsTriggerId: "uid", triggerEventId: "cart", createTime: 1, envelope: Data("{}".utf8))
        }
    }

    @Test func outcomesThatCannotBeWrittenAreLeftForTheNextStart() async throws {
        let fixture = try StoreFixture(); let store = fixture.store
        _ = try store.storeEvents(events(1...20), advancing: [:])
        // Every outcome write fails, with an error that is not a full disk.
        let side = try DatabaseQueue(path: fixture.layout.storeFile.path)
        try await side.write { db in
            try db.execute(sql: """
                CREATE TRIGGER refuse_outcomes BEFORE UPDATE OF status ON pipelineEvent
                BEGIN SELECT RAISE(ABORT, 'outcomes refused by the test'); END
                """)
        }
        let capture = LogCapture()
        let handler = CountingHandler()
        let workers = ProcessingWorkers(store: store, handler: handler, threads: 2, batchSize: 5, stats: PipelinedStats(),
                                        logger: capture.logger)
        workers.start()
        #expect(try await eventually(timeout: .seconds(20)) { handler.count == 20 })
        // Newer events come after the unrecorded ones in every lane's read:
        // once they are handled, a worker that read the old ones again would
        // have handled them twice.
        _ = try store.storeEvents(events(21...28), advancing: [:])
        workers.wake()
        #expect(try await eventually(timeout: .seconds(20)) { handler.count == 28 })
        workers.stop()
        #expect(handler.counts.values.allSatisfy { $0 == 1 }, "\(handler.counts)")
        #expect(capture.count(containing: "processed again at the next start") >= 1, "\(capture.messages)")
        #expect(try store.eventCounts() == [.pending: 28])

        // The next start, with the store writable again, processes each of them.
        try await side.write { db in try db.execute(sql: "DROP TRIGGER refuse_outcomes") }
        let restarted = ProcessingWorkers(store: store, handler: handler, threads: 2, batchSize: 5, stats: PipelinedStats(),
                                          logger: capture.logger)
        restarted.start()
        #expect(try await eventually(timeout: .seconds(20)) { (try? store.eventCounts()) == [.processed: 28] })
        restarted.stop()
        #expect(handler.counts.values.allSatisfy { $0 == 2 }, "\(handler.counts)")
        #expect(try store.event(id: 1).summary.attempts == 1, "only the recorded attempt counts")
    }
}
