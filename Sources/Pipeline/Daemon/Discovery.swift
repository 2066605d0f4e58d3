import CampaignCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `GET {discoverPipelineEndpoint}/v1/endpoints` (pipeline-protocol.md §2):
/// which pipeline URL serves this tenant, and its topics.
public struct PipelineDiscovery: Sendable {
    public struct Endpoint: Sendable, Equatable, Codable {
        public var url: String
        public var topics: [String]
    }

    struct Answer: Codable {
        var endpoints: [Endpoint]
    }

    public var discoverEndpoint: URL
    public var clientId: String
    public var orgId: String

    public init(discoverEndpoint: URL, clientId: String, orgId: String) {
        self.discoverEndpoint = discoverEndpoint
        self.clientId = clientId
        self.orgId = orgId
    }

    /// The pipeline URL that carries `topic`.
    public func endpoint(for topic: String, token: String, timeout: TimeInterval = 15) async throws -> URL {
        var request = URLRequest(url: discoverEndpoint.appendingPathComponent("v1/endpoints"), timeoutInterval: timeout)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue(clientId, forHTTPHeaderField: "x-api-key")
        request.setValue(orgId, forHTTPHeaderField: "x-gw-ims-org-id")
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw CampaignError.unavailable("pipeline discovery at \(discoverEndpoint.absoluteString) is unreachable: \(error.localizedDescription)",
                                            hint: "check discoverPipelineEndpoint, or set forcedPipelineEndpoint")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else {
            throw CampaignError.unavailable("pipeline discovery answered HTTP \(status): \(String(decoding: data.prefix(200), as: UTF8.self))",
                                            hint: status == 401 || status == 403 ? "the credential bound to the instance is not allowed to read the pipeline" : nil)
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: data) else {
            throw CampaignError.unavailable("pipeline discovery answered something that is not {\"endpoints\":[…]}")
        }
        guard let match = answer.endpoints.first(where: { $0.topics.contains(topic) }) ?? answer.endpoints.first,
              let url = URL(string: match.url) else {
            throw CampaignError.unavailable("pipeline discovery lists no endpoint for topic '\(topic)'")
        }
        return url
    }
}
