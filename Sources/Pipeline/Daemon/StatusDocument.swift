import CampaignCore
import Foundation

/// What the status page reports about the daemon's configuration.
public struct StatusSettings: Sendable, Equatable {
    public var flushPointerMessageCount: Int
    public var flushPointerPeriodMs: Int
    public var processingThreads: Int
    public var processingJSThreads: Int
    public var retryPeriodMs: Int
    public var retryValidityDurationMs: Int

    public init(flushPointerMessageCount: Int, flushPointerPeriodMs: Int, processingThreads: Int, processingJSThreads: Int,
                retryPeriodMs: Int, retryValidityDurationMs: Int) {
        self.flushPointerMessageCount = flushPointerMessageCount
        self.flushPointerPeriodMs = flushPointerPeriodMs
        self.processingThreads = processingThreads
        self.processingJSThreads = processingJSThreads
        self.retryPeriodMs = retryPeriodMs
        self.retryValidityDurationMs = retryValidityDurationMs
    }
}

/// One consumed topic as the status page shows it.
public struct StatusAgent: Sendable, Equatable {
    public var consumer: String
    public var topic: String
    /// Committed offsets per partition.
    public var offsets: [Int: Int64]
    /// Trigger name → connector, as Adobe shows the compiled routing.
    public var routing: [String: String]

    public init(consumer: String, topic: String, offsets: [Int: Int64], routing: [String: String]) {
        self.consumer = consumer
        self.topic = topic
        self.offsets = offsets
        self.routing = routing
    }
}

/// Builds the `/pipelined/status` document in Adobe's shape (pipelined.md §6)
/// and the Prometheus text for `/metrics`.
public enum StatusDocument {
    public static func json(instance: String, agents: [StatusAgent], stats: PipelinedStats.Snapshot, settings: StatusSettings,
                            startedAt: Date, now: Date = Date()) -> Data {
        func msAgo(_ date: Date?) -> Any { date.map { Int(now.timeIntervalSince($0) * 1000) } ?? NSNull() }
        let averageFlush = stats.pointerFlushes > 0 ? stats.pointerFlushTimeTotalMs / Double(stats.pointerFlushes) : 0
        let finished = max(1, stats.triggerProcessed + stats.triggerFailures)
        let averageProcessing = stats.processingTimeTotalMs / Double(finished)
        let agentObjects: [[String: Any]] = agents.map { agent in
            [
                "consumer": agent.consumer,
                "name": "listener",
                "topic": agent.topic,
                "http-request": [
                    "last-alive-ms-ago": msAgo(stats.lastAlive),
                    "last-failed-cnx-ms-ago": msAgo(stats.lastFailedConnection),
                    "pipeline-host": stats.pipelineHost,
                ] as [String: Any],
                "pointer": [
                    "current-offsets": agent.offsets.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ","),
                    "last-flush-ms-ago": msAgo(stats.lastFlush),
                    "next-offsets-flush": max(0, settings.flushPointerPeriodMs - ((stats.lastFlush.map { Int(now.timeIntervalSince($0) * 1000) }) ?? 0)),
                    "processed-since-last-flush": stats.processedSinceLastFlush,
                ] as [String: Any],
                "routing": ["triggers": agent.routing, "aliases": ["*": ""]],
                "stats": [
                    "average-pointer-flush-time-ms": round(averageFlush * 100) / 100,
                    "average-trigger-processing-time-ms": round(averageProcessing * 100) / 100,
                    "bytes-read": stats.bytesRead,
                    "current-messages": stats.currentMessages,
                    "current-retries": stats.currentRetries,
                    "peak-messages": stats.peakMessages,
                    "ping-received": stats.pingReceived,
                    "pointer-flush-errors": stats.pointerFlushErrors,
                    "pointer-flushes": stats.pointerFlushes,
                    "protocol-faults": stats.protocolFaults,
                    "reconnects": stats.reconnects,
                    "trigger-discarded": stats.triggerDiscarded,
                    "trigger-duplicates": stats.triggerDuplicates,
                    "trigger-failures": stats.triggerFailures,
                    "trigger-processed": stats.triggerProcessed,
                    "trigger-received": stats.triggerReceived,
                    "trigger-stored": stats.triggerStored,
                    "messages-sent": stats.messagesSent,
                ] as [String: Any],
                "settings": [
                    "flush-pointer-msg-count": settings.flushPointerMessageCount,
                    "flush-pointer-period-ms": settings.flushPointerPeriodMs,
                    "processing-threads": settings.processingThreads,
                    "processing-threads-JS": settings.processingJSThreads,
                    "retry-period-ms": settings.retryPeriodMs,
                    "retry-validity-duration-ms": settings.retryValidityDurationMs,
                ] as [String: Any],
            ]
        }
        let document: [String: Any] = [
            "instance": instance,
            "pid": Int(getpid()),
            "started": ISO8601DateFormatter().string(from: startedAt),
            "uptime-ms": Int(now.timeIntervalSince(startedAt) * 1000),
            "events": stats.statusCounts,
            "agents": agentObjects,
            "storage": [
                "paused": stats.storagePausedSince != nil,
                "paused-ms": stats.storagePausedSince.map { Int(now.timeIntervalSince($0) * 1000) } ?? 0,
                "reason": stats.storagePauseReason ?? NSNull(),
                "pauses": stats.storagePauses,
                "write-errors": stats.storageErrors,
            ] as [String: Any],
        ]
        return (try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])) ?? Data("{}".utf8)
    }

    /// Prometheus text exposition format, version 0.0.4.
    public static func prometheus(instance: String, agents: [StatusAgent], stats: PipelinedStats.Snapshot) -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, Double)]) {
            out += "# HELP campaignctl_\(name) \(help)\n# TYPE campaignctl_\(name) \(type)\n"
            for (labels, value) in samples {
                let rendered = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
                out += "campaignctl_\(name){instance=\"\(instance)\"\(labels)} \(rendered)\n"
            }
        }
        metric("triggers_received_total", "counter", "DATA envelopes read from the pipeline.", [("", Double(stats.triggerReceived))])
        metric("triggers_discarded_total", "counter", "Envelopes of no configured trigger, dropped.", [("", Double(stats.triggerDiscarded))])
        metric("triggers_stored_total", "counter", "Trigger events stored.", [("", Double(stats.triggerStored))])
        metric("triggers_duplicate_total", "counter", "Replayed envelopes recognised as already stored.", [("", Double(stats.triggerDuplicates))])
        metric("triggers_processed_total", "counter", "Events processed to a final status.", [("", Double(stats.triggerProcessed))])
        metric("triggers_failed_total", "counter", "Events that ended in a failure status.", [("", Double(stats.triggerFailures))])
        metric("messages_sent_total", "counter", "Messages accepted by the delivery connector.", [("", Double(stats.messagesSent))])
        metric("pings_received_total", "counter", "PING envelopes read.", [("", Double(stats.pingReceived))])
        metric("protocol_faults_total", "counter", "Stream lines that could not be used.", [("", Double(stats.protocolFaults))])
        metric("bytes_read_total", "counter", "Bytes of envelopes read.", [("", Double(stats.bytesRead))])
        metric("pointer_flushes_total", "counter", "Batches committed with their offsets.", [("", Double(stats.pointerFlushes))])
        metric("pointer_flush_errors_total", "counter", "Batches that failed to commit.", [("", Double(stats.pointerFlushErrors))])
        metric("reconnects_total", "counter", "Stream connections lost.", [("", Double(stats.reconnects))])
        metric("current_messages", "gauge", "Envelopes read but not yet stored.", [("", Double(stats.currentMessages))])
        metric("storage_paused", "gauge", "1 while ingest and processing hold because the store cannot be written (disk full).",
               [("", stats.storagePausedSince == nil ? 0 : 1)])
        metric("storage_write_errors_total", "counter", "Store writes that failed for lack of space or an I/O error.", [("", Double(stats.storageErrors))])
        metric("current_retries", "gauge", "Events waiting for a delivery retry.", [("", Double(stats.currentRetries))])
        metric("events", "gauge", "Stored events by status.",
               EventStatus.allCases.map { (",status=\"\($0.rawValue)\"", Double(stats.statusCounts[$0.rawValue] ?? 0)) })
        var offsetSamples: [(String, Double)] = []
        for agent in agents {
            for (partition, offset) in agent.offsets.sorted(by: { $0.key < $1.key }) {
                offsetSamples.append((",consumer=\"\(agent.consumer)\",topic=\"\(agent.topic)\",partition=\"\(partition)\"", Double(offset)))
            }
        }
        metric("committed_offset", "gauge", "Last committed offset per partition.", offsetSamples)
        return out
    }
}
