import ArgumentParser
import CampaignCore
import Foundation
import Pipeline
import Store

struct KeyRotationReport: Report {
    var rotation: KeyRotationResult

    enum CodingKeys: String, CodingKey {
        case instance, credentialSecrets, cachedTokens, accountSecrets, configValues, configValuesLeft, total, keyFingerprint
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rotation.instance, forKey: .instance)
        try container.encode(rotation.credentialSecrets, forKey: .credentialSecrets)
        try container.encode(rotation.cachedTokens, forKey: .cachedTokens)
        try container.encode(rotation.accountSecrets, forKey: .accountSecrets)
        try container.encode(rotation.configValues, forKey: .configValues)
        try container.encode(rotation.configValuesLeft, forKey: .configValuesLeft)
        try container.encode(rotation.total, forKey: .total)
        try container.encode(rotation.keyFingerprint, forKey: .keyFingerprint)
    }

    func renderText() -> String {
        Terminal.fields([
            ("instance", rotation.instance),
            ("re-encrypted", "\(rotation.total) secrets"),
            ("credential secrets", "\(rotation.credentialSecrets)"),
            ("cached tokens", "\(rotation.cachedTokens)"),
            ("account passwords", "\(rotation.accountSecrets)"),
            ("config values", "\(rotation.configValues)" + (rotation.configValuesLeft > 0 ? " (\(rotation.configValuesLeft) '@…' values not sealed by this instance left as they were)" : "")),
            ("new key fingerprint", rotation.keyFingerprint),
        ])
    }
}

extension AuthCommand {
    struct RotateKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key",
            abstract: "Re-encrypt every secret under a new random instance key.",
            discussion: """
            Creates a new 256-bit key and re-seals with it, atomically, every secret the \
            instance keeps: the credentials' client secrets and private keys, cached IMS \
            tokens, delivery accounts' passwords, and the '@…' values of config-NAME.xml \
            (and of its .bak), such as the <ims> secrets and the <mta><relay password>. The \
            old key then opens nothing. A crash part-way is finished or rolled back the next \
            time any command opens the instance. Refused (75) while pipelined runs: stop it, \
            rotate, start it again. Prints how many secrets were re-encrypted, never a secret.

            EXAMPLES:
              campaignctl auth rotate-key
              campaignctl auth rotate-key --instance prod --json
            """
        )

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let layout = try instanceOptions.layout()
            let rotation = try KeyRotation.rotate(layout: layout)
            if !output.json { Terminal.note("the instance key of '\(layout.name)' was replaced; the old key opens nothing any more") }
            try output.emit(KeyRotationReport(rotation: rotation))
        }
    }
}
