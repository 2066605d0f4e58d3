import Foundation
import Logging
@testable import Pipeline
import Testing
import TestSupport

/// One event, one line: what a log message quotes from outside (a faulty
/// stream line, a relay's answer) cannot forge a line or drive a terminal
/// that shows the log.
@Suite struct DaemonLogTests {
    @Test func aQuotedLineBreakOrEscapeStaysInsideItsLine() throws {
        let directory = TemporaryDirectory("campaignctl-log")
        let hostile = "unknown envelopeType 'X\n2026-01-01T00:00:00Z 1 ERROR forged\u{1B}[2J'"
        for format in DaemonLogHandler.Format.allCases {
            let file = directory.url.appendingPathComponent("\(format).log")
            let logger = Logger(label: "test", factory: DaemonLogHandler.bootstrap(file: file, format: format, toStandardError: false))
            logger.warning("\(hostile)", metadata: ["relay": "a\rb"])
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == 2 && lines[1].isEmpty, "\(format): \(lines)")
            #expect(!lines[0].unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\r" }, "\(format)")
            if format == .text {
                #expect(lines[0].hasSuffix(#"WARNING unknown envelopeType 'X\u{A}2026-01-01T00:00:00Z 1 ERROR forged\u{1B}[2J' relay=a\u{D}b"#), "\(lines[0])")
            }
        }
    }
}
