import CampaignCore
import Foundation

/// The `file:` SMS connector: one JSON file per SMS, `<messageId>.json`, in
/// a folder (var/NAME/outbox/sms). A resend of the same message id replaces
/// its file. The JSON carries `to`, `from`, `text`, `encoding` (gsm7|ucs2),
/// `segments`, `characters`, `messageId` and `createdAt`.
public struct FileSMSOutbox: SMSConnector {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// The file a message id is written to (unsafe characters become '_').
    public func file(for messageId: String) -> URL {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@")
        var name = String(messageId.map { allowed.contains($0) ? $0 : "_" }.prefix(200))
        if name.isEmpty || name.hasPrefix(".") { name = "_" + name }
        return directory.appendingPathComponent(name + ".json")
    }

    struct Record: Encodable {
        var messageId: String
        var to: String
        var from: String?
        var text: String
        var encoding: SMSEncoding
        var segments: Int
        var characters: Int
        var createdAt: Date
    }

    public func send(_ messages: [OutgoingSMS]) -> [DeliveryResult] {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            let reason = "cannot create the SMS outbox \(directory.path): \(error.localizedDescription)"
            return messages.map { _ in .temporaryFailure(reason: reason) }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return messages.map { message in
            if let problem = SMPPConnector.problem(with: message) { return .permanentFailure(reason: problem) }
            let analysis = SMSText.analyse(message.text)
            let record = Record(messageId: message.messageId, to: message.to, from: message.from, text: message.text,
                                encoding: analysis.encoding, segments: analysis.segments, characters: analysis.characters,
                                createdAt: Date())
            let target = file(for: message.messageId)
            do {
                try (encoder.encode(record) + Data("\n".utf8)).write(to: target, options: .atomic)
                return .sent(detail: target.path)
            } catch {
                return .temporaryFailure(reason: "cannot write \(target.path): \(error.localizedDescription)")
            }
        }
    }
}
