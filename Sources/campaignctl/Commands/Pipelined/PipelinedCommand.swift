import ArgumentParser
import CampaignCore
import Foundation
import Logging
import Pipeline
import Store
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct PipelinedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipelined",
        abstract: "The triggers daemon: stream pipeline events, store them, send the messages.",
        subcommands: [Run.self, Status.self]
    )
}

extension DaemonLogHandler.Format: ExpressibleByArgument {}

extension PipelinedCommand {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the daemon in the foreground until SIGTERM or SIGINT.",
            discussion: """
            Reads the effective <pipelined> settings, the credential bound with `auth use`, and \
            the routing option NmsPipeline_Config; streams every topic from its stored offsets; \
            stores routed events in batches together with their offsets; processes them on \
            processingThreads workers (reconcile, render the published template, send); serves \
            GET /pipelined/status and /metrics on monitorServerAddress:monitorServerPort \
            (127.0.0.1 unless set otherwise, e.g. 0.0.0.0 to expose it; port 0 = off).

            SIGTERM/SIGINT finish the messages in flight, flush offsets and exit 0. SIGHUP (or \
            `campaignctl config reload`) re-reads the configuration and routing without dropping \
            the streams. One daemon per instance (var/NAME/pipelined.lock). Logs go to standard \
            error and var/NAME/pipelined.log.

            autoStart and processRestartTime are Adobe's process-supervisor settings: campaignctl \
            has no supervisor, so run it under systemd (Restart=on-failure) instead; both are \
            accepted in the config and not acted on.

            --ingest-only stores events and commits offsets but processes nothing: the events \
            wait as pending for the next ordinary run (a maintenance window on the mail side, \
            or filling a backlog for `scripts/bench`).

            EXAMPLES:
              campaignctl pipelined run --instance prod
              campaignctl pipelined run --log-format json 2>>pipelined.jsonl
              campaignctl pipelined run --ingest-only
            """
        )

        @OptionGroup var instanceOptions: InstanceOptions
        @Option(help: "Log lines as text or json.")
        var logFormat: DaemonLogHandler.Format = .text
        @Flag(help: "Log debug lines too.")
        var verbose = false
        @Flag(help: "Store events and commit offsets; process and send nothing.")
        var ingestOnly = false

        func run() async throws {
            let layout = try instanceOptions.layout()
            let lock = try DaemonLock.acquire(layout)
            defer { lock.release() }
            let store = try InstanceStore.open(layout: layout)
            let makeHandler = DaemonLogHandler.bootstrap(file: layout.daemonLogFile, format: logFormat, level: verbose ? .debug : .info)
            let logger = Logger(label: "pipelined", factory: makeHandler)
            let trap = SignalTrap([SIGTERM, SIGINT, SIGHUP])
            let daemon = try Pipelined(layout: layout, store: store, logger: logger, processing: !ingestOnly,
                                       loadSetup: { try DaemonAssembly.setup(layout: layout, store: store, logger: logger) })
            logger.info("pipelined starting for instance \(layout.name) (pid \(getpid()))")
            do {
                try await daemon.start()
            } catch {
                await daemon.stop()
                throw error
            }
            for await signal in trap.signals {
                if signal == SIGHUP {
                    logger.info("SIGHUP: reloading the configuration")
                    daemon.reload()
                } else {
                    logger.info("\(signal == SIGTERM ? "SIGTERM" : "SIGINT"): finishing the messages in flight and flushing offsets")
                    break
                }
            }
            await daemon.stop()
            logger.info("pipelined stopped")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the daemon's status: running or not, offsets, counters, events by status.",
            discussion: """
            Asks the running daemon's status page (monitorServerAddress:monitorServerPort); when the page \
            is off, reads var/NAME/pipelined.json (written every dumpStatePeriodSec). With no \
            daemon running, shows what the store holds. --json prints the status document.

            EXAMPLES:
              campaignctl pipelined status
              campaignctl pipelined status --json | jq '.agents[0].stats'
            """
        )

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (layout, store) = try instanceOptions.openStore()
            let report = try await DaemonStatus.read(layout: layout, store: store)
            try output.emit(report)
        }
    }
}

extension DaemonStatus: Report {
    /// "storage: PAUSED …" while the daemon holds on a full disk.
    var storageLine: [(String, String)] {
        guard let storage = document?["storage"], case .bool(true)? = storage["paused"] else { return [] }
        let seconds: Int = if case .number(let ms)? = storage["paused-ms"] { Int(ms / 1000) } else { 0 }
        return [("storage", "PAUSED for \(seconds) s: \(storage["reason"]?.stringValue ?? "the store cannot be written"); ingest and processing hold and retry")]
    }

    func renderText() -> String {
        var text = Terminal.fields([
            ("instance", instance),
            ("pipelined", running ? "running (pid \(pid ?? 0))"
                : keyRotationPid.map { "not running: a key rotation (auth rotate-key, pid \($0)) holds the instance" } ?? "not running"),
            ("status from", source),
        ] + storageLine)
        if !offsets.isEmpty {
            text += "\n\nOFFSETS\n" + Terminal.table(["CONSUMER/TOPIC", "CURRENT OFFSETS"], offsets.sorted { $0.key < $1.key }.map { [$0.key, $0.value] })
        }
        let counters = ["trigger-received", "trigger-discarded", "trigger-stored", "trigger-duplicates", "trigger-processed",
                        "trigger-failures", "messages-sent", "current-retries", "protocol-faults", "reconnects", "ping-received"]
        if !stats.isEmpty {
            text += "\n\nCOUNTERS\n" + Terminal.table(["COUNTER", "VALUE"], counters.compactMap { name in stats[name].map { [name, String($0)] } })
        }
        text += "\n\nEVENTS\n" + Terminal.table(["STATUS", "COUNT"], EventStatus.allCases.map { [$0.rawValue, String(events[$0.rawValue] ?? 0)] })
        return text
    }
}
