import CampaignCore
import Foundation

/// Adobe's side of the wire on loopback, for rehearsals and tests: IMS
/// (token endpoints that check credentials and JWT signatures) on one port,
/// and the pipeline (discovery and the topic stream) on the next.
public final class PipelineEmulator: @unchecked Sendable {
    public let ims: IMSEmulator
    public let pipeline: TopicStreamServer

    public init(clients: [IMSEmulator.Client], logs: [String: any TopicLog], faults: StreamFaults = StreamFaults(),
                tokenLifetime: TimeInterval = 86_399) {
        let ims = IMSEmulator(clients: clients, tokenLifetime: tokenLifetime)
        self.ims = ims
        pipeline = TopicStreamServer(logs: logs, faults: faults, isValidToken: { ims.isValid(token: $0) })
    }

    public struct Endpoints: Sendable, Codable, Equatable {
        /// What credentials take as `--ims-endpoint`.
        public var ims: String
        /// What `pipelined.discoverPipelineEndpoint` (or `forcedPipelineEndpoint`) takes.
        public var pipeline: String
    }

    /// Starts IMS on `port` and the pipeline on `port + 1` (0: any free ports).
    public func start(port: UInt16 = 0) async throws -> Endpoints {
        let imsPort = try await ims.start(port: port)
        do {
            try pipeline.start(port: port == 0 ? 0 : port &+ 1)
        } catch {
            await ims.stop()
            throw CampaignError.unavailable("the pipeline emulator cannot listen on 127.0.0.1:\(port &+ 1): \(error)",
                                            hint: "pick another --port, or 0 for any free ports")
        }
        return Endpoints(ims: "http://127.0.0.1:\(imsPort)", pipeline: pipeline.baseURL.absoluteString)
    }

    public func stop() async {
        pipeline.stop()
        await ims.stop()
    }
}
