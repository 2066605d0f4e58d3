import ArgumentParser
import CampaignCore
import Foundation
import Pipeline
import Store

/// The two ceilings `scripts/bench` compares the daemon with. The daemon's
/// own rows (ingest, end to end, latency, memory, admin commands) are
/// measured by the script on the real `pipelined run`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure this machine's ceilings: storage and SMTP delivery (used by scripts/bench).",
        discussion: """
        scripts/bench runs these together with the daemon and prints the whole table; see \
        docs/performance.md.
        """,
        subcommands: [StorageCeilingCommand.self, DeliveryCeilingCommand.self]
    )
}

struct StorageCeilingReport: Report {
    var result: StorageCeiling.Result

    func renderText() -> String {
        Terminal.fields([
            ("rows", "\(result.rows) in batches of \(result.batchSize)"),
            ("seconds", String(format: "%.3f", result.seconds)),
            ("rows/s", String(format: "%.0f", result.rowsPerSecond)),
        ])
    }
}

struct DeliveryCeilingReport: Report {
    var result: DeliveryCeiling.Result

    func renderText() -> String {
        Terminal.fields([
            ("client", result.client.rawValue),
            ("messages", "\(result.messages) on \(result.connections) connections (\(result.failed) failed)"),
            ("seconds", String(format: "%.3f", result.seconds)),
            ("messages/s", String(format: "%.0f", result.messagesPerSecond)),
        ])
    }
}

extension DeliveryCeiling.Client: ExpressibleByArgument {}

extension BenchCommand {
    struct StorageCeilingCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "storage-ceiling",
            abstract: "Insert generated event rows into a new store by a minimal batched loop.",
            discussion: """
            The rows are the daemon's (the emulator's generated envelopes, each event's row \
            and its envelope's, the schema and its indexes, the store's connection settings, \
            offsets advanced in each batch's transaction); nothing else runs. The store file \
            must not exist.

            EXAMPLES:
              campaignctl bench storage-ceiling --store /tmp/ceiling.sqlite --rows 100000
              campaignctl bench storage-ceiling --store /tmp/c.sqlite --rows 50000 --batch 500 --json
            """
        )

        @Option(help: "The new SQLite file to write.", completion: .file())
        var store: String
        @Option(help: "How many event rows.")
        var rows = 100_000
        @Option(help: "Rows per transaction (the daemon's pointerFlushMessageCount).")
        var batch = 1_000
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if rows < 1 || rows > 10_000_000 { throw ValidationError("--rows must be between 1 and 10000000") }
            if batch < 1 { throw ValidationError("--batch must be 1 or more") }
        }

        func run() throws {
            let events = BenchmarkEvents.generated(count: rows)
            try output.emit(StorageCeilingReport(result: try StorageCeiling.measure(events: events, batchSize: batch, path: store)))
        }
    }

    struct DeliveryCeilingCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delivery-ceiling",
            abstract: "Send one message file again and again to an SMTP server.",
            discussion: """
            Each connection is opened once and reused for all of its messages. The client is \
            libcurl (one command at a time) or, with --client pipelined, the daemon's own client \
            for plain relays, which pipelines commands. Point it at a fast sink (postfix's \
            smtp-sink), never at a real relay.

            EXAMPLES:
              smtp-sink -u nobody 127.0.0.1:2525 1000 &
              campaignctl bench delivery-ceiling --relay 127.0.0.1:2525 --message-file mail.eml --messages 50000 --connections 4
              campaignctl bench delivery-ceiling --relay 127.0.0.1:2525 --message-file mail.eml --client pipelined --json
            """
        )

        @Option(help: "HOST:PORT of the SMTP server.")
        var relay: String
        @Option(help: "The message (RFC 5322, CRLF line ends) to send.", completion: .file(extensions: ["eml"]))
        var messageFile: String
        @Option(help: "How many messages in all.")
        var messages = 50_000
        @Option(help: "Parallel connections.")
        var connections = 4
        @Option(help: "The SMTP client: libcurl or pipelined.")
        var client: DeliveryCeiling.Client = .libcurl
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if messages < 1 { throw ValidationError("--messages must be 1 or more") }
            if connections < 1 || connections > 256 { throw ValidationError("--connections must be between 1 and 256") }
        }

        func run() throws {
            let parts = relay.split(separator: ":")
            guard parts.count == 2, let port = Int(parts[1]), (1...65535).contains(port) else {
                throw CampaignError(.usage, "--relay '\(relay)' is not HOST:PORT", hint: "for example --relay 127.0.0.1:2525")
            }
            let message: Data
            do {
                message = try Data(contentsOf: URL(fileURLWithPath: messageFile))
            } catch {
                throw CampaignError.notFound("cannot read \(messageFile)", hint: "give a message file (.eml)")
            }
            try output.emit(DeliveryCeilingReport(result: DeliveryCeiling.measure(host: String(parts[0]), port: port, messages: messages,
                                                                                 connections: connections, message: message,
                                                                                 client: client)))
        }
    }
}
