import CampaignCore
import Foundation
import GRDB
@testable import Store
import Testing
import TestSupport

/// Migrations applied to a store that holds data from before them.
@Suite struct MigrationTests {
    @Test func envelopesMoveOutOfTheEventRowsIntact() throws {
        let directory = TemporaryDirectory("campaignctl-migration")
        let pool = try InstanceStore.makePool(path: directory.url.appendingPathComponent("store.db").path)
        try Migrations.migrator.migrate(pool, upTo: "0007_event_listing_index")
        let envelopes = [Data(#"{"envelopeType":"trigger","n":1}"#.utf8), Data(#"{"envelopeType":"trigger","n":"é"}"#.utf8)]
        try pool.write { db in
            for (offset, envelope) in envelopes.enumerated() {
                try db.execute(sql: """
                    INSERT INTO pipelineEvent (consumer, topic, partition, partitionOffset, messageId, triggerEventId,
                                               receivedAt, status, updatedAt, envelope)
                    VALUES ('c', 'triggers', 0, ?, ?, 'cart', 1, 'pending', 1, ?)
                    """, arguments: [offset, "m-\(offset)", envelope])
            }
        }

        try InstanceStore.migrate(pool)
        let store = InstanceStore(dbPool: pool, key: try InstanceKey.create(at: directory.url.appendingPathComponent("instance.key")))
        #expect(try store.event(id: 1).envelope == String(decoding: envelopes[0], as: UTF8.self))
        #expect(try store.event(id: 2).envelope == String(decoding: envelopes[1], as: UTF8.self))
        let claimed = try store.dueEvents(lane: 0, lanes: 1, limit: 10)
        #expect(claimed.map(\.envelope) == envelopes)
        let columns = try pool.read { db in try db.columns(in: "pipelineEvent").map(\.name) }
        #expect(!columns.contains("envelope"))

        // Purging an event takes its envelope with it.
        try store.finishEvents([(1, EventOutcome(status: .ignored)), (2, EventOutcome(status: .ignored))])
        #expect(try store.purgeEvents(receivedBefore: Date()) == 2)
        #expect(try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM pipelineEventEnvelope") } == 0)
    }

    /// Migration 0009: stored events get the sentTime of their envelope, and
    /// resends of them are still recognised after it.
    @Test func storedEventsKeepRecognisingTheirResends() throws {
        let directory = TemporaryDirectory("campaignctl-migration")
        let pool = try InstanceStore.makePool(path: directory.url.appendingPathComponent("store.db").path)
        try Migrations.migrator.migrate(pool, upTo: "0008_event_envelopes_apart")
        let header = PipelineEnvelopeParser.messageKey
        let envelopes: [(String?, String)] = [
            ("m-1", #"{"envelopeType":"DATA","\#(header)":{"header":{"messageId":"m-1","sentTime":1700000000123}}}"#),
            ("m-2", #"{"envelopeType":"DATA","\#(header)":{"header":{"messageId":"m-2","sentTime":"soon"}}}"#),
            ("m-3", #"{"envelopeType":"DATA"}"#),
            (nil, #"{"envelopeType":"DATA","\#(header)":{"header":{"sentTime":5}}}"#),
        ]
        try pool.write { db in
            for (offset, (messageId, envelope)) in envelopes.enumerated() {
                try db.execute(sql: """
                    INSERT INTO pipelineEvent (consumer, topic, partition, partitionOffset, messageId, triggerEventId,
                                               receivedAt, status, updatedAt)
                    VALUES ('c', 'triggers', 0, ?, ?, 'cart', 1, 'pending', 1)
                    """, arguments: [offset, messageId])
                try db.execute(sql: "INSERT INTO pipelineEventEnvelope (eventId, envelope) VALUES (?, ?)",
                               arguments: [db.lastInsertedRowID, Data(envelope.utf8)])
            }
        }

        try InstanceStore.migrate(pool)
        let sentTimes = try pool.read { db in try Int64?.fetchAll(db, sql: "SELECT sentTime FROM pipelineEvent ORDER BY id") }
        #expect(sentTimes == [1_700_000_000_123, nil, nil, nil])
        let store = InstanceStore(dbPool: pool, key: try InstanceKey.create(at: directory.url.appendingPathComponent("instance.key")))
        func resend(_ messageId: String, _ sentTime: Int64?, offset: Int64) -> IncomingEvent {
            IncomingEvent(consumer: "c", topic: "triggers", partition: 1, offset: offset, messageId: messageId, sentTime: sentTime,
                          analyticsTriggerId: nil, triggerEventId: "cart", createTime: nil, envelope: Data("{}".utf8))
        }
        let batch = try store.storeEvents([resend("m-1", 1_700_000_000_123, offset: 0), resend("m-2", nil, offset: 1),
                                           resend("m-3", nil, offset: 2), resend("m-1", 1_700_000_000_999, offset: 3)], advancing: [:])
        #expect(batch == StoredBatch(stored: 1, duplicates: 3))
        let indexes = try pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'pipelineEvent'") }
        #expect(indexes.contains("pipelineEvent_resend") && !indexes.contains("pipelineEvent_messageId"))
    }

    /// Migration 0010 rebuilds the event table with the same rows, ids,
    /// indexes and checks, and the envelopes and attempts that refer to its
    /// events stay theirs.
    @Test func theEventTableIsRebuiltWithEveryRowAndWhatRefersToIt() throws {
        let directory = TemporaryDirectory("campaignctl-migration")
        let pool = try InstanceStore.makePool(path: directory.url.appendingPathComponent("store.db").path)
        try Migrations.migrator.migrate(pool, upTo: "0009_resends_by_sent_time")
        let statuses = ["pending", "processing", "paused", "processed", "ignored", "deliveryFailed", "routingFailed", "tooOld", "targetingFailed"]
        try pool.write { db in
            for (offset, status) in statuses.enumerated() {
                try db.execute(sql: """
                    INSERT INTO pipelineEvent (id, consumer, topic, partition, partitionOffset, messageId, sentTime, analyticsTriggerId,
                        triggerEventId, createTime, receivedAt, status, attempts, nextAttemptAt, firstFailureAt, lastError, updatedAt,
                        templateVersion, sendState, outboundMessageId, targetAddress, processedAt)
                    VALUES (?, 'c', 'triggers', ?, ?, ?, ?, 'a', 'cart', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [10 + offset * 7, offset % 3, offset, offset == 4 ? nil : "m-\(offset)", offset == 2 ? nil : 1_700_000_000_000 + offset,
                                     offset == 1 ? nil : 5 + offset, 100 + offset, status, offset, offset == 0 ? nil : 200 + offset,
                                     offset > 5 ? 300 + offset : nil, offset > 5 ? "failed \(offset)" : nil, 400 + offset,
                                     offset > 2 ? offset : nil, offset == 3 ? "sent" : offset == 5 ? "sending" : nil,
                                     offset == 3 ? "<o@x>" : nil, offset == 3 ? "a@example.com" : nil, offset > 2 ? 500 + offset : nil])
                try db.execute(sql: "INSERT INTO pipelineEventEnvelope (eventId, envelope) VALUES (?, ?)",
                               arguments: [10 + offset * 7, Data("{\"n\":\(offset)}".utf8)])
                try db.execute(sql: "INSERT INTO pipelineEventAttempt (eventId, attempt, at, outcome) VALUES (?, 1, 1, 'retry')",
                               arguments: [10 + offset * 7])
            }
        }
        func snapshot() throws -> (rows: [[DatabaseValue]], indexes: [String], joined: Int) {
            try pool.read { db in
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM pipelineEvent ORDER BY id").map { Array($0.databaseValues) }
                let indexes = try String.fetchAll(db, sql: """
                    SELECT name || ': ' || coalesce(sql, '') FROM sqlite_master WHERE type = 'index' AND tbl_name = 'pipelineEvent' ORDER BY name
                    """)
                let joined = try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM pipelineEvent e JOIN pipelineEventEnvelope v ON v.eventId = e.id
                    JOIN pipelineEventAttempt a ON a.eventId = e.id
                    """)!
                return (rows, indexes, joined)
            }
        }
        let before = try snapshot()

        try Migrations.migrator.migrate(pool, upTo: "0010_event_status_check_by_comparisons")
        let after = try snapshot()
        #expect(after.rows == before.rows)
        #expect(after.indexes == before.indexes)
        #expect(after.joined == statuses.count)
        try pool.write { db in
            // The checks still hold, the deletes still cascade.
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE pipelineEvent SET status = 'lost' WHERE id = 10") }
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE pipelineEvent SET sendState = 'maybe' WHERE id = 10") }
            try db.execute(sql: "DELETE FROM pipelineEvent WHERE id = 10")
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM pipelineEventEnvelope WHERE eventId = 10") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM pipelineEventAttempt WHERE eventId = 10") == 0)
        }
        #expect(try pool.read { db in try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'pipelineEvent'") }?
            .contains(" IN (") == false)
    }
}
