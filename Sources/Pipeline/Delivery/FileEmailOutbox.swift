import Foundation

/// The `file:` relay: each email becomes `<messageId>.eml` (the exact MIME
/// bytes SMTP would carry) in `directory`. Files appear atomically (written
/// to a hidden temporary file, synced, then renamed), so a reader never sees
/// half a message. The same email always gives the same bytes, so writing a
/// message id again replaces its file with identical content.
public struct FileEmailOutbox: EmailConnector {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// Where the message with this id is (or would be) written.
    public func fileURL(messageId: String) -> URL {
        directory.appendingPathComponent(messageId + ".eml")
    }

    public func send(_ emails: [OutgoingEmail]) -> [DeliveryResult] {
        var folderReady: String?
        var results: [DeliveryResult] = []
        var wrote = false
        for email in emails {
            let message: MIMEMessage
            do throws(EmailRejected) {
                message = try MIMEMessage(email, boundary: MIMEMessage.stableBoundary(for: email))
            } catch {
                results.append(.permanentFailure(reason: error.reason))
                continue
            }
            if folderReady == nil {
                do {
                    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                    folderReady = ""
                } catch {
                    folderReady = "cannot create the email outbox \(directory.path): \(error.localizedDescription)"
                }
            }
            if let problem = folderReady, !problem.isEmpty {
                results.append(.temporaryFailure(reason: problem))
                continue
            }
            let target = fileURL(messageId: email.messageId)
            if let problem = Self.writeAtomically(message.bytes, to: target) {
                results.append(.temporaryFailure(reason: problem))
            } else {
                wrote = true
                results.append(.sent(detail: target.path))
            }
        }
        if wrote { Self.syncDirectory(directory.path) }
        return results
    }

    /// Writes `data` to a temporary file next to `target`, syncs it and
    /// renames it over `target`. Returns a reason on failure.
    static func writeAtomically(_ data: Data, to target: URL) -> String? {
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString.prefix(8)).tmp").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { return "cannot create \(temporary): \(String(cString: strerror(errno)))" }
        var failure: String?
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = "cannot write \(temporary): \(String(cString: strerror(errno)))"
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = "cannot sync \(temporary): \(String(cString: strerror(errno)))" }
        close(fd)
        if failure == nil, rename(temporary, target.path) != 0 {
            failure = "cannot rename \(temporary) to \(target.path): \(String(cString: strerror(errno)))"
        }
        if failure != nil { unlink(temporary) }
        return failure
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }
}
