import Foundation

/// The formats `profile import` reads.
public enum ProfileFileFormat: String, Sendable, CaseIterable, Codable {
    case csv, jsonl

    /// The format implied by a file name: `.csv`, or `.jsonl`/`.ndjson`/`.json`.
    public init?(fileExtension path: String) {
        switch (path as NSString).pathExtension.lowercased() {
        case "csv": self = .csv
        case "jsonl", "ndjson", "json": self = .jsonl
        default: return nil
        }
    }
}

/// A valid import record, ready to be upserted.
public struct ProfileInput: Sendable, Equatable {
    /// The line where the record starts.
    public var line: Int
    /// The known fields the record carries, normalised; nil clears the
    /// stored value (an empty cell, a JSON null). Fields the file does not
    /// carry keep their stored value.
    public var values: [ProfileField: String?]
    /// Other columns, merged into the stored attributes; `.null` removes one.
    public var attributes: [String: AttributeValue]

    public init(line: Int, values: [ProfileField: String?], attributes: [String: AttributeValue] = [:]) {
        self.line = line
        self.values = values
        self.attributes = attributes
    }

    /// The value of a field (nil when absent or empty).
    public func value(_ field: ProfileField) -> String? {
        values[field] ?? nil
    }
}

/// Checks the known fields of a record and normalises them. Returns the
/// values and one problem per bad field.
enum ProfileFieldRules {
    /// A value as quoted in a message: control characters escaped, long
    /// values cut.
    static func shown(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out.count > 60 ? "'" + out.prefix(57) + "...'" : "'" + out + "'"
    }

    static func check(_ field: ProfileField, _ text: String, line: Int, column: String,
                      problems: inout [RecordProblem]) -> String? {
        let trimmed = ContactAddress.trimmed(text)
        if trimmed.isEmpty { return nil }
        switch field {
        case .email:
            guard ContactAddress.isValidEmail(trimmed) else {
                problems.append(RecordProblem(line: line, field: column, message: "\(shown(trimmed)) is not a valid email address"))
                return nil
            }
            return trimmed.lowercased()
        case .phone:
            guard let phone = ContactAddress.normalisedPhone(trimmed) else {
                problems.append(RecordProblem(line: line, field: column,
                    message: "\(shown(trimmed)) is not a valid phone number (an optional '+' and 6 to 15 digits)"))
                return nil
            }
            return phone
        case .locale:
            guard trimmed.count <= 35, trimmed.unicodeScalars.allSatisfy({ ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" || $0 == "_" }) else {
                problems.append(RecordProblem(line: line, field: column, message: "\(shown(trimmed)) is not a locale (for example en_US or fr-FR)"))
                return nil
            }
            return trimmed
        case .firstName, .lastName, .mcId, .visitorId, .customerId:
            if trimmed.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                problems.append(RecordProblem(line: line, field: column, message: "contains a control character"))
                return nil
            }
            return trimmed
        }
    }

    static func checkKey(_ key: ProfileAlias, values: [ProfileField: String?], line: Int, problems: inout [RecordProblem]) {
        // A bad key value was already reported; only a missing one is new.
        if (values[key.field] ?? nil) == nil && !problems.contains(where: { $0.field.flatMap(ProfileField.init(columnName:)) == key.field }) {
            problems.append(RecordProblem(line: line, field: key.rawValue,
                                          message: "is empty, and it is the import key (--key \(key.rawValue))"))
        }
    }
}

/// Turns CSV records into profile inputs. The first record is the header:
/// known columns (case-insensitive, `_`/`-` ignored) map to profile fields,
/// every other column becomes an attribute of that name.
public struct CSVProfileParser {
    public let columns: [String]
    let mapping: [ProfileField?]
    public let key: ProfileAlias

    /// Reads the header. A header problem stops the import: no row can be
    /// read without it.
    public init(header: CSVRecord?, key: ProfileAlias) throws {
        guard let header else { throw CampaignError.badInput("the file is empty", hint: "a CSV import starts with a header row, for example: email,firstName,lastName") }
        if let problem = header.problem { throw CampaignError.badInput("line \(header.line): header: \(problem)") }
        var columns: [String] = []
        var mapping: [ProfileField?] = []
        var seen: [String: Int] = [:]
        for (i, bytes) in header.fields.enumerated() {
            guard let name = String(validating: bytes, as: UTF8.self) else {
                throw CampaignError.badInput("line \(header.line): header column \(i + 1) is not valid UTF-8",
                                             hint: "save the file as UTF-8")
            }
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else {
                throw CampaignError.badInput("line \(header.line): header column \(i + 1) has no name", hint: "name every column in the header row")
            }
            let field = ProfileField(columnName: trimmed)
            let identity = field?.rawValue ?? trimmed
            if let previous = seen[identity] {
                throw CampaignError.badInput("line \(header.line): columns \(previous + 1) and \(i + 1) both hold '\(identity)'",
                                             hint: "keep one of them")
            }
            seen[identity] = i
            columns.append(trimmed)
            mapping.append(field)
        }
        guard mapping.contains(key.field) else {
            throw CampaignError.badInput("line \(header.line): the header has no '\(key.rawValue)' column, the import key",
                                         hint: "add the column, or choose another key with --key email|customerId|mcId|visitorId|phone")
        }
        self.columns = columns
        self.mapping = mapping
        self.key = key
    }

    /// The profile input of a data record, or every problem found in it.
    public func parse(_ record: CSVRecord) -> Result<ProfileInput, ProfileRecordErrors> {
        if let problem = record.problem {
            return .failure(ProfileRecordErrors([RecordProblem(line: record.line, message: problem)]))
        }
        guard record.fields.count == columns.count else {
            return .failure(ProfileRecordErrors([RecordProblem(line: record.line,
                message: "\(record.fields.count) field\(record.fields.count == 1 ? "" : "s"), but the header has \(columns.count) columns")]))
        }
        var problems: [RecordProblem] = []
        var values: [ProfileField: String?] = [:]
        var attributes: [String: AttributeValue] = [:]
        for (i, bytes) in record.fields.enumerated() {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                problems.append(RecordProblem(line: record.line, field: columns[i], message: "is not valid UTF-8"))
                continue
            }
            if let field = mapping[i] {
                values[field] = .some(ProfileFieldRules.check(field, text, line: record.line, column: columns[i], problems: &problems))
            } else {
                attributes[columns[i]] = text.isEmpty ? .null : .string(text)
            }
        }
        ProfileFieldRules.checkKey(key, values: values, line: record.line, problems: &problems)
        if !problems.isEmpty { return .failure(ProfileRecordErrors(problems)) }
        return .success(ProfileInput(line: record.line, values: values, attributes: attributes))
    }
}

/// Turns JSON lines into profile inputs: each line one object; known keys
/// (case-insensitive) hold strings (numbers are accepted for phone and the
/// ids) or null, every other key becomes an attribute.
public struct JSONLinesProfileParser {
    public let key: ProfileAlias
    private let decoder = JSONDecoder()

    public init(key: ProfileAlias) {
        self.key = key
    }

    public func parse(_ line: TextLine) -> Result<ProfileInput, ProfileRecordErrors> {
        func fail(_ field: String?, _ message: String) -> Result<ProfileInput, ProfileRecordErrors> {
            .failure(ProfileRecordErrors([RecordProblem(line: line.line, field: field, message: message)]))
        }
        guard let text = String(validating: line.bytes, as: UTF8.self) else { return fail(nil, "is not valid UTF-8") }
        // The strict parser first: JSONDecoder keeps the last of two members
        // with the same name, so {"email":"a@x","email":"b@x"} would import
        // b@x without a word. It also names the column of any syntax error.
        do {
            let value = try JSONValue.parse(text)
            guard case .object = value else { return fail(nil, "is not a JSON object") }
        } catch {
            let duplicate = "duplicate member name "
            if error.reason.hasPrefix(duplicate) {
                let name = String(error.reason.dropFirst(duplicate.count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return fail(name, "appears twice in the record (column \(error.column))")
            }
            return fail(nil, "is not a JSON object (column \(error.column): \(error.reason))")
        }
        let object: [String: AttributeValue]
        do {
            object = try decoder.decode([String: AttributeValue].self, from: Data(line.bytes))
        } catch {
            return fail(nil, "is not a JSON object")
        }
        var problems: [RecordProblem] = []
        var values: [ProfileField: String?] = [:]
        var attributes: [String: AttributeValue] = [:]
        var sources: [ProfileField: String] = [:]
        for (name, value) in object.sorted(by: { $0.key < $1.key }) {
            guard let field = ProfileField(columnName: name) else {
                attributes[name] = value
                continue
            }
            if let other = sources[field] {
                problems.append(RecordProblem(line: line.line, field: name, message: "repeats '\(other)'"))
                continue
            }
            sources[field] = name
            let text: String?
            switch value {
            case .null: text = nil
            case .string(let string): text = string
            case .integer(let number) where field == .phone || field == .customerId || field == .mcId || field == .visitorId:
                text = String(number)
            default:
                problems.append(RecordProblem(line: line.line, field: name, message: "must be a string or null"))
                continue
            }
            values[field] = .some(text.flatMap { ProfileFieldRules.check(field, $0, line: line.line, column: name, problems: &problems) })
        }
        ProfileFieldRules.checkKey(key, values: values, line: line.line, problems: &problems)
        if !problems.isEmpty { return .failure(ProfileRecordErrors(problems)) }
        return .success(ProfileInput(line: line.line, values: values, attributes: attributes))
    }
}

/// The problems of one rejected record.
public struct ProfileRecordErrors: Error, Sendable, Equatable {
    public var problems: [RecordProblem]

    public init(_ problems: [RecordProblem]) {
        self.problems = problems
    }

    public var line: Int { problems.first?.line ?? 0 }

    /// `email: 'x' is not a valid email address; phone: …`
    public var reason: String {
        problems.map { ($0.field.map { "\($0): " } ?? "") + $0.message }.joined(separator: "; ")
    }
}
