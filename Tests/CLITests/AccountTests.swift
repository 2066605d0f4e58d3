import Foundation
import Pipeline
import Testing
import TestSupport

@Suite struct AccountCommandTests {
    let secret = "s3cret"

    func smsc() async throws -> SMSCSimulator {
        let simulator = SMSCSimulator(systemId: "acme", password: secret)
        try simulator.start()
        return simulator
    }

    func expectNoSecret(_ result: ProcessResult) {
        #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret), "secret printed: \(result)")
    }

    @Test func addListShowRemoveNeverPrintTheSecret() async throws {
        let home = CLIHome()
        try await home.initInstance()
        let smsc = try await smsc()
        defer { smsc.stop() }
        let passwordFile = try home.directory.write("pw.txt", secret + "\n")

        let add = try await home.run(["account", "add", "sms", "smsc", "--smpp", "127.0.0.1:\(smsc.port)", "--system-id", "acme",
                                "--password-file", passwordFile, "--system-type", "cmt", "--source-address", "ACME", "--json"])
        #expect(add.status == 0, "\(add)")
        expectNoSecret(add)
        let added = try add.json()
        #expect(added["name"] as? String == "smsc")
        #expect(added["channel"] as? String == "sms")
        #expect(added["type"] as? String == "smpp")
        #expect(added["password"] as? String == "••••")
        let settings = try #require(added["settings"] as? [String: String])
        #expect(settings == ["host": "127.0.0.1", "port": "\(smsc.port)", "systemId": "acme", "systemType": "cmt",
                             "sourceAddress": "ACME", "registeredDelivery": "0"])

        // The store holds the password sealed, never in clear.
        for file in ["var/test/campaign.sqlite", "var/test/campaign.sqlite-wal"] {
            if let data = FileManager.default.contents(atPath: home.file(file).path) {
                #expect(data.range(of: Data(secret.utf8)) == nil, "\(file) holds the password in clear")
            }
        }

        let list = try await home.run("account", "list", "--json")
        #expect(list.status == 0, "\(list)")
        expectNoSecret(list)
        let accounts = try #require(try list.json()["accounts"] as? [[String: Any]])
        #expect(accounts.map { $0["name"] as? String } == ["smsc"])
        let table = try await home.run("account", "list")
        #expect(table.stdout.hasPrefix("NAME"))
        #expect(table.stdout.contains("127.0.0.1:\(smsc.port)"))

        let show = try await home.run("account", "show", "smsc")
        #expect(show.status == 0, "\(show)")
        expectNoSecret(show)
        #expect(show.stdout.contains("password"))
        #expect(show.stdout.contains("••••"))
        #expect(show.stdout.contains("systemId"))

        let again = try await home.run(["account", "add", "sms", "smsc", "--smpp", "127.0.0.1:1", "--system-id", "acme", "--password-file", passwordFile])
        #expect(again.status == 77, "\(again)")
        #expect(again.stderr.contains("already exists"))
        let replaced = try await home.run(["account", "add", "sms", "smsc", "--smpp", "127.0.0.1:\(smsc.port)", "--system-id", "acme",
                                     "--password-file", "-", "--replace"], stdin: "0ther\n")
        #expect(replaced.status == 0, "\(replaced)")
        #expect(!replaced.stdout.contains("0ther") && !replaced.stderr.contains("0ther"))

        let remove = try await home.run("account", "remove", "smsc")
        #expect(remove.status == 0, "\(remove)")
        let gone = try await home.run("account", "show", "smsc")
        #expect(gone.status == 66, "\(gone)")
        #expect(gone.stderr.contains("error: no account named 'smsc'"))
        let removeAgain = try await home.run("account", "remove", "smsc")
        #expect(removeAgain.status == 66)
    }

    @Test func testBindsAndUnbindsOrExplainsTheRefusal() async throws {
        let home = CLIHome()
        try await home.initInstance()
        let smsc = try await smsc()
        defer { smsc.stop() }
        let good = try home.directory.write("good.txt", secret)
        let bad = try home.directory.write("bad.txt", "wrong")
        for (name, file) in [("good", good), ("bad", bad)] {
            let add = try await home.run(["account", "add", "sms", name, "--smpp", "127.0.0.1:\(smsc.port)", "--system-id", "acme", "--password-file", file])
            #expect(add.status == 0, "\(add)")
        }

        let test = try await home.run("account", "test", "good", "--json")
        #expect(test.status == 0, "\(test)")
        expectNoSecret(test)
        let check = try test.json()
        #expect(check["bound"] as? Bool == true)
        #expect(check["smscSystemId"] as? String == "smsc-simulator")
        #expect(check["endpoint"] as? String == "127.0.0.1:\(smsc.port)")
        let commands = smsc.records.map(\.command)
        #expect(commands == ["bind_transmitter", "unbind"])
        #expect(try await home.run("account", "test", "good").stdout.contains("then unbound"))

        let refused = try await home.run("account", "test", "bad")
        #expect(refused.status == 69, "\(refused)")
        #expect(refused.stderr.contains("error: account 'bad': the SMSC refused the bind: invalid password ESME_RINVPASWD (0x0E)"))
        #expect(refused.stderr.contains("hint: check the system id and password"))
        #expect(!refused.stderr.contains("wrong"))

        let port = smsc.port
        smsc.stop()
        let down = try await home.run("account", "test", "good", "--timeout", "2")
        #expect(down.status == 69, "\(down)")
        #expect(down.stderr.contains("cannot connect to 127.0.0.1:\(port)"))
    }

    @Test func badInputIsRefusedAndNothingIsStored() async throws {
        let home = CLIHome()
        try await home.initInstance()
        let passwordFile = try home.directory.write("pw.txt", secret)
        func add(_ extra: [String], stdin: String? = nil) async throws -> ProcessResult {
            try await home.run(["account", "add", "sms", "smsc", "--system-id", "acme"] + extra, stdin: stdin)
        }

        let noPort = try await add(["--smpp", "smsc.example.com", "--password-file", passwordFile])
        #expect(noPort.status == 64, "\(noPort)")
        #expect(noPort.stderr.contains("invalid --smpp 'smsc.example.com': the port is missing"))
        #expect(noPort.stderr.contains("hint: give the SMSC as host:port"))
        let badPort = try await add(["--smpp", "smsc.example.com:99999", "--password-file", passwordFile])
        #expect(badPort.status == 64, "\(badPort)")
        let longPassword = try await add(["--smpp", "h:2775", "--password-file", "-"], stdin: "much-too-long-password")
        #expect(longPassword.status == 65, "\(longPassword)")
        #expect(longPassword.stderr.contains("the password must be at most 8 ASCII characters"))
        #expect(!longPassword.stderr.contains("much-too-long-password"))
        let empty = try await add(["--smpp", "h:2775", "--password-file", "-"], stdin: "")
        #expect(empty.status == 65, "\(empty)")
        #expect(empty.stderr.contains("--password-file standard input: the secret is empty"))
        let missing = try await add(["--smpp", "h:2775", "--password-file", "nope.txt"])
        #expect(missing.status == 66, "\(missing)")
        #expect(missing.stderr.contains("--password-file nope.txt: no such file"))
        let badSource = try await add(["--smpp", "h:2775", "--password-file", passwordFile, "--source-address", "A very long sender"])
        #expect(badSource.status == 65, "\(badSource)")
        let badName = try await home.run(["account", "add", "sms", "../x", "--smpp", "h:2775", "--system-id", "a", "--password-file", passwordFile])
        #expect(badName.status == 64, "\(badName)")
        let noSecretFlag = try await add(["--smpp", "h:2775", "--password", secret])
        #expect(noSecretFlag.status == 64)

        let list = try await home.run("account", "list", "--json")
        #expect(try #require(try list.json()["accounts"] as? [Any]).isEmpty)
    }
}
