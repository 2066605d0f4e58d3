import CampaignCore
import Foundation
import Store

/// What `profile import` was asked to do.
public struct ProfileImportRequest: Sendable {
    /// The file to read, or `-` for standard input.
    public var path: String
    /// Nil: from the file name's extension.
    public var format: ProfileFileFormat?
    public var key: ProfileAlias
    /// Import the valid rows and write the others to `rejectFile`.
    public var skipInvalid: Bool
    /// Nil: next to the input, `NAME.rejects.EXT`.
    public var rejectFile: String?
    /// Rows per transaction with `skipInvalid`.
    public var batchSize: Int

    public init(path: String, format: ProfileFileFormat? = nil, key: ProfileAlias = .email, skipInvalid: Bool = false,
                rejectFile: String? = nil, batchSize: Int = 5000) {
        self.path = path
        self.format = format
        self.key = key
        self.skipInvalid = skipInvalid
        self.rejectFile = rejectFile
        self.batchSize = batchSize
    }
}

/// What an import did.
public struct ProfileImportSummary: Sendable, Equatable, Codable {
    public var file: String
    public var format: ProfileFileFormat
    public var key: ProfileAlias
    /// Data records read (header and empty lines excluded).
    public var records: Int
    public var inserted: Int
    public var updated: Int
    public var rejected: Int
    /// Written with --skip-invalid (even when nothing was rejected, so an
    /// old one never lingers).
    public var rejectFile: String?
}

/// `profile import`: streams a CSV or JSON-lines file through validation
/// into the store, in bounded memory (64 KiB reads, one record at a time).
///
/// By default the import is one transaction and any bad record rolls it
/// back: the store is unchanged and every problem has been reported. With
/// `skipInvalid` the valid records are committed every `batchSize` rows and
/// the bad ones are written to the reject file with their line and reason.
public enum ProfileImporter {
    public static func run(_ request: ProfileImportRequest, store: InstanceStore,
                           onProblem: @escaping (RecordProblem) -> Void) throws -> ProfileImportSummary {
        do {
            return try importFile(request, store: store, onProblem: onProblem)
        } catch let error as CampaignError {
            throw located(error, in: request.path == "-" ? "standard input" : request.path)
        }
    }

    /// A whole-file error (header, runaway record, empty file) with the
    /// file's name: `line 3: …` becomes `people.csv:3: …`, as record problems are shown.
    static func located(_ error: CampaignError, in displayName: String) -> CampaignError {
        guard error.status == .dataError, !error.message.hasPrefix(displayName) else { return error }
        var located = error
        if error.message.hasPrefix("line "), let colon = error.message.firstIndex(of: ":"),
           let line = Int(error.message[error.message.index(error.message.startIndex, offsetBy: 5)..<colon]) {
            located.message = "\(displayName):\(line)" + error.message[colon...]
        } else {
            located.message = "\(displayName): \(error.message)"
        }
        return located
    }

    static func importFile(_ request: ProfileImportRequest, store: InstanceStore,
                           onProblem: @escaping (RecordProblem) -> Void) throws -> ProfileImportSummary {
        let isStdin = request.path == "-"
        guard let format = request.format ?? ProfileFileFormat(fileExtension: request.path) else {
            throw CampaignError(.usage, "cannot tell the format of '\(request.path)' from its name",
                                hint: "name it .csv or .jsonl, or pass --format csv|jsonl")
        }
        let handle: FileHandle
        if isStdin {
            handle = FileHandle.standardInput
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: request.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw CampaignError.notFound("no file at \(request.path)")
            }
            guard let opened = FileHandle(forReadingAtPath: request.path) else {
                throw CampaignError(.failure, "cannot read \(request.path)", hint: "check the file's permissions")
            }
            handle = opened
        }
        defer { if !isStdin { try? handle.close() } }
        let displayName = isStdin ? "standard input" : request.path

        var rejects: RejectWriter?
        if request.skipInvalid {
            let target = try request.rejectFile ?? defaultRejectFile(for: request.path, format: format)
            rejects = try RejectWriter(path: target, format: format)
        }
        var records = 0
        var rejected = 0
        var firstProblemLine: Int?
        func report(_ errors: ProfileRecordErrors, raw: [UInt8]) throws {
            rejected += 1
            if firstProblemLine == nil { firstProblemLine = errors.line }
            errors.problems.forEach(onProblem)
            try rejects?.write(raw: raw, line: errors.line, reason: errors.reason)
        }

        // The next valid record; bad ones are reported on the way. Without
        // --skip-invalid, once a record is bad nothing more is written: the
        // rest is only checked, and the end throws to roll back.
        let nextRecord: () throws -> (ProfileInput, [UInt8])?
        var header: [UInt8] = []
        switch format {
        case .csv:
            var reader = CSVReader(ByteReader(fileHandle: handle))
            let headerRecord = try reader.next()
            let parser = try CSVProfileParser(header: headerRecord, key: request.key)
            header = headerRecord?.raw ?? []
            nextRecord = {
                while let record = try reader.next() {
                    records += 1
                    switch parser.parse(record) {
                    case .success(let input): return (input, record.raw)
                    case .failure(let errors): try report(errors, raw: record.raw)
                    }
                }
                return nil
            }
        case .jsonl:
            var reader = LineReader(ByteReader(fileHandle: handle))
            let parser = JSONLinesProfileParser(key: request.key)
            nextRecord = {
                while let line = try reader.next() {
                    records += 1
                    switch parser.parse(line) {
                    case .success(let input): return (input, line.bytes)
                    case .failure(let errors): try report(errors, raw: line.bytes)
                    }
                }
                return nil
            }
        }
        try rejects?.writeHeader(header)

        // The raw bytes of the record in flight, for the reject file when
        // the store refuses it (a key that matches several profiles).
        var currentRaw: [UInt8] = []
        let counts: ProfileImportCounts
        do {
            counts = try store.importProfiles(
                keyedBy: request.key, commit: request.skipInvalid ? .every(request.batchSize) : .atomic,
                next: {
                    while let record = try nextRecord() {
                        let (input, raw) = record
                        if !request.skipInvalid && rejected > 0 { continue }
                        currentRaw = raw
                        return input
                    }
                    if !request.skipInvalid && rejected > 0 {
                        throw CampaignError.badInput(
                            "\(displayName): \(rejected) invalid record\(rejected == 1 ? "" : "s") (the first at line \(firstProblemLine ?? 0)); nothing was imported",
                            hint: "fix the lines listed above, or pass --skip-invalid to import the valid records and write the others to a reject file")
                    }
                    return nil
                },
                reject: { input, errors in try report(errors, raw: currentRaw) })
        } catch {
            rejects?.discard()
            throw error
        }
        let rejectPath = try rejects?.finish()
        return ProfileImportSummary(file: displayName, format: format, key: request.key, records: records,
                                    inserted: counts.inserted, updated: counts.updated, rejected: rejected, rejectFile: rejectPath)
    }

    /// `people.csv` → `people.rejects.csv`, next to it.
    static func defaultRejectFile(for path: String, format: ProfileFileFormat) throws -> String {
        guard path != "-" else {
            throw CampaignError(.usage, "--skip-invalid on standard input needs --reject-file",
                                hint: "pass --reject-file rejects.\(format.rawValue)")
        }
        let url = URL(fileURLWithPath: path)
        let base = url.deletingPathExtension().lastPathComponent
        return url.deletingLastPathComponent().appendingPathComponent("\(base).rejects.\(format.rawValue)").path
    }
}

/// Writes rejected records to a temporary file, renamed into place at the
/// end. CSV: the original header and records, each followed by two more
/// columns, `_line` and `_reason`. JSON lines: one object per rejected line,
/// `{"line":…,"reason":…,"text":…}` with the original line as text.
struct RejectWriter {
    let path: String
    let temporary: String
    let format: ProfileFileFormat
    let handle: FileHandle
    var buffer: [UInt8] = []

    init(path: String, format: ProfileFileFormat) throws {
        self.path = path
        self.format = format
        let directory = (path as NSString).deletingLastPathComponent
        temporary = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent).\(UUID().uuidString.prefix(8)).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporary) else {
            throw CampaignError(.cannotCreate, "cannot create the reject file next to \(path)", hint: "choose another place with --reject-file")
        }
        self.handle = handle
    }

    mutating func writeHeader(_ header: [UInt8]) throws {
        guard format == .csv else { return }
        buffer += header
        buffer += Array(",_line,_reason\n".utf8)
    }

    mutating func write(raw: [UInt8], line: Int, reason: String) throws {
        switch format {
        case .csv:
            buffer += raw
            buffer += Array(",\(line),\"\(reason.replacingOccurrences(of: "\"", with: "\"\""))\"\n".utf8)
        case .jsonl:
            let object: [String: AttributeValue] = ["line": .integer(Int64(line)), "reason": .string(reason),
                                                    "text": .string(String(decoding: raw, as: UTF8.self))]
            buffer += Array((AttributeValue.jsonText(of: object) + "\n").utf8)
        }
        if buffer.count >= 64 * 1024 { try flush() }
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw CampaignError(.cannotCreate, "cannot write the reject file \(path): \(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Moves the file into place and returns its path.
    mutating func finish() throws -> String {
        try flush()
        try? handle.close()
        if rename(temporary, path) != 0 {
            discard()
            throw CampaignError(.cannotCreate, "cannot write the reject file \(path): \(String(cString: strerror(errno)))")
        }
        return path
    }

    func discard() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: temporary)
    }
}
