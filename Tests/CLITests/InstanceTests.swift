import Foundation
import Testing
import TestSupport

@Suite struct InstanceCommandTests {
    @Test func initCreatesLayoutWithPrivateKeyAndStore() async throws {
        let home = CLIHome()
        let result = try await home.run("instance", "init", "prod", "--json")
        #expect(result.status == 0, "\(result)")
        let json = try result.json()
        let instances = try #require(json["instances"] as? [[String: Any]])
        #expect(instances.first?["name"] as? String == "prod")

        for path in ["conf/serverConf.xml", "conf/config-prod.xml", "var/prod/campaign.sqlite", "var/prod/instance.key"] {
            #expect(FileManager.default.fileExists(atPath: home.file(path).path), "missing \(path)")
        }
        let keyAttributes = try FileManager.default.attributesOfItem(atPath: home.file("var/prod/instance.key").path)
        #expect((keyAttributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let storeAttributes = try FileManager.default.attributesOfItem(atPath: home.file("var/prod/campaign.sqlite").path)
        #expect((storeAttributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let key = try home.read("var/prod/instance.key").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Data(base64Encoded: key)?.count == 32)
        #expect(try home.read("conf/serverConf.xml").contains(#"monitorServerPort="7781""#))
    }

    @Test func initTwiceIsRefusedAndChangesNothing() async throws {
        let home = CLIHome()
        try await home.initInstance("prod")
        let keyBefore = try home.read("var/prod/instance.key")
        let again = try await home.run("instance", "init", "prod")
        #expect(again.status == 77, "\(again)")
        #expect(again.stderr.contains("error: instance 'prod' already exists"))
        #expect(try home.read("var/prod/instance.key") == keyBefore)
    }

    @Test func invalidNameIsAUsageError() async throws {
        let home = CLIHome()
        let result = try await home.run("instance", "init", "../evil")
        #expect(result.status == 64, "\(result)")
        #expect(!FileManager.default.fileExists(atPath: home.file("conf").path))
    }

    @Test func listShowsEveryInstance() async throws {
        let home = CLIHome()
        try await home.initInstance("b")
        try await home.initInstance("a")
        let result = try await home.run("instance", "list", "--json")
        let names = try #require(try result.json()["instances"] as? [[String: Any]]).compactMap { $0["name"] as? String }
        #expect(names == ["a", "b"])
        let table = try await home.run("instance", "list")
        #expect(table.stdout.hasPrefix("NAME"))
    }
}
