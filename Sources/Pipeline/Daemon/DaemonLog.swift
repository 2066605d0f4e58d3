import CampaignCore
import Foundation
import Logging

/// The daemon's log: human lines (ISO time, pid, level, message) or JSON
/// objects, on standard error and appended to `var/NAME/pipelined.log`.
public struct DaemonLogHandler: LogHandler {
    public enum Format: String, Sendable, CaseIterable {
        case text, json
    }

    final class Sink: @unchecked Sendable {
        let lock = NSLock()
        let file: FileHandle?
        let toStandardError: Bool

        init(file: URL?, toStandardError: Bool) {
            if let file {
                if !FileManager.default.fileExists(atPath: file.path) {
                    _ = FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600])
                }
                let handle = try? FileHandle(forWritingTo: file)
                _ = try? handle?.seekToEnd()
                self.file = handle
            } else {
                self.file = nil
            }
            self.toStandardError = toStandardError
        }

        func write(_ line: String) {
            let data = Data(line.utf8)
            lock.withLock {
                if toStandardError { FileHandle.standardError.write(data) }
                try? file?.write(contentsOf: data)
            }
        }
    }

    let sink: Sink
    let format: Format
    let label: String
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    /// One sink shared by every logger the daemon makes.
    public static func bootstrap(file: URL?, format: Format, level: Logger.Level = .info,
                                 toStandardError: Bool = true) -> @Sendable (String) -> any LogHandler {
        let sink = Sink(file: file, toStandardError: toStandardError)
        return { label in
            var handler = DaemonLogHandler(sink: sink, format: format, label: label)
            handler.logLevel = level
            return handler
        }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    private static let pid = Int(getpid())

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let time = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        switch format {
        case .text:
            // One event, one line: what the message quotes (a stream's
            // faulty line, a relay's answer) cannot start a line of its own.
            let extra = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            sink.write("\(time) \(Self.pid) \(event.level.rawValue.uppercased()) \(visibleText("\(event.message)\(extra)", keepingLineBreaks: false))\n")
        case .json:
            var object: [String: Any] = ["time": time, "pid": Self.pid, "level": event.level.rawValue,
                                         "logger": label, "message": "\(event.message)"]
            for (key, value) in merged { object[key] = "\(value)" }
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                sink.write(String(decoding: data, as: UTF8.self) + "\n")
            }
        }
    }
}
