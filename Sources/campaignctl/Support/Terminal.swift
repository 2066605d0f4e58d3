import CampaignCore
import Foundation

/// Something a command prints: JSON for machines, text for people.
protocol Report: Encodable {
    func renderText() -> String
}

enum Terminal {
    /// Text for people on standard output; see `visible`.
    static func writeOut(_ text: String) {
        FileHandle.standardOutput.write(Data((isatty(STDOUT_FILENO) == 1 ? visible(text) : text).utf8))
    }

    /// Text for people on standard error; see `visible`.
    static func writeErr(_ text: String) {
        FileHandle.standardError.write(Data((isatty(STDERR_FILENO) == 1 ? visible(text) : text).utf8))
    }

    /// `text` as a terminal may show it (`visibleText`). Applied only when
    /// the stream is a terminal: redirected output (`option get NAME > file`)
    /// keeps every byte, and `--json` escapes control characters anyway.
    static func visible(_ text: String) -> String {
        visibleText(text, keepingLineBreaks: true)
    }

    /// A progress or confirmation message for people; always on stderr so
    /// stdout stays clean for data.
    static func note(_ text: String) {
        writeErr(text + "\n")
    }

    static func printError(_ error: CampaignError) {
        writeErr("error: \(error.message)\n")
        if let hint = error.hint { writeErr("hint: \(hint)\n") }
    }

    static func jsonString(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static var isTTY: Bool { isatty(STDOUT_FILENO) == 1 }

    /// An aligned table with a header; an empty body prints the header only.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    /// Key/value lines for one object.
    static func fields(_ pairs: [(String, String)]) -> String {
        let width = pairs.map(\.0.count).max() ?? 0
        return pairs.map { "\($0.0.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.1)" }.joined(separator: "\n")
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
