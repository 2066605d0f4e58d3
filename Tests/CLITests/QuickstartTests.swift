import Foundation
import Testing
import TestSupport

@Suite struct QuickstartTests {
    /// The README's first command runs the whole job: emulator → daemon → outbox.
    @Test func quickstartRunsTheWholeJobAndShowsAnEmail() async throws {
        let scratch = TemporaryDirectory("quickstart")
        let result = try await offPool {
            try runProcess(campaignctlBinary, ["quickstart", "--home", scratch.path, "--triggers", "150", "--rate", "500", "--profiles", "40"])
        }
        #expect(result.status == 0, "\(result)")
        // It shows the commands it runs, so people can replay them.
        for command in ["$ campaignctl instance init quickstart", "$ campaignctl auth use adobe", "$ campaignctl trigger publish cart-abandonment",
                        "$ campaignctl template proof cart-abandonment --to alice", "$ campaignctl pipelined run &"] {
            #expect(result.stderr.contains(command), "missing: \(command)")
        }
        #expect(result.stderr.contains("150 of 150 triggers processed"))
        #expect(result.stdout.contains("trigger-processed   150"))
        #expect(result.stdout.contains("Subject: "))
        let outbox = scratch.file("var/quickstart/outbox/email")
        let files = try FileManager.default.contentsOfDirectory(atPath: outbox.path).filter { $0.hasSuffix(".eml") }
        #expect(files.count == 151)  // 150 triggers and the proof
    }
}
