import CampaignCore
import Foundation
import Store
import Testing
import TestSupport

/// What campaignctl prints for people on a terminal cannot hold control
/// characters that data brought in (here a producer's messageId, which the
/// JSON of an envelope can carry as \u001b); redirected output keeps every byte.
@Suite struct TerminalOutputTests {
    @Test func aTerminalSeesControlCharactersWrittenOutAndAPipeGetsTheBytes() async throws {
        let home = CLIHome()
        try await home.initInstance()
        let messageId = "start\u{1B}]0;owned\u{07}\u{202E}end"
        let store = try InstanceStore.open(layout: InstanceLayout(home: home.directory.url, name: "test"))
        _ = try store.storeEvents([IncomingEvent(consumer: "c", topic: "triggers", partition: 0, offset: 0, messageId: messageId,
                                                 analyticsTriggerId: "uid", triggerEventId: "cart", createTime: 1,
                                                 envelope: Data("{}".utf8))], advancing: [:])
        let id = try #require(try store.events(EventFilter(limit: 1)).first?.id)

        let piped = try await home.run(["events", "show", "\(id)", "--instance", "test"])
        #expect(piped.status == 0, "\(piped)")
        #expect(piped.stdout.contains(messageId), "redirected output keeps the value as it is")

        // script(1) runs the command on a pseudo-terminal.
        let command = "\(campaignctlBinary.path) events show \(id) --instance test"
        let terminal = try await offPool {
            try runProcess(URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"],
                           environment: ["CAMPAIGNCTL_HOME": home.home])
        }
        #expect(terminal.status == 0, "\(terminal)")
        #expect(terminal.stdout.contains(#"start\u{1B}]0;owned\u{7}\u{202E}end"#), "\(terminal.stdout.debugDescription)")
        #expect(!terminal.stdout.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{202E}" || $0 == "\u{07}" })
    }
}
