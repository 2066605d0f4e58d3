import ArgumentParser
import CampaignCore
import Foundation

struct AccountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account",
        abstract: "External accounts for delivery (SMPP for SMS).",
        discussion: """
        An external account tells the daemon how to reach a delivery service: an SMSC \
        over SMPP 3.4 for SMS. Settings are kept in clear in the instance store; the \
        password is sealed with the instance key and never printed (shown as ••••).

        EXAMPLES:
          campaignctl account add sms smsc --smpp smsc.example.com:2775 \\
              --system-id acme --password-file smsc-password.txt --source-address ACME
          campaignctl account list
          campaignctl account test smsc
        """,
        subcommands: [Add.self, List.self, Show.self, Remove.self, Test.self]
    )
}

/// The mask printed instead of a password.
let secretMask = "••••"

/// One account as `account list/show/add` print it.
struct AccountItem: Encodable {
    var name: String
    var channel: String
    var type: String
    var settings: [String: String]
    var password: String?
    var createdAt: Date
    var updatedAt: Date

    init(_ account: ExternalAccount) {
        name = account.name
        channel = account.channel.rawValue
        type = account.type
        settings = account.settings
        password = account.hasSecret ? secretMask : nil
        createdAt = account.createdAt
        updatedAt = account.updatedAt
    }

    var endpoint: String {
        guard let host = settings["host"], let port = settings["port"] else { return "" }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

struct AccountListReport: Report {
    var accounts: [AccountItem]

    func renderText() -> String {
        Terminal.table(["NAME", "CHANNEL", "TYPE", "ENDPOINT", "SYSTEM ID", "SOURCE"], accounts.map {
            [$0.name, $0.channel, $0.type, $0.endpoint, $0.settings["systemId"] ?? "", $0.settings["sourceAddress"] ?? ""]
        })
    }
}

struct AccountReport: Report {
    var account: AccountItem

    func encode(to encoder: Encoder) throws { try account.encode(to: encoder) }

    func renderText() -> String {
        var pairs = [("name", account.name), ("channel", account.channel), ("type", account.type)]
        if !account.endpoint.isEmpty { pairs.append(("endpoint", account.endpoint)) }
        let shown = ["host", "port"]
        for key in account.settings.keys.sorted() where !shown.contains(key) {
            pairs.append((key, account.settings[key] ?? ""))
        }
        pairs.append(("password", account.password ?? "(none)"))
        pairs.append(("created", Terminal.timestamp(account.createdAt)))
        pairs.append(("updated", Terminal.timestamp(account.updatedAt)))
        return Terminal.fields(pairs)
    }
}

/// Reads a secret from a file, or standard input for `-`. One trailing
/// newline is dropped; an empty secret is refused.
func readSecret(from path: String, flag: String) throws -> String {
    let data: Data
    if path == "-" {
        data = FileHandle.standardInput.readDataToEndOfFile()
    } else {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CampaignError.notFound("\(flag) \(path): no such file", hint: "give the path of a file holding the secret, or - for standard input")
        }
        guard let read = FileManager.default.contents(atPath: path) else {
            throw CampaignError.badInput("\(flag) \(path): cannot read the file", hint: "check its permissions")
        }
        data = read
    }
    let source = path == "-" ? "standard input" : path
    guard var text = String(data: data, encoding: .utf8) else {
        throw CampaignError.badInput("\(flag) \(source): the secret is not UTF-8 text")
    }
    if text.hasSuffix("\r\n") { text.removeLast(2) } else if text.hasSuffix("\n") { text.removeLast() }
    guard !text.isEmpty else {
        throw CampaignError.badInput("\(flag) \(source): the secret is empty", hint: "put the password on the first line of the file")
    }
    guard !text.contains("\n") else {
        throw CampaignError.badInput("\(flag) \(source): the secret spans several lines", hint: "put only the password in the file, on one line")
    }
    return text
}
