import CampaignCore
import Foundation
import Store
import Testing
import TestSupport

@Suite struct PipelineEventStoreTests {
    func event(partition: Int, offset: Int64, messageId: String? = nil, sentTime: Int64? = nil) -> IncomingEvent {
        IncomingEvent(consumer: "c", topic: "triggers", partition: partition, offset: offset,
                      messageId: messageId ?? "m-\(partition)-\(offset)", sentTime: sentTime, analyticsTriggerId: "uid",
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

    /// A producer's resend carries the message's messageId and sentTime
    /// again, at another offset or partition; the same messageId sent at
    /// another time is another message. Without a sentTime, the messageId
    /// alone recognises it.
    @Test func aResendIsRecognisedByItsMessageIdAndSentTime() throws {
        let fixture = try StoreFixture(); let store = fixture.store
        let first = try store.storeEvents([event(partition: 0, offset: 1, messageId: "m", sentTime: 1_000),
                                           event(partition: 0, offset: 2, messageId: "plain")], advancing: [:])
        #expect(first == StoredBatch(stored: 2, duplicates: 0))
        let later = try store.storeEvents([
            event(partition: 4, offset: 9, messageId: "m", sentTime: 1_000),  // a resend
            event(partition: 0, offset: 3, messageId: "m", sentTime: 2_000),  // sent again later: kept
            event(partition: 0, offset: 4, messageId: "plain"),  // a resend without sentTime
            event(partition: 0, offset: 5, messageId: "plain", sentTime: 1_000),  // kept
            event(partition: 0, offset: 6, messageId: "n", sentTime: 3_000),
            event(partition: 0, offset: 7, messageId: "n", sentTime: 3_000),  // a resend in the same batch
        ], advancing: [:])
        #expect(later == StoredBatch(stored: 3, duplicates: 3))
        #expect(try store.events(EventFilter(limit: 10)).map(\.offset).sorted() == [1, 2, 3, 5, 6])
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
