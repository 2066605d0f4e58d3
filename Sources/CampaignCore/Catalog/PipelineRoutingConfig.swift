import Foundation

/// The `NmsPipeline_Config` option (pipelined.md §3): which topics the daemon
/// reads, under which consumer name, and which Analytics triggers it keeps.
///
///     {"topics":[{"name":"triggers","consumer":"prod",
///       "triggers":[{"name":"3e8a2ba7-fccc-49bb-bdac-33ee33cf02bf"},{"name":"*"}]}]}
public struct PipelineRoutingConfig: Sendable, Equatable, Codable {
    public struct Topic: Sendable, Equatable, Codable {
        /// Normally `triggers`; `aliases` is accepted too.
        public var name: String
        /// Unique per instance; progress is tracked per consumer.
        public var consumer: String
        public var triggers: [TriggerRoute]

        public init(name: String, consumer: String, triggers: [TriggerRoute]) {
            self.name = name
            self.consumer = consumer
            self.triggers = triggers
        }
    }

    public struct TriggerRoute: Sendable, Equatable, Codable {
        /// An Analytics TriggerType UID (lowercase) or `*`.
        public var name: String
        /// Adobe's JS library name; kept as given, unused by campaignctl.
        public var jsConnector: String?

        public init(name: String, jsConnector: String? = nil) {
            self.name = name
            self.jsConnector = jsConnector
        }
    }

    public static let optionName = "NmsPipeline_Config"

    public var topics: [Topic]

    public init(topics: [Topic]) { self.topics = topics }

    /// Whether an event of `analyticsTriggerId` read from `topic` is kept.
    /// Unlisted triggers are ignored, as in Adobe's daemon.
    public func accepts(analyticsTriggerId: String?, topic: String) -> Bool {
        guard let t = topics.first(where: { $0.name == topic }) else { return false }
        return t.triggers.contains { $0.name == "*" || $0.name == analyticsTriggerId?.lowercased() }
    }

    /// The consumer name of a topic.
    public func consumer(for topic: String) -> String? { topics.first { $0.name == topic }?.consumer }

    /// Parses and checks the option text. Errors say where (line and column,
    /// or the JSON path) and what is wrong, like Adobe's console does.
    public static func parse(_ text: String) throws -> PipelineRoutingConfig {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw CampaignError.badInput("\(optionName) is not valid JSON: \(error)",
                                         hint: "fix the text at that position; Adobe's sample texts carry '//' comments and a trailing comma that must be removed")
        }
        func bad(_ path: String, _ what: String) -> CampaignError {
            CampaignError.badInput("\(optionName): \(path) \(what)",
                                   hint: #"expected {"topics":[{"name":"triggers","consumer":"INSTANCE","triggers":[{"name":"UUID or *"}]}]}"#)
        }
        guard let root = value.objectValue else { throw bad("the document", "should be an object starting with '{'") }
        for key in root.keys.sorted() where key != "topics" { throw bad("\"\(key)\"", "is not a known member (only \"topics\")") }
        guard let topicsValue = root["topics"] else { throw bad("\"topics\"", "is missing") }
        guard let topicValues = topicsValue.arrayValue else { throw bad("\"topics\"", "should be an array") }
        guard !topicValues.isEmpty else { throw bad("\"topics\"", "is empty: list at least the \"triggers\" topic") }
        var topics: [Topic] = []
        var names = Set<String>()
        for (i, topicValue) in topicValues.enumerated() {
            let path = "topics[\(i)]"
            guard let topic = topicValue.objectValue else { throw bad(path, "should be an object") }
            for key in topic.keys.sorted() where !["name", "consumer", "triggers"].contains(key) {
                throw bad("\(path).\(key)", "is not a known member (name, consumer, triggers)")
            }
            guard let name = topic["name"]?.stringValue, !name.isEmpty else { throw bad("\(path).name", "should be a non-empty string") }
            guard ["triggers", "aliases"].contains(name) else { throw bad("\(path).name", "is \"\(name)\": pipelined reads the \"triggers\" and \"aliases\" topics") }
            guard names.insert(name).inserted else { throw bad("\(path).name", "repeats the topic \"\(name)\"") }
            guard let consumer = topic["consumer"]?.stringValue, !consumer.isEmpty else {
                throw bad("\(path).consumer", "should be a non-empty string, unique per instance (e.g. the instance name)")
            }
            let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
            guard consumer.count <= 128, consumer.unicodeScalars.allSatisfy(allowed.contains) else {
                throw bad("\(path).consumer", "\"\(consumer)\" should use letters, digits, '_', '-' or '.' (at most 128)")
            }
            guard let triggerValues = topic["triggers"]?.arrayValue else { throw bad("\(path).triggers", "should be an array") }
            var routes: [TriggerRoute] = []
            for (j, triggerValue) in triggerValues.enumerated() {
                let tpath = "\(path).triggers[\(j)]"
                guard let trigger = triggerValue.objectValue else { throw bad(tpath, "should be an object {\"name\": \"UUID or *\"}") }
                for key in trigger.keys.sorted() where !["name", "jsConnector"].contains(key) {
                    throw bad("\(tpath).\(key)", "is not a known member (name, jsConnector)")
                }
                guard let name = trigger["name"]?.stringValue else { throw bad("\(tpath).name", "should be a string: a TriggerType UID or \"*\"") }
                guard name == "*" || UUID(uuidString: name) != nil else {
                    throw bad("\(tpath).name", "\"\(name)\" is neither a TriggerType UID nor \"*\"")
                }
                var connector: String?
                if let js = trigger["jsConnector"] {
                    guard let s = js.stringValue else { throw bad("\(tpath).jsConnector", "should be a string such as \"cus:triggers.js\"") }
                    connector = s
                }
                routes.append(TriggerRoute(name: name.lowercased(), jsConnector: connector))
            }
            topics.append(Topic(name: name, consumer: consumer, triggers: routes))
        }
        return PipelineRoutingConfig(topics: topics)
    }

    /// The option maintained from the published triggers: the `triggers`
    /// topic lists their Analytics UIDs (`*` first, then sorted). The consumer,
    /// the other topics and any jsConnector come from `current` when it is valid.
    public static func maintained(publishedTriggerIds: [String], current: PipelineRoutingConfig?, defaultConsumer: String)
        -> PipelineRoutingConfig {
        let ids = Set(publishedTriggerIds.map { $0.lowercased() })
        let ordered = (ids.contains("*") ? ["*"] : []) + ids.subtracting(["*"]).sorted()
        var topics = current?.topics ?? []
        let previous = topics.first { $0.name == "triggers" }
        let routes = ordered.map { id in
            TriggerRoute(name: id, jsConnector: previous?.triggers.first { $0.name == id }?.jsConnector)
        }
        let topic = Topic(name: "triggers", consumer: previous?.consumer ?? defaultConsumer, triggers: routes)
        if let index = topics.firstIndex(where: { $0.name == "triggers" }) {
            topics[index] = topic
        } else {
            topics.insert(topic, at: 0)
        }
        return PipelineRoutingConfig(topics: topics)
    }

    /// The option text, pretty-printed with sorted keys.
    public func text() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
