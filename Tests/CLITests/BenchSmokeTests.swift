import Foundation
import Testing
import TestSupport

/// The benchmark is never a pass/fail test; this smoke run only proves that
/// `scripts/bench` still drives every row end to end (tiny sizes, debug
/// binary) and reports numbers for each.
@Suite struct BenchSmokeTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/bench")

    @Test func quickRunReportsEveryRow() async throws {
        let scratch = TemporaryDirectory("bench")
        let report = scratch.file("bench.json")
        let result = try await offPool {
            try runProcess(URL(fileURLWithPath: "/usr/bin/env"),
                           ["python3", Self.script.path, "--quick", "--no-build", "--binary", campaignctlBinary.path, "--json", report.path])
        }
        #expect(result.status == 0, "\(result)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        for key in ["storageCeilingRowsPerSecond", "ingestEventsPerSecond", "deliveryCeilingMessagesPerSecond",
                    "deliveryCeilingPipelinedMessagesPerSecond", "endToEndMessagesPerSecond"] {
            #expect((json[key] as? Double ?? 0) > 0, "\(key) in \(json)")
        }
        let latency = try #require(json["latencyAt278PerSecond"] as? [String: Any])
        #expect((latency["messages"] as? Int ?? 0) >= 800, "\(latency)")
        #expect((latency["p50Ms"] as? Int ?? -1) >= 0 && (latency["maxMs"] as? Int ?? -1) >= (latency["p99Ms"] as? Int ?? 0))
        let memory = try #require(json["memory"] as? [String: Any])
        #expect(memory["events"] as? Int == 3_000 && memory["drained"] as? Int == 3_000, "\(memory)")
        #expect((memory["peakRssMB"] as? Double ?? 0) > 0)
        let admin = try #require(json["adminCommandsMs"] as? [String: Any])
        #expect(Set(admin.keys) == ["trigger list", "events list --status processed", "template proof"])
        // People read the table.
        #expect(result.stdout.contains("2 ingest") && result.stdout.contains("4 end to end") && result.stdout.contains("TARGET"))
    }
}
