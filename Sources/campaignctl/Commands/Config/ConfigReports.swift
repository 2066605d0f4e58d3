import CampaignCore
import Foundation
import Pipeline

struct ConfigShowReport: Report {
    var instance: String
    var effective: Bool
    var instanceFile: String
    var serverConfFile: String?
    var settings: [EffectiveSetting]

    func renderText() -> String {
        Terminal.table(["ATTRIBUTE", "VALUE", "SOURCE"], settings.map { setting in
            [setting.key, ConfigText.value(setting.value), setting.source.rawValue]
        })
    }
}

struct ConfigValidateReport: Report {
    var instance: String
    var valid: Bool
    var problems: [ConfigProblem]

    func renderText() -> String {
        if valid { return "the configuration of instance \(instance) is valid" }
        return problems.map(\.description).joined(separator: "\n")
    }
}

struct ConfigReloadReport: Report {
    var instance: String
    var pid: Int
    var signal: String

    func renderText() -> String { "" }
}

extension EffectiveSetting: Report {
    func renderText() -> String { value ?? "" }
}

extension ConfigChange: Report {
    func renderText() -> String { "" }
}

enum ConfigText {
    static func value(_ value: String?) -> String {
        guard let value else { return "-" }
        return value.isEmpty ? "\"\"" : value
    }
}
