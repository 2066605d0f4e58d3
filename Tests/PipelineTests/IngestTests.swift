import CampaignCore
import Foundation
import Logging
@testable import Pipeline
import Store
import Testing
import TestSupport

struct FixedRouter: EnvelopeRouter {
    var routes: [String: String]
    func route(analyticsTriggerId: String?, topic: String) -> String? { analyticsTriggerId.flatMap { routes[$0] } }
}

@Suite struct IngestTests {
    let wanted = TriggerGenerator(triggerId: "11111111-1111-1111-1111-111111111111", imsOrg: "ORG@AdobeOrg", seed: 1)
    let unwanted = TriggerGenerator(triggerId: "22222222-2222-2222-2222-222222222222", imsOrg: "ORG@AdobeOrg", seed: 2)

    /// Runs a consumer into an ingest writer until `expected` events are stored.
    func ingest(_ log: any TopicLog, into fixture: StoreFixture, faults: StreamFaults = StreamFaults(),
                expectStored: Int64, settings: IngestWriter.Settings = .init(maximumBatch: 100),
                alsoWaitFor settled: @escaping (PipelinedStats.Snapshot, StreamServerCounters) -> Bool = { _, _ in true }) async throws -> (PipelinedStats, StreamServerCounters) {
        let server = TopicStreamServer(logs: ["triggers": log], faults: faults, isValidToken: { _ in true })
        try server.start()
        defer { server.stop() }
        let stats = PipelinedStats()
        let writer = IngestWriter(store: fixture.store, router: FixedRouter(routes: [wanted.triggerId: "cart"]),
                                  settings: settings, stats: stats, logger: Logger(label: "test"))
        writer.start()
        let subscription = TopicSubscription(endpoint: server.baseURL, topic: "triggers", consumer: "prod", clientId: "c", orgId: "o")
        let consumer = TopicConsumer(subscription: subscription,
                                     startOffsets: try fixture.store.committedOffsets(consumer: "prod", topic: "triggers"),
                                     tokens: CountingTokens(), sink: writer, logger: Logger(label: "test"),
                                     backoff: Backoff(initial: 0.05, maximum: 0.1))
        Thread.detachNewThread { consumer.run() }
        // 90 s: the whole suite runs beside it on two cores (bench smoke, soak-like subprocesses).
        let reached = try await eventually(timeout: .seconds(90)) { stats.snapshot.triggerStored >= expectStored && settled(stats.snapshot, server.snapshot) }
        consumer.stop()
        writer.stop()
        #expect(reached, "stored \(stats.snapshot.triggerStored) of \(expectStored)")
        return (stats, server.snapshot)
    }

    @Test func storesConfiguredTriggersWithOffsetsAndDropsTheRest() async throws {
        let fixture = try StoreFixture()
        // Two triggers interleaved on 3 partitions: even offsets wanted, odd not.
        let log = MixedLog(wanted: wanted, unwanted: unwanted, perPartition: 200, partitions: 3)
        let (stats, _) = try await ingest(log, into: fixture, expectStored: 300)
        #expect(stats.snapshot.triggerStored == 300)
        #expect(stats.snapshot.triggerDiscarded == 300)
        #expect(try fixture.store.eventCounts() == [.pending: 300])
        #expect(try fixture.store.committedOffsets(consumer: "prod", topic: "triggers") == [0: 199, 1: 199, 2: 199])
    }

    @Test func aRestartResumesFromCommittedOffsetsAndStoresNothingTwice() async throws {
        let fixture = try StoreFixture()
        let first = GeneratedTopicLog(generator: wanted, count: 500, partitionCount: 5, rate: nil)
        _ = try await ingest(first, into: fixture, expectStored: 500)
        // The same topic, grown: only the 250 new messages are stored.
        let grown = GeneratedTopicLog(generator: wanted, count: 750, partitionCount: 5, rate: nil, start: first.start)
        let (stats, _) = try await ingest(grown, into: fixture, expectStored: 250)
        #expect(stats.snapshot.triggerReceived == 250)
        #expect(try fixture.store.eventCounts() == [.pending: 750])
        #expect(try fixture.store.committedOffsets(consumer: "prod", topic: "triggers") == [0: 149, 1: 149, 2: 149, 3: 149, 4: 149])
    }

    @Test func dropsAndGarbageLoseNothing() async throws {
        let fixture = try StoreFixture()
        let log = GeneratedTopicLog(generator: wanted, count: 3_000, partitionCount: 15, rate: nil)
        let (stats, server) = try await ingest(log, into: fixture, faults: StreamFaults(dropEvery: 700, serverErrorFirst: 1, garbageEvery: 400),
                                     expectStored: 3_000, alsoWaitFor: { stats, server in stats.protocolFaults == Int64(server.garbageLinesSent) })
        #expect(try fixture.store.eventCounts() == [.pending: 3_000])
        #expect(server.garbageLinesSent > 0)
        #expect(server.connectionsDropped >= 4)
        #expect(stats.snapshot.protocolFaults == Int64(server.garbageLinesSent))
    }
}

/// Per partition, even offsets carry the wanted trigger and odd ones the other.
struct MixedLog: TopicLog {
    let wanted: TriggerGenerator
    let unwanted: TriggerGenerator
    let perPartition: Int64
    let partitions: [Int]

    init(wanted: TriggerGenerator, unwanted: TriggerGenerator, perPartition: Int64, partitions: Int) {
        self.wanted = wanted
        self.unwanted = unwanted
        self.perPartition = perPartition
        self.partitions = Array(0..<partitions)
    }

    func entries(topic: String, partition: Int, after offset: Int64, limit: Int, at now: Date) -> [(offset: Int64, line: Data)] {
        let first = max(0, offset + 1)
        guard first < perPartition else { return [] }
        return (first..<min(perPartition, first + Int64(limit))).map { o in
            (o, (o % 2 == 0 ? wanted : unwanted).envelope(topic: topic, partition: partition, offset: o, createTime: 1))
        }
    }

    func nextArrival(after now: Date) -> Date? { nil }
}
