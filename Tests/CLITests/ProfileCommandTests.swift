import Foundation
import Testing
import TestSupport

@Suite struct ProfileCommandTests {
    func profileTotal(_ home: CLIHome) async throws -> Int {
        let list = try await home.run("profile", "list", "--json")
        #expect(list.status == 0, "\(list)")
        return try #require(try list.json()["total"] as? Int)
    }

    func profiles(_ home: CLIHome) async throws -> [[String: Any]] {
        try #require(try await home.run("profile", "list", "--json").json()["profiles"] as? [[String: Any]])
    }

    @Test func importsCSVAndJSONLinesAndUpsertsByKey() async throws {
        let home = CLIHome()
        try await home.initInstance()
        let csv = try home.directory.write("people.csv", #"""
            \#u{FEFF}Email,firstName,LastName,phone,customerId,tier\#r
            ada@example.com,Ada,Lovelace,+44 20 7946 0958,C1,gold\#r
            "bob@example.com","Bob ""the builder""","Smith, Jr.",,C2,\#r
            cy@example.com,Cy,Doe,,C3,"silver
            since 2020"\#r

            """#)
        let first = try await home.run("profile", "import", csv, "--json")
        #expect(first.status == 0, "\(first)")
        let summary = try first.json()
        #expect(summary["records"] as? Int == 3)
        #expect(summary["inserted"] as? Int == 3)
        #expect(summary["updated"] as? Int == 0)
        #expect(summary["rejected"] as? Int == 0)
        #expect(summary["format"] as? String == "csv")
        #expect(summary["key"] as? String == "email")

        let show = try await home.run("profile", "show", "BOB@example.com", "--json")
        #expect(show.status == 0, "\(show)")
        let bob = try #require(try show.json()["profile"] as? [String: Any])
        #expect(bob["firstName"] as? String == "Bob \"the builder\"")
        #expect(bob["lastName"] as? String == "Smith, Jr.")
        #expect(bob["customerId"] as? String == "C2")
        #expect(bob["id"] as? Int != nil)
        let cy = try #require(try await home.run("profile", "show", "cy@example.com", "--json").json()["profile"] as? [String: Any])
        #expect((cy["attributes"] as? [String: Any])?["tier"] as? String == "silver\nsince 2020")
        #expect(bob["createdAt"] as? String != nil)

        // JSON lines keyed by customerId: C1 is updated, C9 created.
        let jsonl = try home.directory.write("crm.jsonl", """
            {"customerId":"C1","firstName":"Augusta","tier":"platinum","score":12}

            {"customerId":"C9","email":"dee@example.com","mcId":"MC-9"}
            """)
        let second = try await home.run("profile", "import", jsonl, "--key", "customerId", "--json")
        #expect(second.status == 0, "\(second)")
        #expect(try second.json()["updated"] as? Int == 1)
        #expect(try second.json()["inserted"] as? Int == 1)
        await #expect(try profileTotal(home) == 4)

        let ada = try #require(try await home.run("profile", "show", "C1", "--json").json()["profile"] as? [String: Any])
        #expect(ada["firstName"] as? String == "Augusta")
        #expect(ada["lastName"] as? String == "Lovelace")
        #expect(ada["phone"] as? String == "+442079460958")
        let attributes = try #require(ada["attributes"] as? [String: Any])
        #expect(attributes["tier"] as? String == "platinum")
        #expect(attributes["score"] as? Int == 12)

        // Re-importing the same CSV updates instead of duplicating.
        let again = try await home.run("profile", "import", csv, "--json")
        #expect(try again.json()["updated"] as? Int == 3)
        await #expect(try profileTotal(home) == 4)

        let text = try await home.run("profile", "list")
        #expect(text.stdout.hasPrefix("ID"))
        #expect(text.stdout.contains("ada@example.com"))
    }

    @Test func aBadFileIsRefusedWholeWithEveryLineNamed() async throws {
        let home = CLIHome()
        try await home.initInstance()
        let good = try home.directory.write("good.csv", "email,firstName\nkeep@example.com,Keep\n")
        #expect(try await home.run("profile", "import", good).status == 0)

        let bad = try home.directory.write("bad.csv", """
            email,firstName,phone
            ok@example.com,Ok,
            "quoted
            name@example.com",x,
            not-an-email,Bad,
            short@example.com,Short
            tel@example.com,Tel,12ab

            """)
        let result = try await home.run("profile", "import", bad)
        #expect(result.status == 65, "\(result)")
        #expect(result.stderr.contains("bad.csv:3: email:"), "\(result.stderr)")
        #expect(result.stderr.contains("bad.csv:5: email: 'not-an-email' is not a valid email address"), "\(result.stderr)")
        #expect(result.stderr.contains("bad.csv:6: 2 fields, but the header has 3 columns"), "\(result.stderr)")
        #expect(result.stderr.contains("bad.csv:7: phone:"), "\(result.stderr)")
        #expect(result.stderr.contains("error: \(bad): 4 invalid records (the first at line 3); nothing was imported"), "\(result.stderr)")
        #expect(result.stderr.contains("hint: "))
        await #expect(try profileTotal(home) == 1)
        #expect(!FileManager.default.fileExists(atPath: home.directory.file("bad.rejects.csv").path))
    }

    @Test func brokenUTF8IsReportedWithItsLine() async throws {
        let home = CLIHome()
        try await home.initInstance()
        var bytes = Data("email,lastName\r\na@example.com,Fine\r\nb@example.com,Bad".utf8)
        bytes.append(contentsOf: [0xC3, 0x28, 0xFF])
        bytes.append(Data("\r\nc@example.com,Fine\r\n".utf8))
        let path = home.directory.file("latin.csv")
        try bytes.write(to: path)
        let result = try await home.run("profile", "import", path.path)
        #expect(result.status == 65, "\(result)")
        #expect(result.stderr.contains("latin.csv:3: lastName: is not valid UTF-8"), "\(result.stderr)")
        await #expect(try profileTotal(home) == 0)

        var jsonl = Data(#"{"email":"a@example.com"}"#.utf8 + [0x0A, 0x7B, 0xFF, 0x7D, 0x0A])
        jsonl.append(Data(#"{"email":"c@example.com"}"#.utf8))
        let jsonPath = home.directory.file("feed.jsonl")
        try jsonl.write(to: jsonPath)
        let jsonResult = try await home.run("profile", "import", jsonPath.path)
        #expect(jsonResult.status == 65, "\(jsonResult)")
        #expect(jsonResult.stderr.contains("feed.jsonl:2: is not valid UTF-8"), "\(jsonResult.stderr)")
        await #expect(try profileTotal(home) == 0)
    }

    @Test func skipInvalidImportsTheGoodRowsAndWritesTheRejects() async throws {
        let home = CLIHome()
        try await home.initInstance()
        let bad = try home.directory.write("mixed.csv", "email,firstName\na@example.com,A\nnope,B\nc@example.com,C,extra\nd@example.com,\"D\"\n")
        let result = try await home.run("profile", "import", bad, "--skip-invalid", "--json")
        #expect(result.status == 0, "\(result)")
        let summary = try result.json()
        #expect(summary["inserted"] as? Int == 2)
        #expect(summary["rejected"] as? Int == 2)
        let rejectPath = home.directory.file("mixed.rejects.csv").path
        #expect(summary["rejectFile"] as? String == rejectPath)
        #expect(try String(contentsOfFile: rejectPath, encoding: .utf8) == """
            email,firstName,_line,_reason
            nope,B,3,"email: 'nope' is not a valid email address"
            c@example.com,C,extra,4,"3 fields, but the header has 2 columns"

            """)
        await #expect(try profileTotal(home) == 2)
        #expect(result.stderr.contains("mixed.csv:3: email:"))

        let custom = home.directory.file("out/rejects.csv").path
        try FileManager.default.createDirectory(atPath: home.directory.file("out").path, withIntermediateDirectories: true)
        let explicit = try await home.run("profile", "import", bad, "--skip-invalid", "--reject-file", custom)
        #expect(explicit.status == 0, "\(explicit)")
        #expect(explicit.stdout.contains("updated"))
        #expect(FileManager.default.fileExists(atPath: custom))

        let usage = try await home.run("profile", "import", bad, "--reject-file", custom)
        #expect(usage.status == 64, "\(usage)")
    }

    @Test func showAndDelete() async throws {
        let home = CLIHome()
        try await home.initInstance()
        let csv = try home.directory.write("p.csv", "customerId,email\nC1,one@example.com\nC2,two@example.com\n")
        #expect(try await home.run("profile", "import", csv, "--key", "customerId").status == 0)
        let ids = try await profiles(home).compactMap { $0["id"] as? Int }
        #expect(ids.count == 2)

        let missing = try await home.run("profile", "show", "ghost@example.com")
        #expect(missing.status == 66, "\(missing)")
        #expect(missing.stderr.contains("error: no profile matches 'ghost@example.com'"))

        let text = try await home.run("profile", "show", String(ids[0]))
        #expect(text.stdout.contains("one@example.com"), "\(text)")

        let deleted = try await home.run("profile", "delete", "--email", "TWO@example.com", "--json")
        #expect(deleted.status == 0, "\(deleted)")
        #expect((try deleted.json()["profile"] as? [String: Any])?["customerId"] as? String == "C2")
        #expect(try await home.run("profile", "delete", String(ids[0])).status == 0)
        #expect(try await home.run("profile", "delete", String(ids[0])).status == 66)
        await #expect(try profileTotal(home) == 0)
        #expect(try await home.run("profile", "delete").status == 64)
    }

    @Test func unknownFormatAndMissingFile() async throws {
        let home = CLIHome()
        try await home.initInstance()
        let txt = try home.directory.write("people.txt", "email\na@example.com\n")
        let format = try await home.run("profile", "import", txt)
        #expect(format.status == 64, "\(format)")
        #expect(format.stderr.contains("--format"))
        #expect(try await home.run("profile", "import", txt, "--format", "csv").status == 0)
        #expect(try await home.run("profile", "import", home.directory.file("nope.csv").path).status == 66)
        let noKey = try home.directory.write("nokey.csv", "firstName\nA\n")
        let noKeyResult = try await home.run("profile", "import", noKey)
        #expect(noKeyResult.status == 65)
        #expect(noKeyResult.stderr.contains("nokey.csv:1: the header has no 'email' column"), "\(noKeyResult.stderr)")
    }
}

@Suite struct DenylistCommandTests {
    @Test func addRemoveListWithNormalisation() async throws {
        let home = CLIHome()
        try await home.initInstance()
        let add = try await home.run("denylist", "add", "Ada@Example.COM", "--reason", "complaint", "--json")
        #expect(add.status == 0, "\(add)")
        let added = try add.json()
        #expect(added["changed"] as? Bool == true)
        #expect((added["entry"] as? [String: Any])?["address"] as? String == "ada@example.com")
        #expect((added["entry"] as? [String: Any])?["channel"] as? String == "email")

        #expect(try await home.run("denylist", "add", "+33 6 12-34-56-78").status == 0)
        let again = try await home.run("denylist", "add", "ada@example.com", "--json")
        #expect(try again.json()["changed"] as? Bool == false)

        let list = try await home.run("denylist", "list", "--json")
        let entries = try #require(try list.json()["entries"] as? [[String: Any]])
        #expect(entries.compactMap { $0["address"] as? String } == ["+33612345678", "ada@example.com"])
        #expect(entries.compactMap { $0["channel"] as? String } == ["sms", "email"])
        #expect(entries.last?["reason"] as? String == "complaint")
        #expect(entries.last?["addedAt"] as? String != nil)

        let bad = try await home.run("denylist", "add", "not an address")
        #expect(bad.status == 65, "\(bad)")
        #expect(bad.stderr.contains("error: 'not an address' is neither a valid email address nor a phone number"))

        #expect(try await home.run("denylist", "remove", "+33612345678").status == 0)
        let gone = try await home.run("denylist", "remove", "+33 6 12 34 56 78")
        #expect(gone.status == 66, "\(gone)")
        let text = try await home.run("denylist", "list")
        #expect(text.stdout.hasPrefix("ADDRESS"))
        #expect(text.stdout.contains("ada@example.com"))
        #expect(!text.stdout.contains("+33612345678"))
    }
}
