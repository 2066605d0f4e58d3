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
}
