import CampaignCore
import Foundation
import Logging
@testable import Pipeline
import Store
import Testing
import TestSupport

/// Partition 0 of a topic: a valid trigger at every even offset and one
/// hostile line (a corpus case) at every odd offset.
struct HostileTopicLog: TopicLog {
    let valid: TriggerGenerator
    let hostile: [Data]
    var partitions: [Int] { [0] }

    func entries(topic: String, partition: Int, after offset: Int64, limit: Int, at now: Date) -> [(offset: Int64, line: Data)] {
        let end = Int64(hostile.count * 2 + 1)
        let first = max(0, offset + 1)
        guard partition == 0, first < end else { return [] }
        return (first..<min(end, first + Int64(limit))).map { o in
            (o, o % 2 == 0 ? valid.envelope(topic: topic, partition: 0, offset: o, createTime: 1) : hostile[Int(o / 2)])
        }
    }

    func nextArrival(after now: Date) -> Date? { nil }
}

/// The corpus lines the parser refuses, and the unknown envelope types,
/// through the daemon's real path (HTTP stream → consumer → ingest writer →
/// SQLite): each is counted as a protocol fault, none stops the stream or
/// costs a valid trigger around it.
@Suite struct EnvelopeCorpusIngestTests {
    /// Streams `log` through the daemon's ingest path into `fixture`, routing
    /// `triggerId`, until `done` holds for the stats (or 60 s pass).
    func ingest(_ log: some TopicLog, routing triggerId: String, into fixture: StoreFixture,
                until done: @escaping @Sendable (PipelinedStats.Snapshot) -> Bool) async throws -> (PipelinedStats, reached: Bool) {
        let server = TopicStreamServer(logs: ["triggers": log], isValidToken: { _ in true })
        try server.start()
        defer { server.stop() }
        let stats = PipelinedStats()
        let writer = IngestWriter(store: fixture.store, router: FixedRouter(routes: [triggerId: "cart"]),
                                  settings: .init(maximumBatch: 100), stats: stats, logger: Logger(label: "test"))
        writer.start()
        let subscription = TopicSubscription(endpoint: server.baseURL, topic: "triggers", consumer: "prod", clientId: "c", orgId: "o")
        let consumer = TopicConsumer(subscription: subscription, startOffsets: [:], tokens: CountingTokens(), sink: writer,
                                     logger: Logger(label: "test"), backoff: Backoff(initial: 0.05, maximum: 0.1))
        Thread.detachNewThread { consumer.run() }
        let reached = try await eventually(timeout: .seconds(60)) { done(stats.snapshot) }
        consumer.stop()
        writer.stop()
        return (stats, reached)
    }

    @Test func hostileLinesAreCountedAndTheValidOnesAroundThemStored() async throws {
        var hostile: [Data] = []
        for corpusCase in EnvelopeCorpus.cases {
            let expected = try corpusCase.expectation()
            let isUnknownType = expected.accepted?["kind"]?.hasPrefix("unknown(") == true
            guard expected.refused != nil || isUnknownType else { continue }
            let line = try EnvelopeCorpus.input(corpusCase)
            // A line holding a newline would be two lines on the wire.
            guard !line.contains(0x0A) else { continue }
            hostile.append(line)
        }
        #expect(hostile.count > 30)
        #expect(hostile.contains { $0.count == 10 << 20 }, "the 10 MB line goes over the wire too")

        let fixture = try StoreFixture()
        let valid = TriggerGenerator(triggerId: "11111111-1111-1111-1111-111111111111", imsOrg: "ORG@AdobeOrg", seed: 7)
        let expectedStored = Int64(hostile.count + 1), faults = Int64(hostile.count)
        let (stats, reached) = try await ingest(HostileTopicLog(valid: valid, hostile: hostile), routing: valid.triggerId, into: fixture) {
            $0.triggerStored >= expectedStored && $0.protocolFaults >= faults
        }
        #expect(reached, "stored \(stats.snapshot.triggerStored) of \(expectedStored), faults \(stats.snapshot.protocolFaults) of \(hostile.count)")
        #expect(stats.snapshot.triggerStored == expectedStored)
        #expect(stats.snapshot.protocolFaults == Int64(hostile.count))
        #expect(try fixture.store.eventCounts() == [.pending: Int(expectedStored)])
        #expect(try fixture.store.committedOffsets(consumer: "prod", topic: "triggers") == [0: Int64(hostile.count * 2)])
    }

    /// Lines as the stream reader cuts them out of reads of up to 512 KiB: a
    /// line at the 1 MiB limit (always across reads), lines ending in CRLF,
    /// and short lines between them, all stored whole and in order.
    @Test func linesAcrossReadsAndCRLFLinesAreReadWhole() async throws {
        let valid = TriggerGenerator(triggerId: "11111111-1111-1111-1111-111111111111", imsOrg: "ORG@AdobeOrg", seed: 9)
        func line(_ offset: Int64, size: Int? = nil, crlf: Bool = false) -> Data {
            var text = valid.envelope(topic: "triggers", partition: 0, offset: offset, createTime: 1)
            if let size {
                text.removeLast()  // the closing brace, to add a member that brings the line to `size`
                let prefix = Data(#","padding":""#.utf8)
                text += prefix + Data(repeating: UInt8(ascii: "x"), count: size - text.count - prefix.count - 2) + Data(#""}"#.utf8)
                precondition(text.count == size)
            }
            return crlf ? text + Data([0x0D]) : text
        }
        let lines = [line(0), line(1, size: PipelineEnvelopeParser.maximumLineBytes), line(2, crlf: true), line(3),
                     line(4, size: PipelineEnvelopeParser.maximumLineBytes - 1, crlf: true), line(5, crlf: true)]
        let fixture = try StoreFixture()
        let (stats, reached) = try await ingest(FixedTopicLog(lines: lines), routing: valid.triggerId, into: fixture) { $0.triggerStored >= 6 }
        #expect(reached, "stored \(stats.snapshot.triggerStored) of 6, faults \(stats.snapshot.protocolFaults)")
        #expect(stats.snapshot.protocolFaults == 0)
        let stored = try fixture.store.events(EventFilter(limit: 10)).sorted { $0.offset < $1.offset }
        #expect(stored.map(\.offset) == [0, 1, 2, 3, 4, 5])
        for event in stored {
            let expected = lines[Int(event.offset)]
            let envelope = try fixture.store.event(id: event.id).envelope
            #expect(envelope == String(decoding: expected.last == 0x0D ? expected.dropLast() : expected, as: UTF8.self))
        }
    }
}

/// Partition 0 of a topic holding `lines` at offsets 0, 1, 2…
struct FixedTopicLog: TopicLog {
    let lines: [Data]
    var partitions: [Int] { [0] }

    func entries(topic: String, partition: Int, after offset: Int64, limit: Int, at now: Date) -> [(offset: Int64, line: Data)] {
        let first = Int(max(0, offset + 1))
        guard partition == 0, first < lines.count else { return [] }
        return (first..<min(lines.count, first + limit)).map { (Int64($0), lines[$0]) }
    }

    func nextArrival(after now: Date) -> Date? { nil }
}
