import CampaignCore
import Foundation
import GRDB

/// The most this machine's storage path can take: the daemon's event rows
/// inserted into a fresh store (same schema, indexes, connection settings
/// and statements as `storeEvents`) by a minimal loop of batched transactions — no parsing, no
/// routing, no queues. `scripts/bench` compares the daemon's ingest with it.
public enum StorageCeiling {
    public struct Result: Sendable, Codable {
        public var rows: Int
        public var batchSize: Int
        public var seconds: Double
        public var rowsPerSecond: Double
    }

    /// Inserts `events` (and the offsets each batch advances) in batches of
    /// `batchSize` into a new store at `path`, which must not exist.
    public static func measure(events: [IncomingEvent], batchSize: Int, path: String) throws -> Result {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw CampaignError(.cannotCreate, "\(path) already exists", hint: "give a path to a new file")
        }
        let pool = try InstanceStore.makePool(path: path)
        try InstanceStore.migrate(pool)
        // Checkpointed like the daemon's store.
        let checkpoints = try BackgroundCheckpoints.start(for: pool)
        defer { checkpoints.stop() }
        let receivedMs = Int64(Date().timeIntervalSince1970 * 1000)
        let started = DispatchTime.now().uptimeNanoseconds
        var index = 0
        while index < events.count {
            let batch = events[index..<min(index + batchSize, events.count)]
            try pool.write { db in
                var highest: [Int: Int64] = [:]
                let insertion = try InstanceStore.EventInsertion(db)
                for event in batch {
                    _ = try insertion.insert(event, receivedMs: receivedMs, db)
                    highest[event.partition] = max(highest[event.partition] ?? -1, event.offset)
                }
                let advance = try db.cachedStatement(sql: InstanceStore.advanceOffsetSQL)
                for (partition, offset) in highest {
                    try advance.execute(arguments: [batch.first!.consumer, batch.first!.topic, partition, offset, receivedMs])
                }
            }
            index += batchSize
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return Result(rows: events.count, batchSize: batchSize, seconds: seconds, rowsPerSecond: Double(events.count) / seconds)
    }
}
