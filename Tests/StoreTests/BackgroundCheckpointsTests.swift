import CampaignCore
import Foundation
import Store
import Testing
import TestSupport

/// The daemon's store copies its log into the database file from a thread
/// of its own, and its writer no longer does it every 1,000 log pages.
@Suite struct BackgroundCheckpointsTests {
    func events(_ range: ClosedRange<Int64>) -> [IncomingEvent] {
        let envelope = Data(("{\"pad\":\"" + String(repeating: "x", count: 1_600) + "\"}").utf8)
        return range.map { offset in
            IncomingEvent(consumer: "c", topic: "t", partition: Int(offset % 4), offset: offset, messageId: nil,
                          analyticsTriggerId: "uid", triggerEventId: "cart", createTime: nil, envelope: envelope)
        }
    }

    func fileSize(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int) ?? 0
    }

    @Test func theThreadCopiesTheLogIntoTheDatabaseFile() async throws {
        let fixture = try StoreFixture(); let store = fixture.store
        let checkpoints = try store.startBackgroundCheckpoints(every: 0.05)
        defer { checkpoints.stop() }
        let before = fileSize(fixture.layout.storeFile)
        // About 4 MB of log: under the writer's own threshold either way.
        for start in stride(from: Int64(1), through: 2_001, by: 500) {
            _ = try store.storeEvents(events(start...(start + 499)), advancing: [:])
        }
        let deadline = Date().addingTimeInterval(20)
        while fileSize(fixture.layout.storeFile) < before + 3_000_000 && Date() < deadline {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        #expect(fileSize(fixture.layout.storeFile) >= before + 3_000_000, "the events reached the database file")
        #expect(try store.eventCounts() == [.pending: 2_500])
    }

    @Test func theWriterLeavesTheLogToThemUntilItsOwnThreshold() throws {
        let fixture = try StoreFixture(); let store = fixture.store
        // A thread that never comes in time: only the writer could checkpoint.
        let checkpoints = try store.startBackgroundCheckpoints(every: 3_600)
        // About 20 MB, past SQLite's 1,000 pages (16 MB) after which the writer would have
        // checkpointed and started the log again from its first frame.
        for start in stride(from: Int64(1), through: 10_001, by: 1_000) {
            _ = try store.storeEvents(events(start...(start + 999)), advancing: [:])
        }
        let copied = try checkpoints.checkpoint()
        #expect(copied.logFrames > 1_000, "the log grew past 1,000 pages: \(copied)")
        #expect(copied.copiedFrames == copied.logFrames, "a checkpoint with no reader copies all of it: \(copied)")
        checkpoints.stop()
        #expect(try store.eventCounts() == [.pending: 11_000])
    }
}
