import CampaignCore
import Foundation
import GRDB
@testable import Store
import Testing
import TestSupport

/// `events list`: the newest events of a status, whichever index holds them
/// (pending events are not in the listing index: migration 0011).
@Suite struct EventListingTests {
    let directory = TemporaryDirectory("campaignctl-listing")
    let pool: DatabasePool
    let store: InstanceStore

    init() throws {
        pool = try InstanceStore.makePool(path: directory.url.appendingPathComponent("store.db").path)
        try InstanceStore.migrate(pool)
        store = InstanceStore(dbPool: pool, key: try InstanceKey.create(at: directory.url.appendingPathComponent("instance.key")))
    }

    /// 60 events of two triggers: new, waiting for a retry, processed,
    /// failed and paused, interleaved by id.
    func fill() throws -> [EventSummary] {
        let events = (0..<60).map { n in
            IncomingEvent(consumer: "c", topic: "triggers", partition: n % 3, offset: Int64(n), messageId: "m-\(n)",
                          analyticsTriggerId: nil, triggerEventId: n % 2 == 0 ? "cart" : "browse", createTime: nil,
                          envelope: Data("{}".utf8))
        }
        _ = try store.storeEvents(events, advancing: [:])
        let ids = try store.events(EventFilter(limit: 100)).map(\.id).sorted()
        let soon = Date().addingTimeInterval(600)
        try store.finishEvents(ids.enumerated().compactMap { index, id in
            switch index % 5 {
            case 1: (id, EventOutcome(status: .pending, detail: "relay down", retryAt: soon.addingTimeInterval(Double(-index))))
            case 2: (id, EventOutcome(status: .processed, sent: true))
            case 3: (id, EventOutcome(status: .deliveryFailed, detail: "refused"))
            case 4: (id, EventOutcome(status: .paused))
            default: nil
            }
        })
        return try store.events(EventFilter(limit: 100))
    }

    @Test func eachStatusIsListedNewestFirstAPageAtATime() throws {
        let all = try fill()
        #expect(all.count == 60 && all.map(\.id) == all.map(\.id).sorted(by: >))
        for status in [EventStatus.pending, .processed, .deliveryFailed, .paused] {
            for trigger in [nil, "cart"] {
                for limit in [1, 5, 100] {
                    let expected = all.filter { $0.status == status && (trigger == nil || $0.triggerEventId == trigger) }.prefix(limit)
                    let listed = try store.events(EventFilter(status: status, triggerEventId: trigger, limit: limit))
                    #expect(listed.map(\.id) == expected.map(\.id), "\(status) \(trigger ?? "any") \(limit)")
                }
            }
        }
        // Pending holds both the new events and those waiting for a retry.
        let pending = try store.events(EventFilter(status: .pending, limit: 100))
        #expect(pending.count == 24 && Set(pending.map(\.attempts)) == [0, 1])
    }

    /// Each status is read from an index in id order, not sorted whole
    /// (the 1,000,000-event store of the benchmark lists in ~30 ms).
    @Test func statusesAreWalkedOnTheirIndex() throws {
        _ = try fill()
        func plan(_ filter: EventFilter) throws -> String {
            let (sql, arguments) = InstanceStore.listing(filter)
            return try pool.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
            }.joined(separator: "\n")
        }
        let processed = try plan(EventFilter(status: .processed, limit: 20))
        #expect(processed.contains("USING INDEX pipelineEvent_status_id (status=?)") && !processed.contains("TEMP B-TREE"), "\(processed)")
        let pending = try plan(EventFilter(status: .pending, limit: 20))
        #expect(pending.contains("USING INDEX pipelineEvent_status (status=? AND nextAttemptAt=?)"), "\(pending)")
        #expect(!pending.contains("SCAN pipelineEvent"), "\(pending)")
    }
}
