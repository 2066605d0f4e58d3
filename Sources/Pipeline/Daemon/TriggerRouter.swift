import Foundation

/// One topic of the routing option `NmsPipeline_Config`, compiled.
public struct RoutedTopic: Sendable, Equatable {
    public var name: String
    public var consumer: String
    /// Analytics TriggerType UIDs listed for this topic.
    public var triggerNames: Set<String>
    /// Whether `*` is listed: every trigger is taken.
    public var takesAll: Bool

    public init(name: String, consumer: String, triggerNames: Set<String>, takesAll: Bool) {
        self.name = name
        self.consumer = consumer
        self.triggerNames = triggerNames
        self.takesAll = takesAll
    }
}

/// Routing as the daemon applies it: the option says which Analytics
/// triggers the instance wants; the published trigger events say which
/// campaignctl trigger takes each one. Exact UIDs first, then `*`.
public struct RoutingTable: Sendable, Equatable {
    public var topics: [RoutedTopic]
    /// Analytics TriggerType UID (or `*`) → published trigger event id.
    public var publishedTriggers: [String: String]

    public init(topics: [RoutedTopic], publishedTriggers: [String: String]) {
        self.topics = topics
        self.publishedTriggers = publishedTriggers
    }

    /// The trigger event that takes a message, or nil when the option does
    /// not list its trigger (the message is counted and dropped). A listed
    /// trigger with no published trigger event is still stored, under its
    /// Analytics UID, so that it ends `routingFailed` where an operator sees it.
    public func route(analyticsTriggerId: String?, topic: String) -> String? {
        guard let routed = topics.first(where: { $0.name == topic }) else { return nil }
        // TriggerType UIDs are compared case-insensitively, as the catalog stores them lowercased.
        let analyticsTriggerId = analyticsTriggerId?.lowercased()
        if let uid = analyticsTriggerId, routed.triggerNames.contains(uid) {
            return publishedTriggers[uid] ?? publishedTriggers["*"] ?? uid
        }
        if routed.takesAll {
            if let uid = analyticsTriggerId, let exact = publishedTriggers[uid] { return exact }
            return publishedTriggers["*"] ?? analyticsTriggerId ?? "*"
        }
        return nil
    }

    /// Trigger name → connector, as Adobe's status page shows compiled routing.
    public func statusRouting(topic: String) -> [String: String] {
        guard let routed = topics.first(where: { $0.name == topic }) else { return [:] }
        var result: [String: String] = [:]
        for name in routed.triggerNames { result[name] = publishedTriggers[name] ?? "" }
        if routed.takesAll { result["*"] = publishedTriggers["*"] ?? "" }
        return result
    }
}

/// The router the ingest writer calls; `SIGHUP` swaps its table without
/// touching the streams.
public final class ReloadableRouter: EnvelopeRouter, @unchecked Sendable {
    private let lock = NSLock()
    private var table: RoutingTable

    public init(_ table: RoutingTable) { self.table = table }

    public var current: RoutingTable { lock.withLock { table } }

    public func replace(with table: RoutingTable) { lock.withLock { self.table = table } }

    public func route(analyticsTriggerId: String?, topic: String) -> String? {
        lock.withLock { table }.route(analyticsTriggerId: analyticsTriggerId, topic: topic)
    }
}
