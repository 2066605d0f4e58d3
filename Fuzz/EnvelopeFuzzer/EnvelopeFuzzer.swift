import CampaignCore
import Foundation
import FuzzerDriver

/// libFuzzer entry point: one pipeline stream line. Built only with
/// CAMPAIGNCTL_FUZZ=1 (see scripts/fuzz). Any trap is a finding: the parser
/// must refuse or accept every line without crashing, and what it accepts
/// must hold the invariants the daemon relies on, and the filtered parse
/// must agree with the full one.
@main
enum EnvelopeFuzzer {
    /// SwiftPM names this module's entry point the program's main, so
    /// libFuzzer is started from here rather than from its own main.
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in envelopeFuzzerTestOneInput(data, size) })
    }
}

func envelopeFuzzerTestOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let line = start.map { Data(bytes: $0, count: count) } ?? Data()
    do {
        let envelope = try PipelineEnvelopeParser.parse(line)
        precondition(envelope.raw == line, "the raw line must be kept as received")
        switch envelope.kind {
        case .data:
            precondition(envelope.partition >= 0 && envelope.partition <= Int(Int32.max), "DATA with partition \(envelope.partition)")
            precondition(envelope.offset >= 0, "DATA with offset \(envelope.offset)")
        case .ping:
            precondition(envelope.partition == -1 && envelope.offset == -1, "PING with a position")
        case .unknown:
            break
        }
    } catch {
        precondition(!error.reason.isEmpty, "a fault without a reason")
    }
    // The daemon re-reads a stored envelope with JSONValue to extract fields.
    let text = String(decoding: line, as: UTF8.self)
    let full: Result<JSONValue, JSONSyntaxError> = Result { () throws(JSONSyntaxError) in try JSONValue.parse(text) }
    if case .success(let value) = full {
        _ = value.displayText
        _ = try? JSONValue.compactText(value)
    }
    // Ingest and processing parse with a member filter: it must accept and
    // refuse exactly what the full parse does, with the same error, and
    // build the same values for the members it keeps.
    for filter in FuzzFilters.all {
        let filtered: Result<JSONValue, JSONSyntaxError> = Result { () throws(JSONSyntaxError) in
            try JSONValue.parse(Array(text.utf8), keeping: filter)
        }
        switch (full, filtered) {
        case (.success(let whole), .success(let part)):
            precondition(FuzzFilters.project(whole, filter) == part, "the filtered parse built other values")
        case (.failure(let a), .failure(let b)):
            precondition(a.description == b.description, "different errors: \(a) / \(b)")
        default:
            preconditionFailure("the filtered parse and the full parse disagree on accepting the line")
        }
    }
    // Ingest reads an envelope's members by their paths, building nothing
    // else: the same acceptance and errors, the values the full parse has there.
    let members: Result<JSONMembers, JSONSyntaxError> = Array(text.utf8).withUnsafeBufferPointer { bytes in
        do throws(JSONSyntaxError) { return .success(try JSONValue.members(of: bytes, at: FuzzFilters.paths)) } catch { return .failure(error) }
    }
    switch (full, members) {
    case (.success(let whole), .success(let read)):
        precondition(read.isObject == (whole.objectValue != nil), "members read a root the full parse does not have")
        for (index, path) in FuzzFilters.pathList.enumerated() {
            let expected = path.reduce(whole as JSONValue?) { value, name in value?.objectValue?[name] }
            precondition(read[index] == expected, "members read another value at \(path)")
        }
    case (.failure(let a), .failure(let b)):
        precondition(a.description == b.description, "different errors: \(a) / \(b)")
    default:
        preconditionFailure("reading members and the full parse disagree on accepting the line")
    }
    return 0
}

enum FuzzFilters {
    static let pathList = [["envelopeType"], ["partition"], ["a", "b"], ["a", "c", "d"], ["K"], ["\u{E9}"],
                           ["com.adobe.mcloud.pipeline.pipelineMessage", "header", "messageId"]]
    static let paths = JSONMemberPaths(pathList)

    static let all: [JSONMemberFilter] = {
        var envelope = JSONMemberFilter.members([:])
        for path in [["envelopeType"], ["partition"], ["a", "b"], ["a", "c", "d"], ["com.adobe.mcloud.pipeline.pipelineMessage", "header", "messageId"]] {
            envelope.include(path[...])
        }
        return [envelope, .members([:]), .all]
    }()

    /// What a filtered parse should build, from the full parse.
    static func project(_ value: JSONValue, _ filter: JSONMemberFilter) -> JSONValue {
        guard case .members(let members) = filter, case .object(let object) = value else { return value }
        var kept: [String: JSONValue] = [:]
        for (name, child) in members {
            if let member = object[name] { kept[name] = project(member, child) }
        }
        return .object(kept)
    }
}
