import ArgumentParser
import CampaignCore
import Foundation
import Store

struct TriggerTrafficReport: Report {
    var trigger: String
    var since: Date
    var hours: [TriggerHour]
    var totals: TriggerTotals

    struct TriggerTotals: Codable {
        var received: Int
        var processed: Int
        var sent: Int
        var failed: Int
    }

    func renderText() -> String {
        // People get the hours that saw traffic; --json has every hour.
        let busy = hours.filter { $0.received + $0.processed > 0 }
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "UTC")
        format.dateFormat = "yyyy-MM-dd HH:00"
        let rows = busy.map { [format.string(from: $0.hour) + "Z", String($0.received), String($0.processed), String($0.sent), String($0.failed)] }
        return "Pipeline messages of trigger \(trigger), last 5 days (hours with traffic)\n"
            + Terminal.table(["HOUR (UTC)", "RECEIVED", "PROCESSED", "SENT", "FAILED"],
                             rows + [["total", String(totals.received), String(totals.processed), String(totals.sent), String(totals.failed)]])
    }
}

extension TriggerCommand {
    struct Report_: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Received, processed, sent and failed events per hour over the last days.",
            discussion: """
            Adobe's "Pipeline messages last 5 days": per hour (UTC), the events received from \
            the pipeline for this trigger, those processed to a final status, the messages \
            sent, and the failures (deliveryFailed, routingFailed, tooOld, targetingFailed).

            EXAMPLES:
              campaignctl trigger report cart-abandonment
              campaignctl trigger report cart-abandonment --days 1 --json
            """
        )

        @OptionGroup var instanceOptions: InstanceOptions
        @Argument(help: "The trigger event id.")
        var id: String
        @Option(help: "How many days back.")
        var days = 5
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if days < 1 || days > 31 { throw ValidationError("--days must be between 1 and 31") }
        }

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            _ = try store.trigger(id: id)
            let now = Date()
            let since = now.addingTimeInterval(-Double(days) * 86_400)
            let hours = try store.triggerReport(triggerEventId: id, since: since, now: now)
            let totals = TriggerTrafficReport.TriggerTotals(received: hours.reduce(0) { $0 + $1.received }, processed: hours.reduce(0) { $0 + $1.processed },
                                                     sent: hours.reduce(0) { $0 + $1.sent }, failed: hours.reduce(0) { $0 + $1.failed })
            try output.emit(TriggerTrafficReport(trigger: id, since: since, hours: hours, totals: totals))
        }
    }
}
