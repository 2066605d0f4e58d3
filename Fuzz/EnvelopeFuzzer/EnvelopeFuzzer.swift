import CampaignCore
import Foundation
import FuzzerDriver

/// libFuzzer entry point: one pipeline stream line. Built only with
/// CAMPAIGNCTL_FUZZ=1 (see scripts/fuzz). Any trap is a finding: the parser
/// must refuse or accept every line without crashing, and what it accepts
/// must hold the invariants the daemon relies on.
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
    if let value = try? JSONValue.parse(String(decoding: line, as: UTF8.self)) {
        _ = value.displayText
        _ = try? JSONValue.compactText(value)
    }
    return 0
}
