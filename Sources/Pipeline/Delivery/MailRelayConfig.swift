import CampaignCore
import Foundation

/// Where Adobe keeps the mail relay: `<mta><relay address= port= …/></mta>`,
/// in the instance config, else in serverConf.xml.
public enum MailRelayConfig {
    public static func attributes(layout: InstanceLayout) throws -> [String: String] {
        for file in [layout.configFile, layout.serverConfFile] where FileManager.default.fileExists(atPath: file.path) {
            let document = try ConfigDocument(contentsOf: file)
            if let attributes = document.attributes(at: ["serverconf", "mta", "relay"]), !attributes.isEmpty {
                return Dictionary(attributes.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
            }
        }
        return ["address": "file:"]
    }
}
