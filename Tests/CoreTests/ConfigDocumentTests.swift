import CampaignCore
import Foundation
import Testing
import TestSupport

@Suite struct ConfigDocumentTests {
    static let pipelined = ["serverconf", "pipelined"]

    static let sample = """
    <?xml version='1.0' encoding='utf-8'?>
    <!-- campaign config: <pipelined monitorServerPort="1"/> in a comment is not an element -->
    <serverconf>
        <?campaign keep-me?>
        <web>
            <redirection IMSOrgId='ABC@AdobeOrg'/>
        </web>
        <wfserver autoStart="true"><![CDATA[ <pipelined/> & raw ]]></wfserver>
        <pipelined   runLevel = "10"
                     autoStart='false' args="a &amp; b &lt;c&gt; &#65;&#x42; &quot;q&quot;"
                     monitorServerPort="7781"/>
        <mta><relay address="smtp.example.com" port="25"/></mta>
    </serverconf>
    <!-- trailing comment -->

    """

    func parse(_ text: String) throws -> ConfigDocument {
        try ConfigDocument(bytes: Array(text.utf8), path: "test.xml")
    }

    func refusal(_ text: String) -> CampaignError? {
        do {
            _ = try parse(text)
            return nil
        } catch let error as CampaignError {
            return error
        } catch {
            return CampaignError(.failure, "\(error)")
        }
    }

    @Test func roundTripIsByteIdentical() throws {
        let document = try parse(Self.sample)
        #expect(document.bytes == Array(Self.sample.utf8))
        #expect(document.rootName == "serverconf")
    }

    @Test func readsAttributesByPathDecodingEntities() throws {
        let document = try parse(Self.sample)
        #expect(document.attribute("monitorServerPort", at: Self.pipelined) == "7781")
        #expect(document.attribute("args", at: Self.pipelined) == "a & b <c> AB \"q\"")
        #expect(document.attribute("IMSOrgId", at: ["serverconf", "web", "redirection"]) == "ABC@AdobeOrg")
        #expect(document.attribute("address", at: ["serverconf", "mta", "relay"]) == "smtp.example.com")
        #expect(document.attribute("nope", at: Self.pipelined) == nil)
        #expect(document.attribute("runLevel", at: ["config", "pipelined"]) == nil)
        let names = try #require(document.attributes(at: Self.pipelined)).map(\.name)
        #expect(names == ["runLevel", "autoStart", "args", "monitorServerPort"])
        let autoStart = try #require(document.attributes(at: Self.pipelined)?.first { $0.name == "autoStart" })
        #expect(autoStart.line == 10 && autoStart.column == 18)
        #expect(document.attributes(at: ["serverconf", "missing"]) == nil)
    }

    @Test func attributeWhitespaceIsNormalized() throws {
        let document = try parse("<a v=\"x\ny\tz&#10;\"/>")
        #expect(document.attribute("v", at: ["a"]) == "x y z\n")
    }

    /// `expected` is `original` with `from` replaced by `to` exactly once.
    func expectEdit(_ document: ConfigDocument, _ original: String, replacing from: String, with to: String,
                    sourceLocation: SourceLocation = #_sourceLocation) {
        let range = original.range(of: from)
        #expect(range != nil, "test bug: \(from) not in original", sourceLocation: sourceLocation)
        guard let range else { return }
        let expected = original.replacingCharacters(in: range, with: to)
        #expect(document.text == expected, sourceLocation: sourceLocation)
    }

    @Test func setReplacesOnlyTheValueKeepingQuotes() throws {
        var document = try parse(Self.sample)
        try document.setAttribute("monitorServerPort", to: "7782", at: Self.pipelined)
        expectEdit(document, Self.sample, replacing: #"monitorServerPort="7781""#, with: #"monitorServerPort="7782""#)

        var single = try parse(Self.sample)
        try single.setAttribute("autoStart", to: "it's \"on\" & <b>", at: Self.pipelined)
        expectEdit(single, Self.sample, replacing: "autoStart='false'",
                   with: "autoStart='it&apos;s \"on\" &amp; &lt;b&gt;'")
        #expect(single.attribute("autoStart", at: Self.pipelined) == "it's \"on\" & <b>")
    }

    @Test func setAppendsANewAttributeAfterTheLastOne() throws {
        var document = try parse(Self.sample)
        try document.setAttribute("authType", to: "imsOAuth", at: Self.pipelined)
        expectEdit(document, Self.sample, replacing: #"monitorServerPort="7781"/>"#,
                   with: "monitorServerPort=\"7781\"\n                 authType=\"imsOAuth\"/>")

        let inline = "<serverconf>\n  <pipelined a=\"1\" />\n  <x></x>\n</serverconf>\n"
        var second = try parse(inline)
        try second.setAttribute("b", to: "2", at: Self.pipelined)
        #expect(second.text == "<serverconf>\n  <pipelined a=\"1\" b=\"2\" />\n  <x></x>\n</serverconf>\n")

        var third = try parse("<serverconf><pipelined></pipelined></serverconf>")
        try third.setAttribute("b", to: "2", at: Self.pipelined)
        #expect(third.text == "<serverconf><pipelined b=\"2\"></pipelined></serverconf>")
    }

    @Test func removeDropsTheAttributeAndItsLeadingWhitespace() throws {
        var document = try parse(Self.sample)
        #expect(try document.removeAttribute("autoStart", at: Self.pipelined))
        expectEdit(document, Self.sample, replacing: "\n                 autoStart='false'", with: "")
        #expect(try document.removeAttribute("autoStart", at: Self.pipelined) == false)
        #expect(try document.removeAttribute("x", at: ["serverconf", "missing"]) == false)
    }

    @Test func createsAMissingElementWithSiblingIndentation() throws {
        let original = """
        <?xml version="1.0"?>
        <serverconf>
           <!-- modules -->
           <web>
              <redirection/>
           </web>
        </serverconf>

        """
        var document = try parse(original)
        try document.setAttribute("monitorServerPort", to: "1", at: Self.pipelined)
        expectEdit(document, original, replacing: "   </web>\n", with: "   </web>\n   <pipelined monitorServerPort=\"1\"/>\n")

        var nested = try parse(original)
        try nested.setAttribute("authIMSEndpoint", to: "https://ims", at: ["serverconf", "ims", "inner"])
        expectEdit(nested, original, replacing: "   </web>\n",
                   with: "   </web>\n   <ims>\n      <inner authIMSEndpoint=\"https://ims\"/>\n   </ims>\n")

        var child = try parse(original)
        try child.setAttribute("IMSOrgId", to: "X@AdobeOrg", at: ["serverconf", "web", "redirection"])
        expectEdit(child, original, replacing: "<redirection/>", with: "<redirection IMSOrgId=\"X@AdobeOrg\"/>")
    }

    @Test func expandsASelfClosingParent() throws {
        var document = try parse("<?xml version='1.0'?>\n<serverconf/>\n")
        try document.setAttribute("autoStart", to: "true", at: Self.pipelined)
        #expect(document.text == "<?xml version='1.0'?>\n<serverconf>\n  <pipelined autoStart=\"true\"/>\n</serverconf>\n")

        let tabs = "<serverconf>\n\t<web a=\"1\" />\n</serverconf>\n"
        var nested = try parse(tabs)
        try nested.setAttribute("IMSOrgId", to: "O", at: ["serverconf", "web", "redirection"])
        #expect(nested.text == "<serverconf>\n\t<web a=\"1\">\n\t\t<redirection IMSOrgId=\"O\"/>\n\t</web>\n</serverconf>\n")
    }

    @Test func keepsCRLFLineEnds() throws {
        var document = try parse("<serverconf>\r\n  <web/>\r\n</serverconf>\r\n")
        try document.setAttribute("a", to: "1", at: Self.pipelined)
        #expect(document.text == "<serverconf>\r\n  <web/>\r\n  <pipelined a=\"1\"/>\r\n</serverconf>\r\n")
    }

    @Test func editsRefuseABadNameOrRoot() throws {
        var document = try parse(Self.sample)
        #expect(throws: CampaignError.self) { try document.setAttribute("bad name", to: "1", at: Self.pipelined) }
        #expect(throws: CampaignError.self) { try document.setAttribute("a", to: "1", at: ["config", "pipelined"]) }
        #expect(throws: CampaignError.self) { try document.setAttribute("a", to: "nul\u{0}", at: Self.pipelined) }
        #expect(document.bytes == Array(Self.sample.utf8))
    }

    @Test(arguments: [
        ("", "1:1", "the file is empty"),
        ("  \n \n", "1:1", "the file is empty"),
        ("<serverconf>\n  <pipelined>\n</serverconf>", "3:1", "does not match <pipelined> opened at line 2, column 3"),
        ("<serverconf>\n  <pipelined/>\n", "1:1", "<serverconf> is never closed"),
        ("<a>\n  <b x=1/>\n</a>", "2:8", "must be in quotes"),
        ("<a>\n  <b x/>\n</a>", "2:6", "has no '=\"value\"'"),
        ("<a>\n  <b x=\"1\"y=\"2\"/>\n</a>", "2:11", "separated by whitespace"),
        ("<a>\n  <b x=\"1\" x='2'/>\n</a>", "2:12", "duplicate attribute 'x' in <b>"),
        ("<a>\n  <b x=\"1<2\"/>\n</a>", "2:10", "'<' is not allowed"),
        ("<a>\n  <b x=\"R&D\"/>\n</a>", "2:10", "unescaped '&'"),
        ("<a>\n  <b x=\"&foo;\"/>\n</a>", "2:9", "undefined entity '&foo;'"),
        ("<a>\n  <b x=\"&#0;\"/>\n</a>", "2:9", "invalid character reference"),
        ("<a/>\n<b/>", "2:1", "junk after the root element"),
        ("<a/>\ntext", "2:1", "junk after the root element"),
        ("<?xml version='1.0'?>\n<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<a>&x;</a>", "2:1", "DOCTYPE"),
        ("<!ENTITY x \"y\">\n<a/>", "1:1", "entity declarations are not allowed"),
        ("<a>&x;</a>", "1:4", "undefined entity"),
        ("<a>\n  <b x=\"1\"\n</a>", "3:1", "bad attribute syntax"),
        ("<a><!-- x -- y --></a>", "1:11", "'--' is not allowed inside a comment"),
        ("<a><!-- never", "1:4", "comment is never closed"),
        ("<!-- only a comment -->\n", "2:1", "no root element"),
        (" <?xml version='1.0'?><a/>", "1:2", "only allowed at the very start"),
        ("<a>\n  <é x=\"\u{1}\"/></a>", "2:9", "control character"),
        ("<a></b>", "1:4", "does not match"),
        ("</a>", "1:1", "has no matching start tag"),
        ("<a>< b/></a>", "1:4", "unescaped '<'"),
    ])
    func refusesWithLineAndColumn(text: String, location: String, message: String) throws {
        let error = try #require(refusal(text), "accepted: \(text)")
        #expect(error.status == .dataError)
        #expect(error.message.hasPrefix("test.xml:\(location): "), "\(error.message)")
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test func refusesInvalidUTF8() throws {
        let error = try #require({ () -> CampaignError? in
            do { _ = try ConfigDocument(bytes: Array("<a x=\"".utf8) + [0xFF] + Array("\"/>".utf8), path: "test.xml"); return nil } catch let e as CampaignError { return e } catch { return nil }
        }())
        #expect(error.message.contains("test.xml:1:7: the file is not valid UTF-8"), "\(error.message)")
    }

    @Test func acceptsBOMCommentsCDATAAndPIs() throws {
        let text = "\u{FEFF}<?xml version='1.0'?><!-- <pipelined x=\"1\"/> --><?pi x?><a><![CDATA[<b>&]]>t&amp;&#x20AC;</a><!-- end -->"
        let document = try parse(text)
        #expect(document.bytes == Array(text.utf8))
        #expect(document.attributes(at: ["a"]) == [])
        #expect(!document.hasElement(["a", "b"]))
        #expect(!document.hasElement(["pipelined"]))
    }

    @Test func escapeEncodesSpecialCharacters() {
        #expect(ConfigDocument.escape("a&<>\"'\n") == "a&amp;&lt;&gt;&quot;'&#10;")
        #expect(ConfigDocument.escape("'", quote: UInt8(ascii: "'")) == "&apos;")
    }

    @Test func atomicWriteKeepsModeAndBackup() throws {
        let directory = TemporaryDirectory()
        let url = directory.file("config-x.xml")
        try Data("old".utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: url.path)
        try AtomicFile.write(Data("new".utf8), to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "new")
        #expect(try String(contentsOf: directory.file("config-x.xml.bak"), encoding: .utf8) == "old")
        let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o640)
        try AtomicFile.write(Data("newer".utf8), to: url)
        #expect(try String(contentsOf: directory.file("config-x.xml.bak"), encoding: .utf8) == "new")

        let fresh = directory.file("fresh.xml")
        try AtomicFile.write(Data("f".utf8), to: fresh)
        let freshMode = try FileManager.default.attributesOfItem(atPath: fresh.path)[.posixPermissions] as? NSNumber
        #expect(freshMode?.intValue == 0o600)
        #expect(!FileManager.default.fileExists(atPath: fresh.path + ".bak"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }
}

@Suite struct NearestAttributeTests {
    @Test(arguments: [
        ("monitorPrt", "monitorServerPort"), ("monitorPort", "monitorServerPort"), ("autostart", "autoStart"),
        ("monitorServerPost", "monitorServerPort"), ("retryPeriod", "retryPeriodSec"), ("processingJSThread", "processingJSThreads"),
        ("authtyp", "authType"), ("forcedEndpoint", "forcedPipelineEndpoint"),
    ])
    func suggestsTheIntendedName(typed: String, expected: String) {
        #expect(PipelinedSettings.nearestName(to: typed) == expected)
    }
}
