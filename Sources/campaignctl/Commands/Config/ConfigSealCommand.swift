import ArgumentParser
import CampaignCore
import Foundation

struct SealedValueReport: Report {
    var sealed: String
    func renderText() -> String { sealed }
}

extension ConfigCommand {
    struct Seal: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seal a secret with the instance key, in Adobe's '@…' form, for the XML config.",
            discussion: """
            Secrets kept in config-NAME.xml (the mail relay's password, for instance) are \
            stored sealed with the instance key (AES-GCM), never in clear. This reads the \
            secret from a file or standard input and prints its sealed form; paste it into \
            the attribute. Only this instance (its var/NAME/instance.key) can open it.

            EXAMPLES:
              campaignctl config seal --secret-file - <<< "$RELAY_PASSWORD"
              # then, in conf/config-prod.xml:
              #   <mta><relay address="smtp.example.com" port="587" security="starttls"
              #               user="campaign" password="@…"/></mta>
            """
        )

        @Option(help: ArgumentHelp("The file holding the secret, or '-' for standard input.", valueName: "file"), completion: .file())
        var secretFile: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let secret = try SecretFile.read(secretFile, what: "secret").text.trimmingCharacters(in: .newlines)
            guard !secret.isEmpty else { throw CampaignError.badInput("the secret is empty") }
            let (_, store) = try instanceOptions.openStore()
            try output.emit(SealedValueReport(sealed: try store.key.sealForConfig(secret)))
        }
    }
}
