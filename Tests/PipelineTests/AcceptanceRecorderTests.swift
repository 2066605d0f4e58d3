import CampaignCore
import Foundation
import Logging
@testable import Pipeline
import Store
import Testing
import TestSupport

@Suite struct AcceptanceRecorderTests {
    /// Acceptances from several threads end up written as `sent`, and a
    /// crash after that lets none of them go out again.
    @Test func acceptancesFromAllWorkersAreWrittenAndNeverResent() async throws {
        let fixture = try StoreFixture(); let store = fixture.store
        let events = (1...40).map { offset in
            IncomingEvent(consumer: "c", topic: "triggers", partition: Int(offset % 4), offset: Int64(offset), messageId: "m-\(offset)",
                          analyticsTriggerId: "uid", triggerEventId: "cart", createTime: 1, envelope: Data("{}".utf8))
        }
        _ = try store.storeEvents(events, advancing: [:], receivedAt: Date())
        let claimed = try store.dueEvents(lane: 0, lanes: 1, limit: 100)
        let sends = claimed.map { PendingSend(eventId: $0.id, templateVersion: 1, outboundMessageId: "mid-\($0.id)", targetAddress: "a@b.c") }
        #expect(try store.beginSends(sends).count == 40)

        let recorder = AcceptanceRecorder(store: store, logger: Logger(label: "test"))
        let accepted = Array(claimed.prefix(30).map(\.id))
        DispatchQueue.concurrentPerform(iterations: 3) { worker in
            for id in accepted[(worker * 10)..<(worker * 10 + 10)] { recorder.record(id) }
        }
        // Written on the recorder's own queue, a few milliseconds later:
        // then the store refuses those 30 a send.
        let written = try await eventually(timeout: .seconds(10)) {
            try store.beginSends(sends) == Set(claimed.suffix(10).map(\.id))
        }
        #expect(written)
        recorder.drain()
        #expect(try store.recoverInterruptedEvents() == InterruptedWork(requeued: 40, inFlightSends: 10))
        // After a crash, only the ten never accepted may be sent.
        #expect(try store.beginSends(sends) == Set(claimed.suffix(10).map(\.id)))
    }
}
