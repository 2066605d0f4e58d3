import CampaignCore
import Foundation
@testable import Pipeline
import Testing
import TestSupport

/// A text check of `Tests/Corpus/templates/expected.json`.
struct TextMatch: Decodable, Sendable {
    var equals: String?
    var contains: [String]?
    var excludes: [String]?

    func problems(_ actual: String?) -> [String] {
        guard let actual else { return ["is missing"] }
        var problems: [String] = []
        if let equals, actual != equals { problems.append("is \(actual.debugDescription), expected \(equals.debugDescription)") }
        for piece in contains ?? [] where !actual.contains(piece) {
            problems.append("\(actual.debugDescription) lacks \(piece.debugDescription)")
        }
        for piece in excludes ?? [] where actual.contains(piece) {
            problems.append("\(actual.debugDescription) holds \(piece.debugDescription)")
        }
        return problems
    }
}

struct TemplateExpectation: Decodable, Sendable {
    /// The template does not compile: a substring of the error.
    var refused: String?
    /// The rendered email cannot be encoded (never sent): a substring of the reason.
    var rejected: String?
    /// The header names of the encoded message, as Python reads them.
    var headers: [String]?
    var subject: TextMatch?
    var html: TextMatch?
    var text: TextMatch?
    var sms: TextMatch?
}

/// One case file: a template and the data it is rendered with.
struct TemplateCaseFile: Decodable {
    var channel: Channel?
    var template: TemplateContent
    var event: [String: JSONValue]
    var profile: ProfileData?

    struct ProfileData: Decodable {
        var email, phone, firstName, lastName: String?
        var render: RenderProfile { RenderProfile(email: email, phone: phone, firstName: firstName, lastName: lastName) }
    }
}

/// Hostile event and profile data through the real renderer and MIME
/// encoder: escaped in HTML, literal elsewhere, never a second header,
/// never a Mustache tag interpreted, never an address with a line break.
@Suite struct TemplateCorpusTests {
    static let cases = Corpus.cases("templates", as: TemplateExpectation.self)

    static let emailDefinition = TriggerDefinition(
        label: "Hostile", analyticsTriggerId: "*", channel: .email, targeting: .event,
        fields: [TriggerField(name: "email", source: "eVar01"), TriggerField(name: "productName", source: "eVar02"),
                 TriggerField(name: "products", source: "products", pick: .all)],
        emailField: "email")
    static let smsDefinition = TriggerDefinition(
        label: "Hostile SMS", analyticsTriggerId: "*", channel: .sms, targeting: .event,
        fields: [TriggerField(name: "mobile", source: "eVar03"), TriggerField(name: "productName", source: "eVar02")],
        phoneField: "mobile")

    @Test func everyFileHasAnExpectation() throws {
        #expect(try Corpus.coverageProblems("templates") == [])
        #expect(try Corpus.generatedNames("templates").isEmpty)
    }

    @Test(arguments: cases)
    func dataNeverTakesControlOfTheMessage(_ corpusCase: CorpusCase<TemplateExpectation>) async throws {
        let expected = try corpusCase.expectation()
        let file = try JSONDecoder().decode(TemplateCaseFile.self, from: corpusCase.data())
        let definition = file.channel == .sms ? Self.smsDefinition : Self.emailDefinition
        let template: CompiledTemplate
        do {
            template = try CompiledTemplate(triggerId: "hostile", definition: definition, content: file.template)
        } catch {
            let message = "\(error)"
            #expect(expected.refused.map(message.contains) == true, "\(corpusCase): refused to compile: \(message)")
            return
        }
        #expect(expected.refused == nil, "\(corpusCase) compiled, expected refused: \(expected.refused ?? "")")
        let input = RenderInput(event: file.event, profile: file.profile?.render ?? RenderProfile(), unsubscribeUrl: "https://u.example.com/x")
        let rendered = template.render(input)
        func check(_ match: TextMatch?, _ actual: String?, _ what: String) {
            for problem in match?.problems(actual) ?? [] { Issue.record("\(corpusCase): \(what) \(problem)") }
        }
        check(expected.html, rendered.html, "html")
        check(expected.text, rendered.text, "text")
        check(expected.sms, rendered.smsText, "sms")
        if rendered.subject?.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) == true {
            Issue.record("\(corpusCase): the rendered subject holds a control character: \(rendered.subject!.debugDescription)")
        }
        guard definition.channel == .email else { return }

        // The address comes from the event, as in the daemon.
        let to = try #require(definition.eventAddress(in: file.event), "\(corpusCase): no address in the event")
        let email = template.email(input, to: to, messageId: "hostile.1.2.v1.test@corpus.campaignctl")
        let message: MIMEMessage
        do throws(EmailRejected) {
            message = try MIMEMessage(email, boundary: MIMEMessage.stableBoundary(for: email))
        } catch {
            #expect(expected.rejected.map(error.reason.contains) == true, "\(corpusCase): rejected: \(error.reason)")
            return
        }
        #expect(expected.rejected == nil, "\(corpusCase) was encoded, expected rejected: \(expected.rejected ?? "")")
        let parsed = try await parseWithPython(message.bytes)
        if let headers = expected.headers {
            #expect(parsed["header_names"] as? [String] == headers, "\(corpusCase): \(parsed["header_names"] ?? "none")")
        }
        check(expected.subject, parsed["subject"] as? String, "subject (as a mail reader decodes it)")
        #expect(parsed["defects"] as? [String] == [], "\(corpusCase): \(parsed["defects"] ?? "")")
        // The bodies read back are exactly what was rendered: no part was added or cut.
        let parts = try #require(parsed["parts"] as? [[String: Any]])
        let bodies = [rendered.text, rendered.html].compactMap { $0 }.map {
            $0.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        }
        // (A single part read back ends with the line break that closes the message.)
        let readBack = parts.compactMap { $0["content"] as? String }.map { parts.count == 1 && $0.hasSuffix("\n") ? String($0.dropLast()) : $0 }
        #expect(readBack == bodies, "\(corpusCase)")
        #expect((parsed["to"] as? [[String]])?.map { $0[1] } == [to], "\(corpusCase)")
    }
}
