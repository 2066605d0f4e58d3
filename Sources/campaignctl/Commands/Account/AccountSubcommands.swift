import ArgumentParser
import CampaignCore
import Foundation
import Pipeline

extension AccountCommand {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an external account for a channel.",
            discussion: """
            EXAMPLES:
              campaignctl account add sms smsc --smpp smsc.example.com:2775 --system-id acme --password-file pw.txt
            """,
            subcommands: [SMS.self]
        )
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the external accounts (passwords never shown).",
            discussion: """
            EXAMPLES:
              campaignctl account list
              campaignctl account list --json
            """
        )

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            try output.emit(AccountListReport(accounts: try store.externalAccounts().map(AccountItem.init)))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one external account; the password is shown as ••••.",
            discussion: """
            EXAMPLES:
              campaignctl account show smsc
              campaignctl account show smsc --json
            """
        )

        @Argument(help: "The account name.")
        var name: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            try output.emit(AccountReport(account: AccountItem(try store.externalAccount(named: name))))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove an external account and its sealed password.",
            discussion: """
            EXAMPLES:
              campaignctl account remove smsc
            """
        )

        @Argument(help: "The account name.")
        var name: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        struct Removed: Report {
            var removed: String
            func renderText() -> String { "" }
        }

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            try store.removeExternalAccount(named: name)
            if !output.json { Terminal.note("removed account '\(name)'") }
            try output.emit(Removed(removed: name))
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bind to the account's SMSC as a transmitter, then unbind.",
            discussion: """
            Proves the host, port, system id and password without sending anything. \
            Exits 69 when the SMSC cannot be reached or refuses the bind (for example \
            ESME_RINVPASWD 0x0E, ESME_RINVSYSID 0x0F).

            EXAMPLES:
              campaignctl account test smsc
              campaignctl account test smsc --json
            """
        )

        @Argument(help: "The account name.")
        var name: String

        @Option(name: .long, help: ArgumentHelp("Seconds to wait for the connection and each answer.", valueName: "seconds"))
        var timeout: Double = 10

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        struct CheckReport: Report {
            var check: SMPPAccountCheck
            func encode(to encoder: Encoder) throws { try check.encode(to: encoder) }
            func renderText() -> String {
                "bound to \(check.endpoint) as \(check.systemId) (SMSC \(check.smscSystemId.isEmpty ? "-" : check.smscSystemId)) "
                    + "in \(check.elapsedMilliseconds) ms, then unbound"
            }
        }

        func validate() throws {
            guard timeout > 0, timeout <= 300 else { throw ValidationError("--timeout must be between 0 and 300 seconds") }
        }

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            let check = try SMSAccounts.test(named: name, in: store,
                                             options: SMPPOptions(connectTimeout: timeout, responseTimeout: timeout))
            try output.emit(CheckReport(check: check))
        }
    }
}

extension AccountCommand.Add {
    struct SMS: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sms",
            abstract: "Add an SMS account: an SMSC reached over SMPP 3.4.",
            discussion: """
            The daemon binds to the SMSC as a transmitter with the system id and \
            password, and sends each SMS as submit_sm (GSM-7 or UCS-2, long texts as \
            concatenated parts). The password is read from a file or from standard \
            input (-), sealed with the instance key, and never printed. Use \
            'campaignctl account test NAME' to check the account.

            The source address is the sender: a short code, an international number \
            (+…) or up to 11 letters and digits.

            EXAMPLES:
              campaignctl account add sms smsc --smpp smsc.example.com:2775 \\
                  --system-id acme --password-file smsc-password.txt
              printf '%s' "$SMSC_PASSWORD" | campaignctl account add sms smsc \\
                  --smpp 10.0.0.5:2775 --system-id acme --password-file - \\
                  --system-type cmt --source-address ACME --replace
            """
        )

        @Argument(help: "The account name: letters, digits, '_', '-' or '.'.")
        var name: String

        @Option(name: .long, help: ArgumentHelp("The SMSC as host:port (IPv6 as [address]:port).", valueName: "host:port"))
        var smpp: String

        @Option(name: .customLong("system-id"), help: ArgumentHelp("The SMPP system_id (at most 15 characters).", valueName: "id"))
        var systemId: String

        @Option(name: .customLong("password-file"), help: ArgumentHelp("A file holding the password (at most 8 characters), or - for standard input.", valueName: "file"),
                completion: .file())
        var passwordFile: String

        @Option(name: .customLong("system-type"), help: ArgumentHelp("The SMPP system_type, if the SMSC wants one.", valueName: "type"))
        var systemType: String = ""

        @Option(name: .customLong("source-address"), help: ArgumentHelp("The sender: a short code, +number or alphanumeric name.", valueName: "address"))
        var sourceAddress: String?

        @Flag(name: .customLong("registered-delivery"), help: "Ask the SMSC for delivery receipts (registered_delivery 1).")
        var registeredDelivery = false

        @Flag(name: .long, help: "Overwrite an existing account of the same name.")
        var replace = false

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try ExternalAccount.validateName(name)
            let (host, port) = try SMPPAccount.parseEndpoint(smpp)
            let password = try readSecret(from: passwordFile, flag: "--password-file")
            let account = SMPPAccount(host: host, port: port, systemId: systemId, password: password, systemType: systemType,
                                      sourceAddress: sourceAddress, registeredDelivery: registeredDelivery ? 1 : 0)
            try account.validate()
            let (_, store) = try instanceOptions.openStore()
            let saved = try SMSAccounts.add(account, name: name, replace: replace, to: store)
            if !output.json { Terminal.note("\(replace ? "saved" : "added") SMS account '\(name)'; check it with: campaignctl account test \(name)") }
            try output.emit(AccountReport(account: AccountItem(saved)))
        }
    }
}
