import Foundation

/// Reads bytes in fixed-size chunks from a file descriptor or a buffer, so a
/// file of any size is read in bounded memory.
public struct ByteReader {
    private let readChunk: (Int) throws -> [UInt8]
    private let chunkSize: Int
    private var buffer: [UInt8] = []
    private var position = 0
    private var finished = false

    /// Reads with `read(maxCount)`, which returns an empty array at the end.
    public init(chunkSize: Int = 64 * 1024, read: @escaping (Int) throws -> [UInt8]) {
        self.chunkSize = chunkSize
        self.readChunk = read
    }

    /// Reads a file handle (a file or standard input) 64 KiB at a time.
    public init(fileHandle: FileHandle, chunkSize: Int = 64 * 1024) {
        self.init(chunkSize: chunkSize) { count in
            guard let data = try fileHandle.read(upToCount: count) else { return [] }
            return [UInt8](data)
        }
    }

    /// Reads an in-memory buffer, `chunkSize` bytes at a time (tests use
    /// tiny chunks to cross every boundary).
    public init(bytes: [UInt8], chunkSize: Int = 64 * 1024) {
        var offset = 0
        self.init(chunkSize: chunkSize) { count in
            let end = min(bytes.count, offset + count)
            defer { offset = end }
            return Array(bytes[offset..<end])
        }
    }

    @inline(__always)
    public mutating func peek() throws -> UInt8? {
        if position < buffer.count { return buffer[position] }
        guard try refill() else { return nil }
        return buffer[position]
    }

    @inline(__always)
    public mutating func next() throws -> UInt8? {
        if position < buffer.count {
            defer { position += 1 }
            return buffer[position]
        }
        guard try refill() else { return nil }
        defer { position += 1 }
        return buffer[position]
    }

    /// Consumes `prefix` if the input continues with it (a byte order
    /// mark); otherwise consumes nothing.
    public mutating func skip(_ prefix: [UInt8]) throws -> Bool {
        while buffer.count - position < prefix.count && !finished {
            let more = try readChunk(chunkSize)
            if more.isEmpty { finished = true } else { buffer = Array(buffer[position...]) + more; position = 0 }
        }
        guard buffer.count - position >= prefix.count, Array(buffer[position..<position + prefix.count]) == prefix else { return false }
        position += prefix.count
        return true
    }

    private mutating func refill() throws -> Bool {
        while !finished {
            buffer = try readChunk(chunkSize)
            position = 0
            if buffer.isEmpty { finished = true } else { return true }
        }
        return false
    }
}

/// A problem found in one record of an import file.
public struct RecordProblem: Sendable, Equatable, CustomStringConvertible {
    /// The physical line (1-based) where the record starts.
    public var line: Int
    /// The column or field at fault, when there is one.
    public var field: String?
    public var message: String

    public init(line: Int, field: String? = nil, message: String) {
        self.line = line
        self.field = field
        self.message = message
    }

    /// `line 12: email: …`
    public var description: String {
        "line \(line): " + (field.map { "\($0): " } ?? "") + message
    }
}

/// One CSV record, with its fields still as bytes: UTF-8 is checked per
/// field by the caller, so a broken byte is reported with its line.
public struct CSVRecord: Sendable, Equatable {
    /// The physical line where the record starts (quoted fields may span lines).
    public var line: Int
    /// The fields, unquoted.
    public var fields: [[UInt8]]
    /// The record as it was in the file, without its final line break.
    public var raw: [UInt8]
    /// A syntax problem (text after a closing quote, unterminated quote).
    public var problem: String?
}

/// A streaming RFC 4180 reader: comma-separated, fields optionally quoted
/// with `"` (a doubled `""` inside is one quote), quoted fields may hold
/// commas, quotes and line breaks; records end with CRLF, LF or CR. A UTF-8
/// byte order mark at the start is skipped, and so are empty lines. A quote
/// inside an unquoted field is kept as text.
public struct CSVReader {
    private var input: ByteReader
    private var line = 1
    private var started = false
    public let maxRecordBytes: Int

    public init(_ input: ByteReader, maxRecordBytes: Int = 1 << 20) {
        self.input = input
        self.maxRecordBytes = maxRecordBytes
    }

    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

    /// The next record, or nil at the end of the input. Throws only when
    /// reading fails or a record exceeds `maxRecordBytes` (an unclosed
    /// quote, usually): the rest of the file cannot be split into records.
    public mutating func next() throws -> CSVRecord? {
        if !started {
            started = true
            try skipByteOrderMark()
        }
        while true {
            guard try input.peek() != nil else { return nil }
            let startLine = line
            var fields: [[UInt8]] = []
            var field: [UInt8] = []
            var raw: [UInt8] = []
            var problem: String?
            var inQuotes = false
            var fieldWasQuoted = false
            var afterClosingQuote = false

            let limit = maxRecordBytes
            func append(_ byte: UInt8, to raw: inout [UInt8]) throws {
                raw.append(byte)
                if raw.count > limit {
                    throw CampaignError.badInput(
                        "line \(startLine): the record is longer than \(limit / 1024) KiB",
                        hint: "a quoted field is probably not closed; check the quotes from line \(startLine)")
                }
            }

            recordLoop: while true {
                guard let byte = try input.next() else {
                    if inQuotes { problem = problem ?? "the quoted field \(fields.count + 1) is not closed" }
                    break recordLoop
                }
                if inQuotes {
                    if byte == Self.quote {
                        try append(byte, to: &raw)
                        if try input.peek() == Self.quote {
                            _ = try input.next()
                            try append(Self.quote, to: &raw)
                            field.append(Self.quote)
                        } else {
                            inQuotes = false
                            afterClosingQuote = true
                        }
                    } else {
                        if try byte == Self.lf || (byte == Self.cr && input.peek() != Self.lf) { line += 1 }
                        try append(byte, to: &raw)
                        field.append(byte)
                    }
                    continue
                }
                switch byte {
                case Self.comma:
                    try append(byte, to: &raw)
                    fields.append(field)
                    field = []
                    fieldWasQuoted = false
                    afterClosingQuote = false
                case Self.lf:
                    line += 1
                    break recordLoop
                case Self.cr:
                    if try input.peek() == Self.lf { _ = try input.next() }
                    line += 1
                    break recordLoop
                case Self.quote where field.isEmpty && !fieldWasQuoted:
                    try append(byte, to: &raw)
                    inQuotes = true
                    fieldWasQuoted = true
                default:
                    try append(byte, to: &raw)
                    if afterClosingQuote && problem == nil {
                        problem = "field \(fields.count + 1) has text after its closing quote"
                    }
                    field.append(byte)
                }
            }
            if raw.isEmpty && fields.isEmpty && !fieldWasQuoted { continue }  // an empty line
            fields.append(field)
            return CSVRecord(line: startLine, fields: fields, raw: raw, problem: problem)
        }
    }

    private mutating func skipByteOrderMark() throws {
        _ = try input.skip([0xEF, 0xBB, 0xBF])
    }
}

/// One line of a JSON-lines file.
public struct TextLine: Sendable, Equatable {
    public var line: Int
    /// The line's bytes, without its line break.
    public var bytes: [UInt8]

    public init(line: Int, bytes: [UInt8]) {
        self.line = line
        self.bytes = bytes
    }
}

/// Splits input into lines (LF or CRLF) in bounded memory, skipping lines
/// that hold only whitespace and a UTF-8 byte order mark at the start.
public struct LineReader {
    private var input: ByteReader
    private var line = 0
    private var started = false
    public let maxLineBytes: Int

    public init(_ input: ByteReader, maxLineBytes: Int = 1 << 20) {
        self.input = input
        self.maxLineBytes = maxLineBytes
    }

    public mutating func next() throws -> TextLine? {
        if !started {
            started = true
            _ = try input.skip([0xEF, 0xBB, 0xBF])
        }
        while try input.peek() != nil {
            line += 1
            var bytes: [UInt8] = []
            while let byte = try input.next(), byte != UInt8(ascii: "\n") {
                bytes.append(byte)
                if bytes.count > maxLineBytes {
                    throw CampaignError.badInput("line \(line): the line is longer than \(maxLineBytes / 1024) KiB",
                                                 hint: "each line must hold one JSON object")
                }
            }
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            return TextLine(line: line, bytes: bytes)
        }
        return nil
    }
}
