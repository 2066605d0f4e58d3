import CampaignCore
import Foundation
import Logging
import Store

/// The `<pipelined>` settings the daemon uses, typed.
public struct DaemonSettings: Sendable, Equatable {
    public var discoverPipelineEndpoint: URL?
    public var forcedPipelineEndpoint: URL?
    public var monitorServerPort: Int
    /// The IPv4 address the status server binds (default loopback only).
    public var monitorServerAddress: String
    public var dumpStatePeriodSec: Int
    public var pointerFlushMessageCount: Int
    public var pointerFlushPeriodSec: Int
    public var processingThreads: Int
    public var processingJSThreads: Int
    public var retryPeriodSec: Int
    public var retryValiditySec: Int
    /// Days an event is kept before the daily purge (Adobe: 3).
    public var purgeAfterDays: Int

    /// From effective `<pipelined>` values (attribute → value); values were
    /// validated by `config validate`, so anything unreadable takes its default.
    public init(values: [String: String]) {
        func int(_ name: String) -> Int {
            Int(values[name] ?? "") ?? Int(PipelinedSettings.attribute(named: name)?.defaultValue ?? "") ?? 0
        }
        func url(_ name: String) -> URL? {
            guard let text = values[name], !text.isEmpty else { return nil }
            return URL(string: text)
        }
        discoverPipelineEndpoint = url("discoverPipelineEndpoint")
        forcedPipelineEndpoint = url("forcedPipelineEndpoint")
        monitorServerPort = int("monitorServerPort")
        monitorServerAddress = values["monitorServerAddress"].flatMap { InstanceConfig.isIPv4Literal($0) ? $0 : nil } ?? "127.0.0.1"
        dumpStatePeriodSec = int("dumpStatePeriodSec")
        pointerFlushMessageCount = max(1, int("pointerFlushMessageCount"))
        pointerFlushPeriodSec = int("pointerFlushPeriodSec")
        processingThreads = max(1, int("processingThreads"))
        processingJSThreads = int("processingJSThreads")
        retryPeriodSec = int("retryPeriodSec")
        retryValiditySec = int("retryValiditySec")
        purgeAfterDays = Int(values["purgeAfterDays"] ?? "") ?? 3
    }

    var statusSettings: StatusSettings {
        StatusSettings(flushPointerMessageCount: pointerFlushMessageCount, flushPointerPeriodMs: pointerFlushPeriodSec * 1000,
                       processingThreads: processingThreads, processingJSThreads: processingJSThreads,
                       retryPeriodMs: retryPeriodSec * 1000, retryValidityDurationMs: retryValiditySec * 1000)
    }
}

/// Everything the daemon needs that comes from configuration; built again
/// on `SIGHUP`.
public struct DaemonSetup: Sendable {
    public var settings: DaemonSettings
    public var routing: RoutingTable
    public var tokens: any BearerTokenSource
    /// Sent as `x-api-key`.
    public var clientId: String
    /// Sent as `x-gw-ims-org-id`.
    public var orgId: String
    public var handler: any EventHandler
    /// Trigger events whose paused events may resume (their template is published again).
    public var resumableTriggerIds: @Sendable () -> [String]

    public init(settings: DaemonSettings, routing: RoutingTable, tokens: any BearerTokenSource, clientId: String,
                orgId: String, handler: any EventHandler, resumableTriggerIds: @escaping @Sendable () -> [String]) {
        self.settings = settings
        self.routing = routing
        self.tokens = tokens
        self.clientId = clientId
        self.orgId = orgId
        self.handler = handler
        self.resumableTriggerIds = resumableTriggerIds
    }
}

/// The triggers daemon: streams every configured topic from its stored
/// offsets, stores routed events in batches with their offsets, processes
/// them on `processingThreads` workers, serves its status, and stops cleanly.
public final class Pipelined: @unchecked Sendable {
    public let layout: InstanceLayout
    let store: InstanceStore
    let logger: Logger
    let loadSetup: @Sendable () throws -> DaemonSetup
    public let stats = PipelinedStats()
    let startedAt = Date()
    let lock = NSLock()
    var setup: DaemonSetup
    var consumers: [TopicConsumer] = []
    let consumersDone = DispatchGroup()
    var router: ReloadableRouter
    var ingest: IngestWriter?
    var workers: ProcessingWorkers?
    var checkpoints: BackgroundCheckpoints?
    var monitor: MonitorServer?
    var timers: [Task<Void, Never>] = []
    var countsRefreshedAt = Date.distantPast
    /// The port the status server listens on (0 when off), once started.
    public private(set) var monitorPort: UInt16 = 0
    /// False with `--ingest-only`: events are stored with their offsets and
    /// wait, unprocessed, for a later run (a maintenance window, a benchmark).
    let processing: Bool
    /// Pauses ingest and processing while the store cannot be written.
    public let storageHold: StorageHold
    private var statusDumpFailing = false

    /// `storageRetryInterval`: how often a write is tried again while the
    /// disk holding the store is full.
    public init(layout: InstanceLayout, store: InstanceStore, logger: Logger, processing: Bool = true,
                storageRetryInterval: TimeInterval = 2,
                loadSetup: @escaping @Sendable () throws -> DaemonSetup) throws {
        self.layout = layout
        self.store = store
        self.logger = logger
        self.processing = processing
        self.loadSetup = loadSetup
        storageHold = StorageHold(retryInterval: storageRetryInterval, logger: logger, stats: stats)
        setup = try loadSetup()
        router = ReloadableRouter(setup.routing)
    }

    /// Starts every part; returns once the streams are being read.
    public func start() async throws {
        let settings = setup.settings
        var interrupted: InterruptedWork
        while true {
            do {
                interrupted = try store.recoverInterruptedEvents()
                storageHold.writeSucceeded()
                break
            } catch where storageHold.writeFailed(error, while: "requeuing the events interrupted by the previous stop") {
                try await Task.sleep(nanoseconds: UInt64(storageHold.retryInterval * 1_000_000_000))
            }
        }
        if interrupted.requeued > 0 {
            logger.warning("Resuming \(interrupted.requeued) events interrupted by the previous stop; \(interrupted.inFlightSends) of them were being sent and are sent again with the same Message-ID")
        }
        checkpoints = try store.startBackgroundCheckpoints()
        let workers = ProcessingWorkers(store: store, handler: setup.handler, threads: settings.processingThreads,
                                        stats: stats, logger: logger, hold: storageHold)
        let ingest = IngestWriter(store: store, router: router,
                                  settings: .init(maximumBatch: settings.pointerFlushMessageCount,
                                                  offsetPeriod: TimeInterval(settings.pointerFlushPeriodSec)),
                                  stats: stats, logger: logger, hold: storageHold, onStored: { _ in workers.wake() })
        self.ingest = ingest
        if processing {
            self.workers = workers
            workers.start()
        } else {
            logger.notice("Ingest only: events are stored with their offsets and not processed until a run without --ingest-only")
        }
        ingest.start()
        refreshStatusCounts()

        // 0 turns the status page off; a negative port (tests only, never
        // accepted by `config set`) binds any free port.
        if settings.monitorServerPort != 0 {
            let monitor = try MonitorServer(host: settings.monitorServerAddress, port: UInt16(clamping: max(0, settings.monitorServerPort)),
                                            status: { [weak self] in self?.statusJSON() ?? Data("{}".utf8) },
                                            metrics: { [weak self] in self?.metricsText() ?? "" })
            do {
                monitorPort = try await monitor.start()
            } catch {
                throw CampaignError(.temporary, "cannot serve the status page on \(settings.monitorServerAddress):\(settings.monitorServerPort): \(error)",
                                    hint: "another process uses that port: set another with `campaignctl config set pipelined.monitorServerPort N` (0 turns it off)")
            }
            self.monitor = monitor
            logger.info("Status page on http://\(settings.monitorServerAddress):\(monitorPort)/pipelined/status")
        }

        for topic in setup.routing.topics {
            let endpoint: URL
            if let forced = settings.forcedPipelineEndpoint {
                endpoint = forced
            } else if let discover = settings.discoverPipelineEndpoint {
                let token = try await setup.tokens.bearerToken()
                endpoint = try await PipelineDiscovery(discoverEndpoint: discover, clientId: setup.clientId, orgId: setup.orgId)
                    .endpoint(for: topic.name, token: token)
            } else {
                throw CampaignError.configuration("neither forcedPipelineEndpoint nor discoverPipelineEndpoint is set",
                                                  hint: "campaignctl config set pipelined.discoverPipelineEndpoint URL")
            }
            let subscription = TopicSubscription(endpoint: endpoint, topic: topic.name, consumer: topic.consumer,
                                                 clientId: setup.clientId, orgId: setup.orgId)
            let offsets = try store.committedOffsets(consumer: topic.consumer, topic: topic.name)
            let consumer = TopicConsumer(subscription: subscription, startOffsets: offsets, tokens: setup.tokens,
                                         sink: ingest, logger: logger)
            consumers.append(consumer)
            consumersDone.enter()
            let thread = Thread { [consumersDone] in
                consumer.run()
                consumersDone.leave()
            }
            thread.name = "pipelined-listener-\(topic.name)"
            thread.start()
            logger.info("Listening to topic '\(topic.name)' as consumer '\(topic.consumer)' at \(endpoint.absoluteString), from offsets \(offsets.isEmpty ? "(oldest)" : TopicConsumer.offsetsParameter(offsets))")
        }

        startTimers(settings)
    }

    private func startTimers(_ settings: DaemonSettings) {
        timers.append(periodic(seconds: 1) { [weak self] in self?.housekeepingTick() })
        if settings.dumpStatePeriodSec > 0 {
            timers.append(periodic(seconds: Double(settings.dumpStatePeriodSec)) { [weak self] in self?.dumpStatus() })
        }
        timers.append(periodic(seconds: 24 * 3600, immediately: true) { [weak self] in self?.purge() })
    }

    private func periodic(seconds: Double, immediately: Bool = false, _ body: @escaping @Sendable () -> Void) -> Task<Void, Never> {
        Task.detached {
            if immediately { body() }
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
                if Task.isCancelled { return }
                body()
            }
        }
    }

    private func housekeepingTick() {
        let resumable = lock.withLock { setup.resumableTriggerIds }()
        if let resumed = try? store.requeuePausedEvents(triggerEventIds: resumable), resumed > 0 {
            logger.info("Resumed \(resumed) paused events")
            workers?.wake()
        }
    }

    /// Counting events by status reads the whole status index (a million
    /// entries on a busy instance): done when someone asks for the status,
    /// at most once a second, never on a timer.
    private func refreshStatusCounts(force: Bool = false) {
        let due = lock.withLock { () -> Bool in
            guard force || Date().timeIntervalSince(countsRefreshedAt) >= 1 else { return false }
            countsRefreshedAt = Date()
            return true
        }
        guard due else { return }
        guard let counts = try? store.eventCounts() else { return }
        let retries = (try? store.retryingEventCount()) ?? 0
        stats.update {
            $0.statusCounts = Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, Int64($0.value)) })
            $0.currentRetries = Int64(retries)
        }
    }

    func purge() {
        let days = lock.withLock { setup.settings.purgeAfterDays }
        do {
            let purged = try store.purgeEvents(receivedBefore: Date().addingTimeInterval(-Double(days) * 86_400))
            if purged > 0 { logger.info("Purged \(purged) events older than \(days) days") }
        } catch {
            logger.error("Purge failed: \(error)")
        }
    }

    /// Re-reads the configuration and routing (SIGHUP / `config reload`)
    /// without dropping the streams. Topic or endpoint changes need a restart.
    public func reload() {
        do {
            let fresh = try loadSetup()
            let previous = lock.withLock { () -> DaemonSetup in
                let old = setup
                setup = fresh
                return old
            }
            router.replace(with: fresh.routing)
            workers?.replaceHandler(fresh.handler)
            if fresh.routing.topics.map(\.name) != previous.routing.topics.map(\.name)
                || fresh.routing.topics.map(\.consumer) != previous.routing.topics.map(\.consumer) {
                logger.warning("Reload: topics or consumers changed; restart pipelined to listen to them")
            }
            logger.info("Reloaded the configuration: \(fresh.routing.publishedTriggers.count) published triggers routed")
            workers?.wake()
        } catch {
            logger.error("Reload failed, keeping the previous configuration: \(error)")
        }
    }

    /// Finishes the messages in flight, flushes the offsets and stops every part.
    public func stop() async {
        for consumer in consumers { consumer.stop() }
        _ = consumersDone.wait(timeout: .now() + 10)
        ingest?.stop()
        workers?.stop()
        lock.withLock { setup.handler }.stop()
        checkpoints?.stop()
        for timer in timers { timer.cancel() }
        refreshStatusCounts(force: true)
        if lock.withLock({ setup.settings.dumpStatePeriodSec }) > 0 { dumpStatus() }
        await monitor?.stop()
    }

    // MARK: Status

    func agents() -> [StatusAgent] {
        let table = router.current
        return table.topics.map { topic in
            StatusAgent(consumer: topic.consumer, topic: topic.name,
                        offsets: (try? store.committedOffsets(consumer: topic.consumer, topic: topic.name)) ?? [:],
                        routing: table.statusRouting(topic: topic.name))
        }
    }

    public func statusJSON() -> Data {
        refreshStatusCounts()
        return StatusDocument.json(instance: layout.name, agents: agents(), stats: stats.snapshot,
                            settings: lock.withLock { setup.settings.statusSettings }, startedAt: startedAt)
    }

    public func metricsText() -> String {
        refreshStatusCounts()
        return StatusDocument.prometheus(instance: layout.name, agents: agents(), stats: stats.snapshot)
    }

    func dumpStatus() {
        let data = statusJSON()
        let target = layout.daemonStatusFile
        do {
            // FileManager.replaceItemAt fails on Linux when the target does not exist yet.
            try AtomicFile.write(data, to: target, mode: 0o600, keepBackup: false)
            if lock.withLock({ () -> Bool in defer { statusDumpFailing = false }; return statusDumpFailing }) {
                logger.notice("\(target.lastPathComponent) is written again")
            }
        } catch {
            // Once per failing streak: a full disk would otherwise log it every period.
            if !lock.withLock({ () -> Bool in defer { statusDumpFailing = true }; return statusDumpFailing }) {
                logger.warning("Cannot write \(target.path): \(error.localizedDescription); the status page still answers")
            }
        }
    }
}
