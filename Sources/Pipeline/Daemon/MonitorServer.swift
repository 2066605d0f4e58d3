import FlyingFox
import Foundation

/// The status server on `monitorServerPort`: `GET /pipelined/status` (Adobe's
/// JSON) and `GET /metrics` (Prometheus). Bound to loopback unless an
/// address is given explicitly.
public final class MonitorServer: @unchecked Sendable {
    let server: HTTPServer
    var task: Task<Void, any Error>?

    public init(host: String = "127.0.0.1", port: UInt16, status: @escaping @Sendable () -> Data,
                metrics: @escaping @Sendable () -> String) throws {
        server = HTTPServer(address: try .inet(ip4: host, port: port), timeout: 5, logger: .disabled)
        let statusRoute: @Sendable (HTTPRequest) async throws -> HTTPResponse = { _ in
            HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"], body: status())
        }
        Task { [server] in
            await server.appendRoute("GET /pipelined/status", handler: statusRoute)
            await server.appendRoute("GET /metrics") { _ in
                HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: Data(metrics().utf8))
            }
        }
    }

    /// Starts listening; returns the bound port once it listens.
    public func start() async throws -> UInt16 {
        let server = self.server
        task = Task { try await server.run() }
        try await server.waitUntilListening(timeout: 30)
        if case .ip4(_, let port) = await server.listeningAddress { return port }
        return 0
    }

    public func stop() async {
        await server.stop(timeout: 0)
        task?.cancel()
    }
}
