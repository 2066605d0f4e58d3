import CampaignCore
import Foundation
import Logging
@testable import Pipeline
import Testing
import TestSupport

/// A token source that counts how often it was asked and told to forget.
final class CountingTokens: BearerTokenSource, @unchecked Sendable {
    let lock = NSLock()
    var issued = 0
    var invalidated = 0
    func bearerToken() async throws -> String { lock.withLock { issued += 1; return "token" } }
    func invalidate() async { lock.withLock { invalidated += 1 } }
}

/// Collects what the consumer hands on.
final class CollectingSink: TopicSink, @unchecked Sendable {
    let lock = NSLock()
    var envelopes: [PipelineEnvelope] = []
    var faults: [EnvelopeFault] = []
    var pings = 0
    var connects = 0

    func receive(_ batch: [PipelineEnvelope], from subscription: TopicSubscription) { lock.withLock { envelopes += batch } }
    func fault(_ fault: EnvelopeFault, from subscription: TopicSubscription) { lock.withLock { faults.append(fault) } }
    func pingReceived(from subscription: TopicSubscription) { lock.withLock { pings += 1 } }
    func connectionChanged(connected: Bool, host: String, from subscription: TopicSubscription) {
        if connected { lock.withLock { connects += 1 } }
    }

    var count: Int { lock.withLock { envelopes.count } }
}

/// Polls `condition` until it holds or `seconds` pass. Async, so that it
/// never blocks the cooperative thread pool the code under test may need.
@Suite struct TopicStreamTests {
    let generator = TriggerGenerator(triggerId: "3e8a2ba7-fccc-49bb-bdac-33ee33cf02bf", imsOrg: "ORG@AdobeOrg")

    func consume(_ server: TopicStreamServer, start: [Int: Int64] = [:], tokens: CountingTokens = CountingTokens(),
                 sink: CollectingSink, stallSeconds: Int = 30) -> (TopicConsumer, Thread) {
        let consumer = TopicConsumer(
            subscription: TopicSubscription(endpoint: server.baseURL, topic: "triggers", consumer: "test", clientId: "cid", orgId: "ORG@AdobeOrg"),
            startOffsets: start, tokens: tokens, sink: sink, logger: Logger(label: "test"),
            backoff: Backoff(initial: 0.05, maximum: 0.2), stallSeconds: stallSeconds)
        let thread = Thread { consumer.run() }
        thread.start()
        return (consumer, thread)
    }

    @Test func deliversEveryMessageOnceInOffsetOrderPerPartition() async throws {
        let log = GeneratedTopicLog(generator: generator, count: 3_000, partitionCount: 15, rate: nil)
        let server = TopicStreamServer(logs: ["triggers": log], isValidToken: { $0 == "token" })
        try server.start()
        defer { server.stop() }
        let sink = CollectingSink()
        let (consumer, _) = consume(server, sink: sink)
        defer { consumer.stop() }

        // A deadline, not a pause: met in about a second on an idle machine.
        #expect(try await eventually(timeout: .seconds(90)) { sink.count >= 3_000 })
        let envelopes = sink.lock.withLock { sink.envelopes }
        #expect(envelopes.count == 3_000)
        #expect(Set(envelopes.map { "\($0.partition):\($0.offset)" }).count == 3_000)
        for partition in 0..<15 {
            let offsets = envelopes.filter { $0.partition == partition }.map(\.offset)
            #expect(offsets == Array(0..<200))
        }
        let first = try #require(envelopes.first)
        #expect(first.analyticsTriggerId == generator.triggerId)
        #expect(first.messageId == generator.messageId(partition: first.partition, offset: first.offset))
    }

    @Test func resumesAfterTheGivenOffsets() async throws {
        let log = GeneratedTopicLog(generator: generator, count: 100, partitionCount: 2, rate: nil)
        let server = TopicStreamServer(logs: ["triggers": log], isValidToken: { _ in true })
        try server.start()
        defer { server.stop() }
        let sink = CollectingSink()
        let (consumer, _) = consume(server, start: [0: 44, 1: 9], sink: sink)
        defer { consumer.stop() }
        #expect(try await eventually(timeout: .seconds(90)) { sink.count >= 45 })
        let envelopes = sink.lock.withLock { sink.envelopes }
        #expect(envelopes.filter { $0.partition == 0 }.map(\.offset) == Array(45..<50))
        #expect(envelopes.filter { $0.partition == 1 }.map(\.offset) == Array(10..<50))
    }

    @Test func survivesDropsGarbage401And500WithoutLosingOrDuplicating() async throws {
        let log = GeneratedTopicLog(generator: generator, count: 2_000, partitionCount: 4, rate: nil)
        let server = TopicStreamServer(
            logs: ["triggers": log],
            faults: StreamFaults(dropEvery: 300, unauthorizedFirst: 1, serverErrorFirst: 2, garbageEvery: 250),
            isValidToken: { $0 == "token" })
        try server.start()
        defer { server.stop() }
        let sink = CollectingSink()
        let tokens = CountingTokens()
        let (consumer, _) = consume(server, tokens: tokens, sink: sink)
        defer { consumer.stop() }

        // Up to 90 s: with the whole suite beside it on two cores this took 19–30 s, once over 37.
        #expect(try await eventually(timeout: .seconds(90)) { sink.count >= 2_000 })
        let envelopes = sink.lock.withLock { sink.envelopes }
        #expect(envelopes.count == 2_000)
        #expect(Set(envelopes.map { "\($0.partition):\($0.offset)" }).count == 2_000)
        #expect(tokens.lock.withLock { tokens.invalidated } == 1)
        let counters = server.snapshot
        #expect(counters.rejectedUnauthorized == 1)
        #expect(counters.rejectedServerError == 2)
        #expect(counters.connectionsDropped >= 6)
        #expect(sink.lock.withLock { sink.faults.count } == counters.garbageLinesSent)
        #expect(sink.lock.withLock { sink.faults.allSatisfy { $0.reason.hasPrefix("not valid JSON:") } })
    }

    @Test func hearsPingsWhenIdleAndReconnectsAfterAStall() async throws {
        let log = GeneratedTopicLog(generator: generator, count: 0, partitionCount: 1, rate: nil)
        let server = TopicStreamServer(logs: ["triggers": log], faults: StreamFaults(pingInterval: 0.1), isValidToken: { _ in true })
        try server.start()
        defer { server.stop() }
        let sink = CollectingSink()
        let (consumer, _) = consume(server, sink: sink, stallSeconds: 1)
        defer { consumer.stop() }
        #expect(try await eventually(timeout: .seconds(90)) { sink.lock.withLock { sink.pings } >= 3 })

        // A stream that goes silent is dropped after the stall time and re-opened.
        server.setFaults(StreamFaults(pingInterval: nil))
        let before = server.snapshot.requests
        #expect(try await eventually(timeout: .seconds(10)) { server.snapshot.requests > before + 1 })
    }

    @Test func stopEndsTheConsumerPromptly() async throws {
        let log = GeneratedTopicLog(generator: generator, count: 0, partitionCount: 1, rate: nil)
        let server = TopicStreamServer(logs: ["triggers": log], isValidToken: { _ in true })
        try server.start()
        defer { server.stop() }
        let sink = CollectingSink()
        let consumer = TopicConsumer(
            subscription: TopicSubscription(endpoint: server.baseURL, topic: "triggers", consumer: "t", clientId: "c", orgId: "o"),
            startOffsets: [:], tokens: CountingTokens(), sink: sink, logger: Logger(label: "test"))
        let finished = NSLock()
        nonisolated(unsafe) var done = false
        Thread.detachNewThread {
            consumer.run()
            finished.withLock { done = true }
        }
        #expect(try await eventually(timeout: .seconds(90)) { sink.lock.withLock { sink.connects } == 1 })
        consumer.stop()
        #expect(try await eventually(timeout: .seconds(5)) { finished.withLock { done } })
    }
}
