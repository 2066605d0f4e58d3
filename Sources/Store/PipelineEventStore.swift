import CampaignCore
import Foundation
import GRDB

/// An accepted DATA envelope, routed to a trigger event, ready to be stored.
public struct IncomingEvent: Sendable, Equatable {
    public var consumer: String
    public var topic: String
    public var partition: Int
    public var offset: Int64
    public var messageId: String?
    /// The producer's `header.sentTime` (epoch milliseconds): with the
    /// messageId, what recognises a producer's resend.
    public var sentTime: Int64?
    public var analyticsTriggerId: String?
    /// The campaignctl trigger event the router chose.
    public var triggerEventId: String
    /// Epoch milliseconds, from the envelope.
    public var createTime: Int64?
    /// The raw envelope line.
    public var envelope: Data

    public init(consumer: String, topic: String, partition: Int, offset: Int64, messageId: String?, sentTime: Int64? = nil,
                analyticsTriggerId: String?, triggerEventId: String, createTime: Int64?, envelope: Data) {
        self.consumer = consumer
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.messageId = messageId
        self.sentTime = sentTime
        self.analyticsTriggerId = analyticsTriggerId
        self.triggerEventId = triggerEventId
        self.createTime = createTime
        self.envelope = envelope
    }
}

/// The stream position of one partition of one topic for one consumer.
public struct PartitionKey: Sendable, Hashable, Comparable {
    public var consumer: String
    public var topic: String
    public var partition: Int

    public init(consumer: String, topic: String, partition: Int) {
        self.consumer = consumer
        self.topic = topic
        self.partition = partition
    }

    public static func < (a: PartitionKey, b: PartitionKey) -> Bool {
        (a.consumer, a.topic, a.partition) < (b.consumer, b.topic, b.partition)
    }
}

public struct StoredBatch: Sendable, Equatable {
    /// Events written.
    public var stored: Int
    /// Events already in the store (same partition and offset, or same messageId).
    public var duplicates: Int

    public init(stored: Int, duplicates: Int) {
        self.stored = stored
        self.duplicates = duplicates
    }
}

extension InstanceStore {
    /// One stored event (a replay of a stored partition offset, or a resend
    /// with a stored messageId and sentTime, is ignored).
    static let insertEventSQL = """
        INSERT OR IGNORE INTO pipelineEvent
        (consumer, topic, partition, partitionOffset, messageId, sentTime, analyticsTriggerId, triggerEventId,
         createTime, receivedAt, status, updatedAt)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)
        """

    static let insertEnvelopeSQL = "INSERT INTO pipelineEventEnvelope (eventId, envelope) VALUES (?, ?)"

    /// The statements that store an event and its envelope, looked up once
    /// per batch (GRDB's cache is keyed by the SQL text, hashed per lookup).
    struct EventInsertion {
        private let row: Statement
        private let envelope: Statement

        init(_ db: Database) throws {
            row = try db.cachedStatement(sql: InstanceStore.insertEventSQL)
            envelope = try db.cachedStatement(sql: InstanceStore.insertEnvelopeSQL)
        }

        /// Inserts one event and its envelope; false for a replay (nothing written).
        func insert(_ event: IncomingEvent, receivedMs: Int64, _ db: Database) throws -> Bool {
            var row = RawStatement(row)
            row.bind(event.consumer)
            row.bind(event.topic)
            row.bind(event.partition)
            row.bind(event.offset)
            row.bind(event.messageId)
            row.bind(event.sentTime)
            row.bind(event.analyticsTriggerId)
            row.bind(event.triggerEventId)
            row.bind(event.createTime)
            row.bind(receivedMs)
            row.bind(receivedMs)
            try row.execute()
            guard db.changesCount == 1 else { return false }
            var envelope = RawStatement(envelope)
            envelope.bind(db.lastInsertedRowID)
            try event.envelope.withUnsafeBytes { try envelope.executeBinding(lent: $0) }
            return true
        }
    }

    /// A partition's committed offset, which only ever grows.
    static let advanceOffsetSQL = """
        INSERT INTO pipelineOffset (consumer, topic, partition, lastOffset, updatedAt)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (consumer, topic, partition)
        DO UPDATE SET lastOffset = max(lastOffset, excluded.lastOffset), updatedAt = excluded.updatedAt
        """

    /// Stores a batch of accepted events and advances the offsets in the same
    /// transaction, so that a crash can neither lose a stored event nor skip
    /// one: after a restart the stream resumes from the last committed offset
    /// and anything replayed is recognised as a duplicate.
    ///
    /// `offsets` holds the highest offset read per partition, accepted or not
    /// (events of unrouted triggers advance the offset too). An offset only
    /// ever grows.
    public func storeEvents(_ events: [IncomingEvent], advancing offsets: [PartitionKey: Int64],
                            receivedAt: Date = Date()) throws -> StoredBatch {
        let receivedMs = Int64(receivedAt.timeIntervalSince1970 * 1000)
        return try write { db in
            var stored = 0
            let insertion = try EventInsertion(db)
            // By index: iterating the array copied each event (a retain and a
            // release of its strings and envelope).
            for index in events.indices where try insertion.insert(events[index], receivedMs: receivedMs, db) {
                stored += 1
            }
            let advance = try db.cachedStatement(sql: Self.advanceOffsetSQL)
            for (key, offset) in offsets.sorted(by: { $0.key < $1.key }) {
                try advance.execute(arguments: [key.consumer, key.topic, key.partition, offset, receivedMs])
            }
            return StoredBatch(stored: stored, duplicates: events.count - stored)
        }
    }

    /// The last committed offset of each partition, for resuming a stream.
    public func committedOffsets(consumer: String, topic: String) throws -> [Int: Int64] {
        try read { db in
            var result: [Int: Int64] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT partition, lastOffset FROM pipelineOffset WHERE consumer = ? AND topic = ?",
                                           arguments: [consumer, topic])
            while let row = try rows.next() { result[row["partition"]] = row["lastOffset"] }
            return result
        }
    }

    /// How many events are in each status.
    public func eventCounts() throws -> [EventStatus: Int] {
        try read { db in
            var counts: [EventStatus: Int] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT status, count(*) AS n FROM pipelineEvent GROUP BY status")
            while let row = try rows.next() {
                if let status = EventStatus(rawValue: row["status"]) { counts[status] = row["n"] }
            }
            return counts
        }
    }
}
