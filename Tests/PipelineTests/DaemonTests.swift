import CampaignCore
import Foundation
import Logging
import Pipeline
import Store
import Testing
import TestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Marks every event processed, as a connector that always accepts would.
final class AcceptingHandler: EventHandler, @unchecked Sendable {
    let lock = NSLock()
    var seen: [Int: [Int64]] = [:]
    func handle(_ events: [ClaimedEvent], now: Date) -> [(eventId: Int64, outcome: EventOutcome)] {
        lock.withLock { for event in events { seen[event.partition, default: []].append(event.offset) } }
        return events.map { ($0.id, EventOutcome(status: .processed, sent: true, templateVersion: 1)) }
    }
    var count: Int { lock.withLock { seen.values.reduce(0) { $0 + $1.count } } }
}

@Suite struct DaemonTests {
    let uid = "3e8a2ba7-fccc-49bb-bdac-33ee33cf02bf"

    func setup(server: TopicStreamServer, handler: any EventHandler, extra: [String: String] = [:]) -> DaemonSetup {
        var values = ["discoverPipelineEndpoint": server.baseURL.absoluteString, "monitorServerPort": "-1",
                      "pointerFlushPeriodSec": "1", "processingThreads": "3"]
        values.merge(extra) { $1 }
        return DaemonSetup(
            settings: DaemonSettings(values: values),
            routing: RoutingTable(topics: [RoutedTopic(name: "triggers", consumer: "test", triggerNames: [uid], takesAll: false)],
                                  publishedTriggers: [uid: "cart"]),
            tokens: CountingTokens(), clientId: "cid", orgId: "ORG@AdobeOrg", handler: handler, resumableTriggerIds: { [] })
    }

    @Test func streamsStoresProcessesAndResumesFromCommittedOffsets() async throws {
        let fixture = try StoreFixture()
        let generator = TriggerGenerator(triggerId: uid, imsOrg: "ORG@AdobeOrg")
        let other = TriggerGenerator(triggerId: "99999999-0000-0000-0000-000000000000", imsOrg: "ORG@AdobeOrg")
        let server = TopicStreamServer(logs: ["triggers": MixedLog(wanted: generator, unwanted: other, perPartition: 500, partitions: 6)],
                                       faults: StreamFaults(dropEvery: 700, garbageEvery: 500, pingInterval: 0.2),
                                       isValidToken: { _ in true })
        try server.start()
        defer { server.stop() }
        let handler = AcceptingHandler()
        let daemon = try Pipelined(layout: fixture.layout, store: fixture.store, logger: Logger(label: "test"),
                                   loadSetup: { setup(server: server, handler: handler) })
        try await daemon.start()
        #expect(try await eventually(timeout: .seconds(60)) { handler.count >= 300 })
        // Every partition's events were handled in offset order.
        for offsets in handler.lock.withLock({ handler.seen.values }) { #expect(offsets == offsets.sorted()) }

        // The status page answers in Adobe's shape.
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(daemon.monitorPort)/pipelined/status")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let status = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let agent = try #require((status["agents"] as? [[String: Any]])?.first)
        #expect(agent["consumer"] as? String == "test")
        #expect(agent["name"] as? String == "listener")
        let pointer = try #require(agent["pointer"] as? [String: Any])
        #expect((pointer["current-offsets"] as? String)?.contains(":") == true)
        let stats = try #require(agent["stats"] as? [String: Any])
        #expect((stats["trigger-received"] as? Int ?? 0) > 0)
        #expect((stats["protocol-faults"] as? Int ?? 0) > 0)
        let (metrics, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(daemon.monitorPort)/metrics")!)
        #expect(String(decoding: metrics, as: UTF8.self).contains("campaignctl_triggers_stored_total{instance=\"test\"}"))
        await daemon.stop()

        // After a stop, the offsets cover everything stored; a second run
        // picks up from there and stores nothing twice.
        let firstRun = try fixture.store.eventCounts().values.reduce(0, +)
        let second = try Pipelined(layout: fixture.layout, store: fixture.store, logger: Logger(label: "test"),
                                   loadSetup: { setup(server: server, handler: handler) })
        try await second.start()
        #expect(try await eventually(timeout: .seconds(60)) { handler.count >= 1_500 && (try? fixture.store.eventCounts()[.processed]) == 1_500 })
        await second.stop()
        #expect(firstRun >= 300 && firstRun <= 1_500)
        #expect(try fixture.store.eventCounts() == [.processed: 1_500])
        let offsets = try fixture.store.committedOffsets(consumer: "test", topic: "triggers")
        #expect(offsets.count == 6)
        #expect(offsets.values.reduce(0) { $0 + $1 + 1 } == 3_000)
        // Each start found the stream through discovery.
        #expect(server.snapshot.discoveryRequests == 2)
    }
}
