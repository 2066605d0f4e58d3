import CampaignCore
import Foundation
import Logging
import Pipeline
import Store
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A small tmpfs mounted on a scratch folder: a real disk that fills up.
/// Mounting needs root (CI runs as root); `TmpfsMount.available` says whether
/// this machine allows it, probed once with a 1 MB mount.
final class TmpfsMount: @unchecked Sendable {
    let directory = TemporaryDirectory("campaignctl-tmpfs")
    var url: URL { directory.url }

    init(megabytes: Int) throws {
        let options = "size=\(megabytes)m,mode=0700"
        guard options.withCString({ mount("tmpfs", directory.path, "tmpfs", 0, $0) }) == 0 else {
            throw TestServerFailure("mount tmpfs on \(directory.path): \(String(cString: strerror(errno)))")
        }
    }

    deinit { _ = umount2(directory.path, Int32(MNT_DETACH)) }

    static let available: Bool = (try? TmpfsMount(megabytes: 1)) != nil

    /// Writes zeros to `name` until the filesystem is full; returns the bytes written.
    func fill(_ name: String) -> Int {
        let fd = open(url.appendingPathComponent(name).path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var written = 0
        for size in [1 << 20, 1 << 16, 1 << 12, 512] {
            let block = [UInt8](repeating: 0, count: size)
            while block.withUnsafeBytes({ write(fd, $0.baseAddress, size) }) == size { written += size }
        }
        return written
    }
}

/// Keeps every log message, for assertions on what the daemon tells operators.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var messages: [String] { lock.withLock { lines } }
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    func count(containing text: String) -> Int { messages.filter { $0.contains(text) }.count }

    var logger: Logger { Logger(label: "test") { _ in CapturingHandler(capture: self) } }

    struct CapturingHandler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { capture.append("\(event.level) \(event.message)") }
    }
}

@Suite struct DiskFullTests {
    let uid = "3e8a2ba7-fccc-49bb-bdac-33ee33cf02bf"

    // Needs `mount -t tmpfs` (root, as in CI): a store on a disk that really
    // fills up. Elsewhere the test is reported as skipped, with this reason.
    @Test(.enabled(if: TmpfsMount.available, "mounting a tmpfs needs root (CI runs as root)"))
    func aFullDiskPausesIngestAndProcessingThenResumesWithoutLoss() async throws {
        let disk = try TmpfsMount(megabytes: 24)
        let layout = InstanceLayout(home: disk.url, name: "full")
        let store = try InstanceStore.create(layout: layout)
        let total: Int64 = 3_000
        let log = GeneratedTopicLog(generator: TriggerGenerator(triggerId: uid, imsOrg: "ORG@AdobeOrg"), count: total,
                                    partitionCount: 4, rate: 600)
        let server = TopicStreamServer(logs: ["triggers": log], faults: StreamFaults(pingInterval: 0.2), isValidToken: { _ in true })
        try server.start()
        defer { server.stop() }
        let handler = AcceptingHandler()
        let capture = LogCapture()
        let settings = DaemonSettings(values: ["discoverPipelineEndpoint": server.baseURL.absoluteString, "monitorServerPort": "-1",
                                               "pointerFlushPeriodSec": "1", "pointerFlushMessageCount": "50", "processingThreads": "2"])
        let daemon = try Pipelined(layout: layout, store: store, logger: capture.logger, storageRetryInterval: 0.2, loadSetup: {
            DaemonSetup(settings: settings,
                        routing: RoutingTable(topics: [RoutedTopic(name: "triggers", consumer: "test", triggerNames: [uid], takesAll: false)],
                                              publishedTriggers: [uid: "cart"]),
                        tokens: CountingTokens(), clientId: "cid", orgId: "ORG@AdobeOrg", handler: handler, resumableTriggerIds: { [] })
        })
        try await daemon.start()
        #expect(try await eventually(timeout: .seconds(30)) { handler.count >= 200 })

        // The disk fills up while triggers keep coming.
        let filled = try await offPool { disk.fill("filler") }
        #expect(filled > 0)
        #expect(try await eventually(timeout: .seconds(30)) { daemon.stats.snapshot.storagePausedSince != nil },
                "the daemon never paused; log: \(capture.messages.suffix(5))")
        // Said in words an operator can act on, and on the status page.
        #expect(capture.messages.contains { $0.contains("disk full:") && $0.contains("pausing") && $0.contains("will retry every 0.2 s") })
        let status = try #require(try JSONSerialization.jsonObject(with: daemon.statusJSON()) as? [String: Any])
        let storage = try #require(status["storage"] as? [String: Any])
        #expect(storage["paused"] as? Bool == true)
        #expect(storage["reason"] as? String != nil)

        // While full: nothing is acknowledged that is not stored, and nothing
        // is lost; the daemon keeps trying (several failed writes) and does
        // not log each one (a write may still fit now and then, which ends
        // and starts a pause: a few lines, never one per retry).
        let errorsBefore = daemon.stats.snapshot.storageErrors
        #expect(try await eventually(timeout: .seconds(10)) { daemon.stats.snapshot.storageErrors >= errorsBefore + 10 })
        let failedWrites = daemon.stats.snapshot.storageErrors
        #expect(Int64(capture.count(containing: "disk full:")) * 5 < failedWrites, "\(capture.messages)")
        // Every envelope acknowledged (committed offsets) is stored: every one is routed here.
        let acknowledged = try store.committedOffsets(consumer: "test", topic: "triggers").values.reduce(0) { $0 + $1 + 1 }
        let storedWhileFull = try store.eventCounts().values.reduce(0, +)
        #expect(acknowledged <= Int64(storedWhileFull))

        // Space returns: it resumes by itself and stores and processes everything, once.
        try FileManager.default.removeItem(at: disk.url.appendingPathComponent("filler"))
        #expect(try await eventually(timeout: .seconds(60)) {
            (try? store.eventCounts()) == [.processed: Int(total)] && handler.count == Int(total)
        }, "counts: \(String(describing: try? store.eventCounts())), handled \(handler.count); log: \(capture.messages.suffix(8))")
        #expect(capture.count(containing: "disk space available again") >= 1)
        #expect(daemon.stats.snapshot.storagePausedSince == nil)
        await daemon.stop()
        let offsets = try store.committedOffsets(consumer: "test", topic: "triggers")
        #expect(offsets.values.reduce(0) { $0 + $1 + 1 } == total)
        // Each event was handled once: a held outcome is recorded, not processed again.
        let handled = handler.lock.withLock { handler.seen.values.flatMap { $0 } }
        #expect(handled.count == Int(total))
    }
}
