import ArgumentParser
import CampaignCore
import Foundation
import Pipeline
import Store

struct PipelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Rehearse without Adobe: a local pipeline emulator (IMS, discovery, topic stream).",
        subcommands: [Emulate.self]
    )
}

struct EmulatorEndpointsReport: Report {
    var ims: String
    var pipeline: String
    var topic: String
    var messages: Int64?

    func renderText() -> String {
        Terminal.fields([
            ("ims endpoint", ims),
            ("pipeline endpoint", pipeline),
            ("topic", topic),
            ("messages", messages.map(String.init) ?? "from file"),
        ])
    }
}

extension PipelineCommand {
    struct Emulate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve IMS, discovery and a topic stream on loopback until interrupted.",
            discussion: """
            IMS (/ims/token/v3 and /ims/exchange/jwt) listens on --port and accepts only the \
            credentials named with --accept (it checks client secrets and JWT signatures as IMS \
            does). Discovery (/v1/endpoints) and the topic stream (/v1/topics/TOPIC/messages) \
            listen on --port + 1. With --port 0 both take free ports. The endpoints are printed \
            on standard output when the emulator is ready (one JSON line with --json).

            Point the instance at it:
              campaignctl auth add adobe ... --ims-endpoint http://127.0.0.1:PORT
              campaignctl config set pipelined.discoverPipelineEndpoint http://127.0.0.1:PORT+1

            Messages come from a JSON-lines file of envelopes (--file) or from a generator of \
            cart-abandonment triggers (--generate N), optionally paced (--rate per second) and \
            drawn from the shoppers of a CSV file (--profiles, header with email, customerId, \
            mcId, firstName). Faults rehearse a bad day: --drop-every, --unauthorized-first, \
            --server-error-first, --garbage-every, --ping-interval.

            EXAMPLES:
              campaignctl pipeline emulate --accept adobe --port 7790 --generate 5000 --rate 500
              campaignctl pipeline emulate --accept adobe --file envelopes.jsonl --json
              campaignctl pipeline emulate --accept adobe --generate 100000 --drop-every 10000 --garbage-every 5000
            """
        )

        @OptionGroup var instanceOptions: InstanceOptions
        @Option(help: "Credentials of the instance that IMS accepts (repeatable).")
        var accept: [String] = []
        @Option(help: "IMS port; the pipeline listens on the next one (0: any free ports).")
        var port: UInt16 = 0
        @Option(help: "Generate this many cart-abandonment triggers.")
        var generate: Int64?
        @Option(help: "Generated triggers per second, created from the start on (default: a backlog created one per millisecond up to the start, read as fast as the consumer reads).")
        var rate: Double?
        @Option(help: "Partitions of the generated topic.")
        var partitions = 15
        @Option(help: "The Analytics TriggerType UID of generated triggers.")
        var triggerId = TriggerGenerator.defaultTriggerId
        @Option(help: "The generator's seed: the same seed gives the same messages.")
        var seed: UInt64 = 42
        @Option(help: "CSV of shoppers the generated triggers are about.", completion: .file(extensions: ["csv"]))
        var profiles: String?
        @Option(help: "Serve the envelopes of this JSON-lines file instead of generating.", completion: .file())
        var file: String?
        @Option(help: "The topic name.")
        var topic = "triggers"
        @Option(help: "Close the stream after every N messages.")
        var dropEvery = 0
        @Option(help: "Answer 401 to the first N stream requests.")
        var unauthorizedFirst = 0
        @Option(help: "Answer 500 to the first N stream requests.")
        var serverErrorFirst = 0
        @Option(help: "Send a garbage line after every N messages.")
        var garbageEvery = 0
        @Option(help: "Seconds between pings when idle.")
        var pingInterval = 10.0
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if (generate == nil) == (file == nil) { throw ValidationError("give one of --generate N or --file FILE") }
            if let generate, generate < 0 { throw ValidationError("--generate must be 0 or more") }
            if let rate, rate <= 0 { throw ValidationError("--rate must be more than 0") }
            if partitions < 1 || partitions > 1000 { throw ValidationError("--partitions must be between 1 and 1000") }
            if accept.isEmpty { throw ValidationError("name at least one credential with --accept NAME") }
        }

        func run() async throws {
            let (_, store) = try instanceOptions.openStore()
            let clients = try accept.map { try EmulatorSetup.client(for: $0, in: store) }
            let log: any TopicLog
            if let file {
                log = try FileTopicLog(contentsOf: URL(fileURLWithPath: file), partitionCount: partitions)
            } else {
                let shoppers = try profiles.map { try EmulatorSetup.shoppers(csv: URL(fileURLWithPath: $0)) } ?? []
                let generator = TriggerGenerator(triggerId: triggerId, imsOrg: clients.first?.orgId ?? "", seed: seed, shoppers: shoppers)
                log = GeneratedTopicLog(generator: generator, count: generate ?? 0, partitionCount: partitions, rate: rate)
            }
            let faults = StreamFaults(dropEvery: dropEvery, unauthorizedFirst: unauthorizedFirst, serverErrorFirst: serverErrorFirst,
                                      garbageEvery: garbageEvery, pingInterval: pingInterval)
            let emulator = PipelineEmulator(clients: clients, logs: [topic: log], faults: faults)
            let trap = SignalTrap([SIGINT, SIGTERM])
            let endpoints = try await emulator.start(port: port)
            try output.emit(EmulatorEndpointsReport(ims: endpoints.ims, pipeline: endpoints.pipeline, topic: topic, messages: generate))
            fflush(nil)
            for await _ in trap.signals { break }
            let counters = emulator.pipeline.snapshot
            let ims = emulator.ims.snapshot
            await emulator.stop()
            Terminal.note("emulator stopped: \(ims.tokensIssued) tokens issued, \(counters.requests) stream requests, \(counters.dataMessagesSent) messages, \(counters.pingsSent) pings, \(counters.connectionsDropped) drops, \(counters.garbageLinesSent) garbage lines")
        }
    }
}
