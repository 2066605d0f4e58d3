import CampaignCore
import Foundation
import Store
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What `pipelined status` shows: whether the daemon runs, and its status
/// document (from its status page, its dump file, or the store alone).
public struct DaemonStatus: Sendable, Encodable {
    public var instance: String
    public var running: Bool
    public var pid: Int?
    /// The pid of `auth rotate-key` while it holds the daemon's lock (the
    /// daemon cannot start meanwhile).
    public var keyRotationPid: Int?
    /// Where the status came from: `status page`, `pipelined.json`, or `store`.
    public var source: String
    public var offsets: [String: String]
    public var events: [String: Int]
    public var stats: [String: Int64]
    /// The daemon's own document, when it answered.
    public var document: JSONValue?

    public static func read(layout: InstanceLayout, store: InstanceStore) async throws -> DaemonStatus {
        let holder = try DaemonLock.holder(layout)
        func holding(_ purpose: DaemonLock.Purpose) -> Int? { holder.flatMap { $0.purpose == purpose ? Int($0.pid) : nil } }
        let pid = holding(.daemon)
        var status = DaemonStatus(instance: layout.name, running: pid != nil, pid: pid, keyRotationPid: holding(.keyRotation),
                                  source: "store", offsets: [:], events: [:], stats: [:], document: nil)
        for (status_, count) in try store.eventCounts() { status.events[status_.rawValue] = count }
        var data: Data?
        let config = try? InstanceConfig.load(layout)
        // The daemon binds monitorServerAddress; 0.0.0.0 includes loopback.
        let address = config?.pipelinedValue("monitorServerAddress").flatMap { InstanceConfig.isIPv4Literal($0) && $0 != "0.0.0.0" ? $0 : nil }
        if pid != nil, let port = config?.pipelinedInteger("monitorServerPort"), port > 0,
           let url = URL(string: "http://\(address ?? "127.0.0.1"):\(port)/pipelined/status") {
            var request = URLRequest(url: url, timeoutInterval: 3)
            request.httpMethod = "GET"
            if let (body, response) = try? await URLSession.shared.data(for: request),
               (response as? HTTPURLResponse)?.statusCode == 200 {
                data = body
                status.source = "status page"
            }
        }
        if data == nil, pid != nil, let dump = try? Data(contentsOf: layout.daemonStatusFile) {
            data = dump
            status.source = "pipelined.json"
        }
        if let data, let document = try? JSONDecoder().decode(JSONValue.self, from: data), document.objectValue != nil {
            status.document = document
            for agent in document["agents"]?.arrayValue ?? [] {
                let key = "\(agent["consumer"]?.stringValue ?? "?")/\(agent["topic"]?.stringValue ?? "?")"
                status.offsets[key] = agent["pointer"]?["current-offsets"]?.stringValue ?? ""
                for (name, value) in agent["stats"]?.objectValue ?? [:] {
                    if case .number(let number) = value { status.stats[name, default: 0] += Int64(number) }
                }
            }
        } else {
            for topic in try store.routingConfig()?.topics ?? [] {
                let offsets = try store.committedOffsets(consumer: topic.consumer, topic: topic.name)
                status.offsets["\(topic.consumer)/\(topic.name)"] = offsets.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
            }
        }
        return status
    }
}
