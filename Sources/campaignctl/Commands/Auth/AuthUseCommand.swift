import ArgumentParser
import CampaignCore
import Foundation
import Pipeline

struct CredentialBindingReport: Report {
    var binding: CredentialBinding.Result
    func renderText() -> String {
        Terminal.fields([
            ("credential", binding.credential),
            ("type", binding.type.rawValue),
            ("authType", binding.authType),
            ("config file", binding.configFile),
            ("written", binding.attributes.joined(separator: ", ")),
            ("previous file", binding.backup ?? "(none)"),
        ])
    }
}

extension AuthCommand {
    struct Use: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bind a credential to the instance (writes the <ims> node of config-NAME.xml).",
            discussion: """
            Does what Adobe's `nlserver config -setimsoauth:…` and `-setimsjwtauth:…` do: \
            writes <ims authIMSEndpoint authIMSTAClientId authIMSTAClientSecret authIMSTAId \
            authIMSTAPrivateKey/> (secrets sealed with the instance key, in Adobe's '@…' form), \
            <web><redirection IMSOrgId=…/></web>, and <pipelined authType=…/> (imsJwtToken for \
            a JWT service account, imsOAuth for OAuth). Only those attributes change; the \
            previous file is kept as config-NAME.xml.bak. A running pipelined picks the \
            change up with `campaignctl config reload`.

            EXAMPLES:
              campaignctl auth use adobe
              campaignctl auth use adobe-jwt --json
            """
        )

        @Argument(help: "The credential name.")
        var name: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (layout, store) = try instanceOptions.openStore()
            let binding = try CredentialBinding.bind(credentialNamed: name, layout: layout, store: store)
            if !output.json { Terminal.note("credential '\(name)' is now the instance's IMS credential") }
            try output.emit(CredentialBindingReport(binding: binding))
        }
    }
}
