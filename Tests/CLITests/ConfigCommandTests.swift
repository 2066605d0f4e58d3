import Foundation
import Testing
import TestSupport

@Suite struct ConfigCommandTests {
    /// A hand-edited config with comments, other modules, tabs, odd indentation and attribute order.
    static let handEdited = """
    <?xml version='1.0' encoding='utf-8'?>
    <!-- Instance test: hand-edited, keep this comment.
         <pipelined monitorServerPort="1"/> here is only a comment -->
    <serverconf>
    \t<web>
    \t    <redirection IMSOrgId="ABC123@AdobeOrg" />
    \t</web>
      <mta>
         <relay address='smtp.example.com' port='587' security="starttls"/>
      </mta>
        <wfserver autoStart="true" />
          <pipelined processingJSThreads='8'   autoStart="true"
              monitorServerPort = "7790"
          />
      <!-- end of modules -->
    </serverconf>

    """

    func home(config: String? = nil) async throws -> CLIHome {
        let home = CLIHome()
        try await home.initInstance("test")
        if let config { try await write(home, config) }
        return home
    }

    func write(_ home: CLIHome, _ text: String) async throws {
        let url = home.file("conf/config-test.xml")
        try Data(text.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
    }

    func config(_ home: CLIHome) async throws -> String { try home.read("conf/config-test.xml") }

    func replacing(_ text: String, _ from: String, _ to: String) -> String {
        precondition(text.components(separatedBy: from).count == 2, "test bug: \(from) must occur once")
        return text.replacingOccurrences(of: from, with: to)
    }

    @Test func setChangesOnlyThatAttributeAndKeepsABackup() async throws {
        let home = try await home(config: Self.handEdited)
        let result = try await home.run("config", "set", "pipelined.monitorServerPort", "7791")
        #expect(result.status == 0, "\(result)")
        await #expect(try config(home) == replacing(Self.handEdited, #""7790""#, #""7791""#))
        #expect(try home.read("conf/config-test.xml.bak") == Self.handEdited)
        let mode = try FileManager.default.attributesOfItem(atPath: home.file("conf/config-test.xml").path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(result.stderr.contains("set pipelined.monitorServerPort = 7791"))

        let added = try await home.run("config", "set", "pipelined.authType", "imsOAuth")
        #expect(added.status == 0, "\(added)")
        let expected = replacing(Self.handEdited, "monitorServerPort = \"7790\"",
                                 "monitorServerPort = \"7791\"\n          authType=\"imsOAuth\"")
        await #expect(try config(home) == expected)

        let removed = try await home.run("config", "unset", "pipelined.processingJSThreads")
        #expect(removed.status == 0, "\(removed)")
        await #expect(try config(home) == replacing(expected, " processingJSThreads='8'", ""))
        #expect(try home.read("conf/config-test.xml.bak") == expected)

        let quoted = try await home.run("config", "set", "pipelined.args", "--", "-x \"a&b\"")
        #expect(quoted.status == 0, "\(quoted)")
        await #expect(try config(home).contains("authType=\"imsOAuth\"\n          args=\"-x &quot;a&amp;b&quot;\""))
        let back = try await home.run("config", "get", "pipelined.args")
        #expect(back.stdout == "-x \"a&b\"\n")
    }

    @Test func concurrentSetsLoseNothing() async throws {
        let home = try await home()
        let changes = [("pipelined.autoStart", "true"), ("pipelined.monitorServerPort", "7782"),
                       ("pipelined.retryPeriodSec", "31"), ("pipelined.runLevel", "11"),
                       ("pipelined.processingThreads", "5"), ("pipelined.initScript", "boot")]
        let results = try await withThrowingTaskGroup(of: ProcessResult.self) { group in
            for (key, value) in changes {
                group.addTask { try await home.run("config", "set", key, value) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0.status == 0 }, "\(results)")
        let json = try await home.run("config", "show", "--json").json()
        let settings = try #require(json["settings"] as? [[String: Any]])
        let written = Dictionary(uniqueKeysWithValues: settings.map { ($0["key"] as? String ?? "", $0["value"] as? String ?? "") })
        #expect(written == Dictionary(uniqueKeysWithValues: changes))
    }

    @Test func setAddsPipelinedWhenMissing() async throws {
        let home = try await home(config: "<?xml version='1.0'?>\n<serverconf>\n    <web/>\n</serverconf>\n")
        let result = try await home.run("config", "set", "pipelined.autoStart", "true")
        #expect(result.status == 0, "\(result)")
        await #expect(try config(home) == "<?xml version='1.0'?>\n<serverconf>\n    <web/>\n    <pipelined autoStart=\"true\"/>\n</serverconf>\n")
    }

    @Test(arguments: [
        ("", "config-test.xml:1:1: the file is empty"),
        ("<serverconf>\n  <pipelined autoStart=\"true\">\n</serverconf>\n", "config-test.xml:3:1: end tag </serverconf> does not match <pipelined>"),
        ("<serverconf>\n  <pipelined autoStart=\"true\" autoStart=\"false\"/>\n</serverconf>\n", "config-test.xml:2:31: duplicate attribute 'autoStart'"),
        ("<?xml version='1.0'?>\n<!DOCTYPE serverconf [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<serverconf><pipelined args=\"&xxe;\"/></serverconf>\n",
         "config-test.xml:2:1: DOCTYPE declarations are not allowed"),
        ("<serverconf><pipelined/></serverconf>\n<extra/>\n", "config-test.xml:2:1: junk after the root element"),
    ])
    func malformedFilesAreRefusedAndUntouched(text: String, message: String) async throws {
        let home = try await home(config: text)
        for arguments in [["config", "set", "pipelined.autoStart", "false"], ["config", "unset", "pipelined.autoStart"],
                          ["config", "show"], ["config", "get", "pipelined.autoStart"], ["config", "validate"]] {
            let result = try await home.run(arguments)
            #expect(result.status == 65, "\(arguments) \(result)")
            #expect(result.stderr.contains(message), "\(arguments) \(result.stderr)")
            #expect(result.stderr.contains("hint: "))
        }
        await #expect(try config(home) == text)
        #expect(!FileManager.default.fileExists(atPath: home.file("conf/config-test.xml.bak").path))
    }

    @Test func unknownAttributesAndKeysAreUsageErrors() async throws {
        let home = try await home()
        let original = try await config(home)
        let unknown = try await home.run("config", "set", "pipelined.monitorPort", "1")
        #expect(unknown.status == 64, "\(unknown)")
        #expect(unknown.stderr.contains("error: unknown attribute 'pipelined.monitorPort'"))
        #expect(unknown.stderr.contains("did you mean pipelined.monitorServerPort?"))
        let get = try await home.run("config", "get", "pipelined.autostart")
        #expect(get.status == 64 && get.stderr.contains("did you mean pipelined.autoStart?"), "\(get)")
        for key in ["ims.authIMSEndpoint", "monitorServerPort", "pipelined.", "web.redirection.IMSOrgId"] {
            let result = try await home.run("config", "get", key)
            #expect(result.status == 64, "\(key) \(result)")
            #expect(result.stderr.contains("error: unsupported key '\(key)': keys are pipelined.ATTRIBUTE"), "\(result.stderr)")
        }
        await #expect(try config(home) == original)
    }

    @Test func valuesAreCheckedAgainstTheirKindBeforeWriting() async throws {
        let home = try await home()
        let original = try await config(home)
        let bad: [(String, String, String)] = [
            ("pipelined.autoStart", "yes", "expects a Boolean"),
            ("pipelined.pointerFlushPeriodSec", "-1", "expects a whole number of 0 or more"),
            ("pipelined.retryValiditySec", "5m", "expects a whole number of 0 or more"),
            ("pipelined.monitorServerPort", "65536", "expects a TCP port"),
            ("pipelined.discoverPipelineEndpoint", "http://example.com", "must use https"),
            ("pipelined.forcedPipelineEndpoint", "ftp://example.com", "expects an http(s) URL"),
            ("pipelined.forcedPipelineEndpoint", "not a url", "expects an absolute URL"),
            ("pipelined.processRestartTime", "25:00:00", "expects a time of day as HH:MM:SS"),
            ("pipelined.processRestartTime", "6:00", "expects a time of day as HH:MM:SS"),
            ("pipelined.authType", "jwt", "expects one of imsJwtToken, imsOAuth"),
        ]
        for (key, value, message) in bad {
            let result = try await home.run("config", "set", key, "--", value)
            #expect(result.status == 65, "\(key)=\(value) \(result)")
            #expect(result.stderr.contains("error: invalid value for \(key): \(message)"), "\(result.stderr)")
            await #expect(try config(home) == original)
        }
        #expect(!FileManager.default.fileExists(atPath: home.file("conf/config-test.xml.bak").path))
        let good: [(String, String)] = [
            ("pipelined.autoStart", "true"), ("pipelined.pointerFlushPeriodSec", "0"),
            ("pipelined.processRestartTime", "04:30:00"), ("pipelined.forcedPipelineEndpoint", "http://127.0.0.1:8080"),
            ("pipelined.discoverPipelineEndpoint", "https://pipeline.example.com/v1"), ("pipelined.authType", "imsJwtToken"),
        ]
        for (key, value) in good {
            let result = try await home.run("config", "set", key, value)
            #expect(result.status == 0, "\(key)=\(value) \(result)")
            let got = try await home.run("config", "get", key)
            #expect(got.stdout == value + "\n")
        }
        #expect(try await home.run("config", "validate").status == 0)
    }

    @Test func jsonShapes() async throws {
        let home = try await home()
        let set = try await home.run("config", "set", "pipelined.monitorServerPort", "7782", "--json").json()
        #expect(set["key"] as? String == "pipelined.monitorServerPort")
        #expect(set["changed"] as? Bool == true)
        #expect((set["backup"] as? String)?.hasSuffix("conf/config-test.xml.bak") == true)
        #expect((set["setting"] as? [String: Any])?["value"] as? String == "7782")

        let get = try await home.run("config", "get", "pipelined.monitorServerPort", "--json").json()
        #expect(get["key"] as? String == "pipelined.monitorServerPort")
        #expect(get["name"] as? String == "monitorServerPort")
        #expect(get["kind"] as? String == "Long")
        #expect(get["value"] as? String == "7782")
        #expect(get["source"] as? String == "instance")
        #expect(get["defaultValue"] as? String == "7781")
        #expect((get["file"] as? String)?.hasSuffix("conf/config-test.xml") == true)

        let show = try await home.run("config", "show", "--json").json()
        #expect(show["instance"] as? String == "test")
        #expect(show["effective"] as? Bool == false)
        let settings = try #require(show["settings"] as? [[String: Any]])
        #expect(settings.map { $0["key"] as? String } == ["pipelined.monitorServerPort"])

        let unset = try await home.run("config", "unset", "pipelined.monitorServerPort", "--json").json()
        #expect(unset["previousValue"] as? String == "7782")
        #expect((unset["setting"] as? [String: Any])?["source"] as? String == "serverConf")

        let validate = try await home.run("config", "validate", "--json")
        #expect(validate.status == 0)
        let report = try validate.json()
        #expect(report["valid"] as? Bool == true)
        #expect((report["problems"] as? [Any])?.isEmpty == true)
    }

    @Test func showEffectiveGivesEachSource() async throws {
        let home = try await home(config: "<serverconf>\n  <pipelined monitorServerPort=\"7782\"/>\n</serverconf>\n")
        try Data("<serverconf><pipelined retryPeriodSec=\"60\" monitorServerPort=\"7000\"/></serverconf>".utf8)
            .write(to: home.file("conf/serverConf.xml"))
        let json = try await home.run("config", "show", "--effective", "--json").json()
        let settings = try #require(json["settings"] as? [[String: Any]])
        func row(_ name: String) -> [String: Any]? { settings.first { $0["name"] as? String == name } }
        #expect(row("monitorServerPort")?["source"] as? String == "instance")
        #expect(row("monitorServerPort")?["value"] as? String == "7782")
        #expect(row("retryPeriodSec")?["source"] as? String == "serverConf")
        #expect(row("retryPeriodSec")?["value"] as? String == "60")
        #expect(row("autoStart")?["source"] as? String == "default")
        #expect(row("autoStart")?["value"] as? String == "false")
        #expect(row("appName")?["source"] as? String == "unset")
        #expect(row("appName")?["value"] == nil)
        #expect(settings.count == 24)  // Adobe's 22 attributes, purgeAfterDays and monitorServerAddress

        let table = try await home.run("config", "show", "--effective")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("ATTRIBUTE") == true && lines.first?.hasSuffix("SOURCE") == true)
        #expect(lines.contains { $0.hasPrefix("pipelined.monitorServerPort") && $0.contains("7782") && $0.hasSuffix("instance") })
        #expect(lines.contains { $0.hasPrefix("pipelined.appName") && $0.hasSuffix("unset") })
    }

    @Test func validateListsEveryProblemWithExit78() async throws {
        let home = try await home(config: """
        <serverconf>
          <pipelined monitorPort="1" autoStart="yes"
             processRestartTime="6:00" discoverPipelineEndpoint="http://example.com"/>
        </serverconf>

        """)
        let result = try await home.run("config", "validate")
        #expect(result.status == 78, "\(result)")
        #expect(result.stdout.contains("config-test.xml:2:14: unknown attribute 'pipelined.monitorPort' (did you mean pipelined.monitorServerPort?"))
        #expect(result.stdout.contains("config-test.xml:2:30: pipelined.autoStart expects a Boolean"))
        #expect(result.stdout.contains("config-test.xml:3:6: pipelined.processRestartTime expects a time"))
        #expect(result.stdout.contains("config-test.xml:3:32: pipelined.discoverPipelineEndpoint must use https"))
        #expect(result.stderr.contains("error: 4 problems in the configuration of instance test"))

        let json = try await home.run("config", "validate", "--json")
        #expect(json.status == 78)
        let problems = try #require(try json.json()["problems"] as? [[String: Any]])
        #expect(problems.count == 4)
        #expect(problems[0]["key"] as? String == "pipelined.monitorPort")
        #expect(problems[0]["line"] as? Int == 2)
        #expect(problems[0]["column"] as? Int == 14)

        let reload = try await home.run("config", "reload")
        #expect(reload.status == 78, "\(reload)")
    }

    @Test func reloadWithoutADaemonIsUnavailable() async throws {
        let home = try await home()
        let result = try await home.run("config", "reload")
        #expect(result.status == 69, "\(result)")
        #expect(result.stderr.contains("error: no pipelined is running for instance test"))
    }

    @Test func reloadSignalsTheRunningDaemon() async throws {
        let home = try await home()
        let holder = try LockHolderProcess(lockFile: home.file("var/test/pipelined.lock"))
        let pid = try await holder.waitUntilReady()
        let result = try await home.run("config", "reload", "--json")
        #expect(result.status == 0, "\(result)")
        let json = try result.json()
        #expect(json["pid"] as? Int == Int(pid))
        #expect(json["signal"] as? String == "SIGHUP")
        #expect(try await eventually { holder.hangups == 1 })
        try await holder.stop()
        let after = try await home.run("config", "reload")
        #expect(after.status == 69, "\(after)")
    }
}
