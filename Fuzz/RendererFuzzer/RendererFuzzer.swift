import CampaignCore
import Foundation
import FuzzerDriver
import Pipeline

/// libFuzzer entry point for the template renderer and the MIME encoder.
/// The input is `TEMPLATE NUL DATA` (no NUL: all template, fixed data).
/// Built only with CAMPAIGNCTL_FUZZ=1 (see scripts/fuzz).
///
/// Checked on every input: the template checker and compiler never crash;
/// what the daemon renders equals swift-mustache's rendering;
/// data rendered into fixed templates is escaped in HTML (no quote or angle
/// bracket gets through), never leaves a control character in the subject,
/// and never adds a header to the encoded message, whether it reaches the
/// subject or the To address.
@main
enum RendererFuzzer {
    /// SwiftPM names this module's entry point the program's main, so
    /// libFuzzer is started from here rather than from its own main.
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in rendererFuzzerTestOneInput(data, size) })
    }
}

func rendererFuzzerTestOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    let split = bytes.firstIndex(of: 0) ?? bytes.count
    let source = String(decoding: bytes[..<split], as: UTF8.self)
    let data = split < bytes.count ? String(decoding: bytes[(split + 1)...], as: UTF8.self) : "x<\"'&"
    let input = RenderInput(event: ["email": .string("ada@example.com"), "productName": .string(data),
                                    "products": .array([.object(["name": .string(data)])])],
                            profile: RenderProfile(firstName: data), unsubscribeUrl: "https://u.example.com/x")

    // 1. The fuzzed template, in every part.
    let fuzzed = TemplateContent(subject: source, from: "shop@example.com", html: source, text: source)
    if let template = try? CompiledTemplate(triggerId: "fuzz", definition: Fixed.definition, content: fuzzed) {
        let message = template.render(input)
        precondition(!(message.subject ?? "").unicodeScalars.contains { $0.properties.generalCategory == .control },
                     "control character in a rendered subject")
        // The render plans give swift-mustache's text, or leave the part to it.
        precondition(message == template.referenceRender(input), "render plan differs from swift-mustache for \(source.debugDescription)")
    }

    // 2. Fixed templates, fuzzed data.
    let html = Fixed.html.render(input).html ?? ""
    // Counted by Unicode scalar, as an HTML parser reads: a quote followed
    // by a combining mark is one Character but still a quote.
    for special in ["<", ">", "\"", "'"] as [Unicode.Scalar] {
        precondition(html.unicodeScalars.filter { $0 == special }.count == 2, "data broke out of HTML escaping: \(html)")
    }
    let email = Fixed.html.email(input, to: "ada@example.com", messageId: "fuzz.1@campaignctl.test")
    checkHeaders(email, expected: Fixed.multipartHeaders, mustEncode: true)
    var toData = email
    toData.to = data
    checkHeaders(toData, expected: Fixed.multipartHeaders, mustEncode: false)
    if let address = try? EmailAddress(parsing: data, field: "to") {
        precondition(!address.address.unicodeScalars.contains { $0.value < 0x21 || $0.value == 0x7F || $0 == "," || $0 == "<" },
                     "accepted address \(address.address.debugDescription)")
    }
    return 0
}

/// Encodes `email` and checks the header names are exactly `expected`.
func checkHeaders(_ email: OutgoingEmail, expected: [String], mustEncode: Bool) {
    let message: MIMEMessage
    do throws(EmailRejected) {
        message = try MIMEMessage(email, boundary: MIMEMessage.stableBoundary(for: email))
    } catch {
        precondition(!mustEncode, "could not encode: \(error.reason)")
        return
    }
    let text = String(decoding: message.bytes, as: UTF8.self)
    precondition(message.bytes.allSatisfy { $0 < 0x80 }, "non-ASCII byte in the message")
    let head = text.components(separatedBy: "\r\n\r\n")[0]
    let names = head.components(separatedBy: "\r\n").filter { !$0.hasPrefix(" ") && !$0.hasPrefix("\t") }
        .map { String($0.prefix { $0 != ":" }) }
    precondition(names == expected, "headers \(names)")
}

enum Fixed {
    static let definition = TriggerDefinition(
        label: "Fuzz", analyticsTriggerId: "*", channel: .email, targeting: .event,
        fields: [TriggerField(name: "email", source: "eVar01"), TriggerField(name: "productName", source: "eVar02"),
                 TriggerField(name: "products", source: "products", pick: .all)],
        emailField: "email")
    static let html = try! CompiledTemplate(triggerId: "fixed", definition: definition, content: TemplateContent(
        subject: "You left {{event.productName}}", from: "Shop <shop@example.com>",
        html: "<a title=\"{{event.productName}}\" data-x='{{profile.firstName}}'>{{event.productName}}</a>",
        text: "{{event.productName}}"))
    static let multipartHeaders = ["Date", "From", "To", "Subject", "Message-ID", "MIME-Version", "Content-Type"]
}
