import CampaignCore
import Foundation
import Store
import Testing
import TestSupport

@Suite struct PipelineEventStoreTests {
    func event(partition: Int, offset: Int64, messageId: String? = nil) -> IncomingEvent {
        IncomingEvent(consumer: "c", topic: "triggers", partition: partition, offset: offset,
                      messageId: messageId ?? "m-\(partition)-\(offset)", analyticsTriggerId: "uid",
                      triggerEventId: "cart", createTime: 1, envelope: Data("{}".utf8))
    }

    @Test func storesEventsWithTheirOffsetsAndDropsReplays() throws {
        let fixture = try StoreFixture(); let store = fixture.store
        let first = try store.storeEvents([event(partition: 0, offset: 1), event(partition: 0, offset: 2), event(partition: 3, offset: 7)],
                                          advancing: [PartitionKey(consumer: "c", topic: "triggers", partition: 0): 2,
                                                      PartitionKey(consumer: "c", topic: "triggers", partition: 3): 7])
        #expect(first == StoredBatch(stored: 3, duplicates: 0))
        #expect(try store.committedOffsets(consumer: "c", topic: "triggers") == [0: 2, 3: 7])

        // A replay after a reconnect: same offsets, and one new message
        // carrying an already-seen messageId at a new offset.
        let replay = try store.storeEvents([event(partition: 0, offset: 2), event(partition: 0, offset: 3, messageId: "m-3-7")],
                                           advancing: [PartitionKey(consumer: "c", topic: "triggers", partition: 0): 3])
        #expect(replay == StoredBatch(stored: 0, duplicates: 2))
        #expect(try store.committedOffsets(consumer: "c", topic: "triggers") == [0: 3, 3: 7])
        #expect(try store.eventCounts() == [.pending: 3])
    }

    @Test func offsetsNeverGoBackwards() throws {
        let fixture = try StoreFixture(); let store = fixture.store
        let key = PartitionKey(consumer: "c", topic: "triggers", partition: 5)
        _ = try store.storeEvents([], advancing: [key: 100])
        _ = try store.storeEvents([], advancing: [key: 40])
        #expect(try store.committedOffsets(consumer: "c", topic: "triggers") == [5: 100])
        #expect(try store.committedOffsets(consumer: "other", topic: "triggers").isEmpty)
    }
}
