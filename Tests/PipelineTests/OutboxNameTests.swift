import CampaignCore
import Foundation
@testable import Pipeline
import Store
import Testing
import TestSupport

/// File names derived from event data (the outbox file of a message) stay
/// inside the outbox folder whatever the event carries.
@Suite struct OutboxNameTests {
    static let hostileIds = ["../../escape@x", "..@x", "/etc/passwd@x", "a/../../b@x", ".hidden@x", "x\r\nBcc: y@x",
                             "%2e%2e%2fescape@x", "..\\..\\win@x", "", String(repeating: "a", count: 300) + "@x"]

    /// Every regular file under `root`.
    static func files(_ root: URL) -> [String] {
        var paths: [String] = []
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue { paths.append(url.path) }
        }
        return paths.sorted()
    }

    @Test func hostileMessageIdsNeverEscapeTheEmailOutbox() throws {
        let scratch = TemporaryDirectory("outbox")
        let outbox = scratch.url.appendingPathComponent("a/b/outbox", isDirectory: true)
        let emails = Self.hostileIds.map {
            OutgoingEmail(from: "shop@example.com", to: "ada@example.com", subject: "s", html: nil, text: "t", messageId: $0)
        }
        let results = FileEmailOutbox(directory: outbox).send(emails)
        for (id, result) in zip(Self.hostileIds, results) {
            if case .sent(let path) = result {
                #expect(URL(fileURLWithPath: path).deletingLastPathComponent().standardizedFileURL.path == outbox.standardizedFileURL.path,
                        "\(id.debugDescription) was written to \(path)")
            } else {
                let reason = try #require(Self.rejection(id), "\(id.debugDescription): \(result)")
                #expect(result == .permanentFailure(reason: reason), "\(id.debugDescription)")
            }
        }
        #expect(Self.files(scratch.url).allSatisfy { $0.hasPrefix(outbox.path + "/") && !$0.contains("/../") })
    }

    static func rejection(_ messageId: String) -> String? {
        do throws(EmailRejected) {
            try MIMEMessage.check(messageId: messageId)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func hostileMessageIdsNeverEscapeTheSMSOutbox() throws {
        let scratch = TemporaryDirectory("outbox")
        let outbox = scratch.url.appendingPathComponent("a/b/sms", isDirectory: true)
        let messages = Self.hostileIds.map { OutgoingSMS(to: "+33612345678", text: "hi", messageId: $0) }
        let results = FileSMSOutbox(directory: outbox).send(messages)
        for (id, result) in zip(Self.hostileIds, results) {
            guard case .sent(let path) = result else {
                Issue.record("\(id.debugDescription): \(result)")
                continue
            }
            let url = URL(fileURLWithPath: path)
            #expect(url.deletingLastPathComponent().path == outbox.path, "\(id.debugDescription) was written to \(path)")
            #expect(!url.lastPathComponent.hasPrefix("."), "\(id.debugDescription) gave a hidden file \(path)")
        }
        #expect(Self.files(scratch.url).allSatisfy { $0.hasPrefix(outbox.path + "/") })
    }

    @Test func theDaemonsMessageIdIsCleanWhateverTheTopicConsumerAndInstance() throws {
        let event = ClaimedEvent(id: 1, consumer: "../../c\r\nBcc: x", topic: "../t/<script>", partition: 3, offset: 9,
                                 messageId: "../m", analyticsTriggerId: "../a", triggerEventId: "cart", createTime: nil,
                                 receivedAt: Date(), attempts: 0, firstFailureAt: nil, sendState: nil, envelope: Data())
        let id = TriggerProcessor.messageId(for: event, version: 2, instance: "../i")
        #expect(Self.rejection(id) == nil, "\(id)")
        #expect(!id.contains("/") && !id.contains("\r") && !id.contains("<") && !id.hasPrefix("."), "\(id)")
    }
}
