import CampaignCore
import Foundation

/// Reading the text files commands take (`-` is standard input), with errors
/// that name the file.
enum CatalogFiles {
    static func readText(_ path: String, what: String) throws -> String {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard FileManager.default.fileExists(atPath: path) else {
                throw CampaignError.notFound("\(what) \(path) does not exist")
            }
            guard let read = FileManager.default.contents(atPath: path) else {
                throw CampaignError.badInput("cannot read \(what) \(path)")
            }
            data = read
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CampaignError.badInput("\(displayName(path)) is not valid UTF-8")
        }
        return text
    }

    static func displayName(_ path: String) -> String { path == "-" ? "standard input" : path }

    /// A JSON object file, with syntax errors reported as FILE:LINE:COLUMN.
    static func readJSONObject(_ path: String, what: String) throws -> [String: JSONValue] {
        let text = try readText(path, what: what)
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw CampaignError.badInput("\(displayName(path)):\(error.line):\(error.column): \(error.reason)")
        }
        guard let object = value.objectValue else {
            throw CampaignError.badInput("\(displayName(path)): \(what) should be a JSON object ({\"field\": value, …})")
        }
        return object
    }
}
