import CampaignCore
import Foundation
import Store
import Testing
import TestSupport

@Suite struct EventProcessingStoreTests {
    func seed(_ store: InstanceStore, partitions: [Int], perPartition: Int64, trigger: String = "cart", at: Date = Date()) throws {
        var events: [IncomingEvent] = []
        for partition in partitions {
            for offset in 1...perPartition {
                events.append(IncomingEvent(consumer: "c", topic: "triggers", partition: partition, offset: offset,
                                            messageId: "m-\(partition)-\(offset)", analyticsTriggerId: "uid",
                                            triggerEventId: trigger, createTime: 1, envelope: Data("{\"p\":\(partition)}".utf8)))
            }
        }
        _ = try store.storeEvents(events, advancing: [:], receivedAt: at)
    }

    @Test func lanesKeepEachPartitionOnOneWorkerInOffsetOrder() throws {
        let fixture = try StoreFixture(); let store = fixture.store
        try seed(store, partitions: [0, 1, 2, 3], perPartition: 3)
        let lane0 = try store.dueEvents(lane: 0, lanes: 2, limit: 100)
        let lane1 = try store.dueEvents(lane: 1, lanes: 2, limit: 100)
        #expect(lane0.map { "\($0.partition):\($0.offset)" } == ["0:1", "0:2", "0:3", "2:1", "2:2", "2:3"])
        #expect(lane1.map(\.partition).allSatisfy { $0 % 2 == 1 })
        #expect(lane0.allSatisfy { $0.attempts == 1 })
        // Reading writes nothing: the lane's worker reads the same events
        // until it records their outcome, unless it excludes them.
        #expect(try store.dueEvents(lane: 0, lanes: 2, limit: 100) == lane0)
        #expect(try store.dueEvents(lane: 0, lanes: 2, limit: 100, excluding: Set(lane0.prefix(4).map(\.id))) == Array(lane0.dropFirst(4)))
        #expect(try store.eventCounts() == [.pending: 12])
        try store.finishEvents(lane0.map { ($0.id, EventOutcome(status: .processed)) })
        #expect(try store.dueEvents(lane: 0, lanes: 2, limit: 100).isEmpty)
        #expect(try store.event(id: lane0[0].id).summary.attempts == 1)
    }

    /// The daemon's statements bind and read values with SQLite's C API
    /// (RawStatement): what they write reads back through GRDB unchanged,
    /// with empty text and an empty envelope kept apart from NULL.
    @Test func eventsRoundTripThroughTheDaemonsStatements() throws {
        let fixture = try StoreFixture(); let store = fixture.store
        let events = [
            IncomingEvent(consumer: "c", topic: "t", partition: 0, offset: 7, messageId: nil, analyticsTriggerId: "",
                          triggerEventId: "cart", createTime: nil, envelope: Data()),
            IncomingEvent(consumer: "c", topic: "t", partition: 0, offset: 8, messageId: "m-é-8", analyticsTriggerId: "uid",
                          triggerEventId: "cart", createTime: 1_700_000_000_123, envelope: Data("{\"a\":\"ü\"}".utf8)),
        ]
        #expect(try store.storeEvents(events, advancing: [:]).stored == 2)
        #expect(try store.storeEvents(events, advancing: [:]).stored == 0, "a replay stores nothing")
        let due = try store.dueEvents(lane: 0, lanes: 1, limit: 10)
        #expect(due.map(\.offset) == [7, 8])
        #expect(due[0].analyticsTriggerId == "" && due[0].messageId == nil && due[0].createTime == nil && due[0].envelope == Data())
        #expect(due[1].analyticsTriggerId == "uid" && due[1].messageId == "m-é-8" && due[1].createTime == 1_700_000_000_123)
        #expect(due[1].envelope == events[1].envelope)
        let sends = due.map { PendingSend(eventId: $0.id, templateVersion: 3, outboundMessageId: "id-\($0.offset)@x", targetAddress: "") }
        #expect(try store.beginSends(sends) == Set(due.map(\.id)))
        try store.markSent(eventIds: [due[1].id])
        try store.finishEvents([(due[0].id, EventOutcome(status: .pending, detail: "", retryAt: Date().addingTimeInterval(60))),
                                (due[1].id, EventOutcome(status: .processed, detail: "250 ok", sent: true, templateVersion: 3))])
        let first = try store.event(id: due[0].id), second = try store.event(id: due[1].id)
        #expect(first.summary.status == .pending && first.summary.lastError == "" && first.nextAttemptAt != nil)
        #expect(first.summary.targetAddress == "" && first.outboundMessageId == "id-7@x" && first.templateVersion == 3 && first.sendState == nil)
        #expect(first.envelope == "" && first.messageId == nil)
        #expect(second.summary.status == .processed && second.sendState == "sent" && second.envelope == "{\"a\":\"ü\"}")
        #expect(second.attempts.map(\.outcome) == ["processed"] && second.attempts.first?.detail == "250 ok")
        #expect(first.attempts.map(\.outcome) == ["retry"] && first.attempts.first?.detail == "")
    }

    @Test func aSentEventIsNeverSentAgain() throws {
        let fixture = try StoreFixture(); let store = fixture.store
        try seed(store, partitions: [0], perPartition: 2)
        let claimed = try store.dueEvents(lane: 0, lanes: 1, limit: 10)
        let sends = claimed.map { PendingSend(eventId: $0.id, templateVersion: 1, outboundMessageId: "mid-\($0.id)", targetAddress: "a@b.c") }
        #expect(try store.beginSends(sends) == Set(claimed.map(\.id)))
        try store.finishEvents([(claimed[0].id, EventOutcome(status: .processed, sent: true, templateVersion: 1))])
        // The second was in flight when the process died.
        let interrupted = try store.recoverInterruptedEvents()
        #expect(interrupted == InterruptedWork(requeued: 1, inFlightSends: 1))
        let again = try store.dueEvents(lane: 0, lanes: 1, limit: 10)
        #expect(again.map(\.id) == [claimed[1].id])
        #expect(again[0].sendState == "sending")
        #expect(again[0].attempts == 1, "an attempt counts once its outcome is written")
        // The processed one refuses a new send; the interrupted one may go again.
        #expect(try store.beginSends(sends) == [claimed[1].id])
        #expect(throws: CampaignError.self) { try store.retryEvents(ids: [claimed[0].id]) }
    }

    @Test func anAcceptanceRecordedMidBatchIsNotResentAfterACrash() throws {
        let fixture = try StoreFixture(); let store = fixture.store
        try seed(store, partitions: [0], perPartition: 3)
        let claimed = try store.dueEvents(lane: 0, lanes: 1, limit: 10)
        let sends = claimed.map { PendingSend(eventId: $0.id, templateVersion: 1, outboundMessageId: "mid-\($0.id)", targetAddress: "a@b.c") }
        #expect(try store.beginSends(sends).count == 3)
        // The relay took the first two; the process dies before the batch's outcome is written.
        try store.markSent(eventIds: [claimed[0].id, claimed[1].id])
        let interrupted = try store.recoverInterruptedEvents()
        #expect(interrupted == InterruptedWork(requeued: 3, inFlightSends: 1))
        // Only the third may go out again; the other two are recorded as sent without a second send.
        #expect(try store.beginSends(sends) == [claimed[2].id])
    }

    @Test func temporaryFailuresWaitForTheirRetryTime() throws {
        let fixture = try StoreFixture(); let store = fixture.store
        try seed(store, partitions: [0], perPartition: 1)
        let now = Date()
        let claimed = try store.dueEvents(lane: 0, lanes: 1, limit: 10, now: now)
        try store.finishEvents([(claimed[0].id, EventOutcome(status: .pending, detail: "451 try later", retryAt: now.addingTimeInterval(30)))], now: now)
        #expect(try store.dueEvents(lane: 0, lanes: 1, limit: 10, now: now.addingTimeInterval(10)).isEmpty)
        #expect(try store.retryingEventCount() == 1)
        let due = try store.dueEvents(lane: 0, lanes: 1, limit: 10, now: now.addingTimeInterval(31))
        #expect(due.count == 1)
        #expect(due[0].firstFailureAt != nil)
        try store.finishEvents([(due[0].id, EventOutcome(status: .deliveryFailed, detail: "gave up: 451 try later"))])
        let detail = try store.event(id: due[0].id)
        #expect(detail.summary.status == .deliveryFailed)
        #expect(detail.summary.lastError == "gave up: 451 try later")
        #expect(detail.attempts.map(\.outcome) == ["retry", "deliveryFailed"])
        #expect(detail.envelope == "{\"p\":0}")
        // An operator retry puts it back; a status that is not final cannot be retried.
        #expect(try store.retryEvents(status: .deliveryFailed) == 1)
        #expect(throws: CampaignError.self) { try store.retryEvents(status: .pending) }
        #expect(try store.eventCounts() == [.pending: 1])
    }

    @Test func pausedEventsResumeAndOldFinalEventsArePurged() throws {
        let fixture = try StoreFixture(); let store = fixture.store
        let old = Date().addingTimeInterval(-4 * 86_400)
        try seed(store, partitions: [0], perPartition: 2, at: old)
        try seed(store, partitions: [1], perPartition: 1, trigger: "sms")
        let claimed = try store.dueEvents(lane: 0, lanes: 1, limit: 10)
        let cart = claimed.filter { $0.triggerEventId == "cart" }
        let sms = claimed.filter { $0.triggerEventId == "sms" }
        try store.finishEvents([(cart[0].id, EventOutcome(status: .processed, sent: true)),
                                (cart[1].id, EventOutcome(status: .paused)),
                                (sms[0].id, EventOutcome(status: .paused))])
        #expect(try store.requeuePausedEvents(triggerEventIds: ["sms"]) == 1)
        // Paused events are kept whatever their age; final ones are purged.
        #expect(try store.purgeEvents(receivedBefore: Date().addingTimeInterval(-3 * 86_400)) == 1)
        #expect(try store.eventCounts() == [.paused: 1, .pending: 1])
    }

    @Test func triggerReportCountsPerHour() throws {
        let fixture = try StoreFixture(); let store = fixture.store
        let now = Date()
        try seed(store, partitions: [0], perPartition: 3, at: now.addingTimeInterval(-2 * 3600))
        let claimed = try store.dueEvents(lane: 0, lanes: 1, limit: 10)
        try store.finishEvents([(claimed[0].id, EventOutcome(status: .processed, sent: true)),
                                (claimed[1].id, EventOutcome(status: .targetingFailed, detail: "no profile"))], now: now)
        let report = try store.triggerReport(triggerEventId: "cart", since: now.addingTimeInterval(-5 * 86_400), now: now)
        #expect(report.count == 5 * 24 + 1)
        #expect(report.reduce(0) { $0 + $1.received } == 3)
        let last = try #require(report.last)
        #expect(last.processed == 2)
        #expect(last.sent == 1)
        #expect(last.failed == 1)
        #expect(report[report.count - 3].received == 3)
    }
}
