import ArgumentParser
import CampaignCore
import Foundation
import Pipeline
import Store

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Inspect, retry and purge the trigger events the daemon stored.",
        subcommands: [List.self, Show.self, Retry.self, Purge.self]
    )
}

extension EventStatus: ExpressibleByArgument {}

struct EventListReport: Report {
    var events: [EventSummary]

    func renderText() -> String {
        Terminal.table(["ID", "TRIGGER", "PARTITION:OFFSET", "STATUS", "ATTEMPTS", "RECEIVED", "ADDRESS", "LAST ERROR"], events.map {
            [String($0.id), $0.triggerEventId, "\($0.partition):\($0.offset)", $0.status.rawValue, String($0.attempts),
             Terminal.timestamp($0.receivedAt), $0.targetAddress ?? "", String(($0.lastError ?? "").prefix(60))]
        })
    }
}

struct EventDetailReport: Report {
    var event: EventDetail
    var message: RenderedEventMessage

    func renderText() -> String {
        let e = event
        var text = Terminal.fields([
            ("id", String(e.summary.id)),
            ("trigger", e.summary.triggerEventId),
            ("analytics trigger", e.summary.analyticsTriggerId ?? ""),
            ("consumer / topic", "\(e.consumer) / \(e.topic)"),
            ("partition:offset", "\(e.summary.partition):\(e.summary.offset)"),
            ("message id", e.messageId ?? ""),
            ("fired", e.createTime.map(Terminal.timestamp) ?? ""),
            ("received", Terminal.timestamp(e.summary.receivedAt)),
            ("status", e.summary.status.rawValue),
            ("attempts", String(e.summary.attempts)),
            ("next attempt", e.nextAttemptAt.map(Terminal.timestamp) ?? ""),
            ("address", e.summary.targetAddress ?? ""),
            ("template version", e.templateVersion.map(String.init) ?? ""),
            ("outbound Message-ID", e.outboundMessageId ?? ""),
            ("last error", e.summary.lastError ?? ""),
        ])
        if !e.attempts.isEmpty {
            text += "\n\nATTEMPTS\n" + Terminal.table(["#", "AT", "OUTCOME", "DETAIL"], e.attempts.map {
                [String($0.attempt), Terminal.timestamp($0.at), $0.outcome, $0.detail ?? ""]
            })
        }
        text += "\n\nMESSAGE"
        if let note = message.note {
            text += "\n" + note
        } else {
            text += " (rendered now with the published template v\(message.templateVersion ?? 0))\n"
            text += Terminal.fields([("to", message.to ?? ""), ("subject", message.subject ?? "")])
            if let body = message.text { text += "\n--- text\n" + body }
            if let body = message.html { text += "\n--- html\n" + body }
            if let body = message.sms { text += "\n--- sms\n" + body }
        }
        text += "\n\nENVELOPE\n" + e.envelope
        return text
    }
}

struct CountReport: Report {
    var action: String
    var count: Int
    func renderText() -> String { "" }
}

/// Accepts `2026-11-20`, `2026-11-20T10:00:00Z`, or a duration back from now (`90m`, `6h`, `2d`).
func parseSince(_ text: String, now: Date = Date()) throws -> Date {
    if let date = ISO8601DateFormatter().date(from: text) { return date }
    let day = DateFormatter()
    day.locale = Locale(identifier: "en_US_POSIX")
    day.timeZone = TimeZone(identifier: "UTC")
    day.dateFormat = "yyyy-MM-dd"
    if let date = day.date(from: text) { return date }
    if let unit = text.last, let amount = Double(text.dropLast()), amount >= 0 {
        let seconds: Double? = switch unit {
        case "s": amount
        case "m": amount * 60
        case "h": amount * 3600
        case "d": amount * 86_400
        default: nil
        }
        if let seconds { return now.addingTimeInterval(-seconds) }
    }
    throw CampaignError(.usage, "cannot read '\(text)' as a time", hint: "use 2026-11-20, 2026-11-20T10:00:00Z, or a duration such as 90m, 6h, 2d")
}

extension EventsCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List stored trigger events, newest first.",
            discussion: """
            EXAMPLES:
              campaignctl events list
              campaignctl events list --status deliveryFailed --since 6h
              campaignctl events list --trigger cart-abandonment --limit 20 --json
            """
        )

        @OptionGroup var instanceOptions: InstanceOptions
        @Option(help: "Only events in this status (\(EventStatus.allCases.map(\.rawValue).joined(separator: ", "))).")
        var status: EventStatus?
        @Option(help: "Only events of this trigger event.")
        var trigger: String?
        @Option(help: "Only events received since then: a date, a date-time, or 90m / 6h / 2d.")
        var since: String?
        @Option(help: "At most this many events.")
        var limit = 100
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            let filter = EventFilter(status: status, triggerEventId: trigger, since: try since.map { try parseSince($0) }, limit: limit)
            try output.emit(EventListReport(events: try store.events(filter)))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one event: its raw envelope, reconciliation, rendered message, every attempt and error.",
            discussion: """
            EXAMPLES:
              campaignctl events show 42
              campaignctl events show 42 --json
            """
        )

        @OptionGroup var instanceOptions: InstanceOptions
        @Argument(help: "The event id (see `events list`).")
        var id: Int64
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (layout, store) = try instanceOptions.openStore()
            let (event, message) = try RenderedEventMessage.render(eventId: id, layout: layout, store: store)
            try output.emit(EventDetailReport(event: event, message: message))
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue failed events again; the running daemon picks them up.",
            discussion: """
            Only events that were not sent can be retried: deliveryFailed, routingFailed, \
            tooOld, targetingFailed and ignored. A processed event is never sent twice.

            EXAMPLES:
              campaignctl events retry 42 43
              campaignctl events retry --status deliveryFailed
            """
        )

        @OptionGroup var instanceOptions: InstanceOptions
        @Argument(help: "Event ids.")
        var ids: [Int64] = []
        @Option(help: "Retry every event in this status.")
        var status: EventStatus?
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if ids.isEmpty == (status == nil) {
                throw ValidationError("give event ids or --status, not both")
            }
        }

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            let count = try store.retryEvents(ids: ids.isEmpty ? nil : ids, status: status)
            if !output.json { Terminal.note("\(count) event(s) queued again") }
            try output.emit(CountReport(action: "retried", count: count))
        }
    }

    struct Purge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete finished events older than a number of days now (the daemon does it daily).",
            discussion: """
            Events still pending, processing or paused are kept whatever their age.

            EXAMPLES:
              campaignctl events purge
              campaignctl events purge --older-than-days 1
            """
        )

        @OptionGroup var instanceOptions: InstanceOptions
        @Option(help: "Age in days (Adobe's default is 3).")
        var olderThanDays = 3
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if olderThanDays < 0 { throw ValidationError("--older-than-days must be 0 or more") }
        }

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            let count = try store.purgeEvents(receivedBefore: Date().addingTimeInterval(-Double(olderThanDays) * 86_400))
            if !output.json { Terminal.note("\(count) event(s) purged") }
            try output.emit(CountReport(action: "purged", count: count))
        }
    }
}
