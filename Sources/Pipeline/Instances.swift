import CampaignCore
import Foundation
import Store

/// What `instance list` reports for each instance.
public struct InstanceSummary: Sendable, Codable, Equatable {
    public var name: String
    public var configFile: String
    public var storeFile: String
}

/// Creating and finding instances: the XML config files and the store together.
public enum Instances {
    /// Creates `conf/serverConf.xml` (if the home has none yet),
    /// `conf/config-NAME.xml`, the store and the instance key. Nothing is
    /// left behind if any step fails.
    public static func initialize(_ layout: InstanceLayout) throws -> InstanceSummary {
        try InstanceLayout.validateName(layout.name)
        let fm = FileManager.default
        if fm.fileExists(atPath: layout.configFile.path) || fm.fileExists(atPath: layout.varDirectory.path) {
            throw CampaignError(.notPermitted, "instance '\(layout.name)' already exists in \(layout.home.path)",
                                hint: "use it with --instance \(layout.name), or pick another name")
        }
        var created: [URL] = []
        do {
            if !fm.fileExists(atPath: layout.confDirectory.path) {
                try fm.createDirectory(at: layout.confDirectory, withIntermediateDirectories: true)
            }
            if !fm.fileExists(atPath: layout.serverConfFile.path) {
                try writeNew(DefaultConfigFiles.serverConf(), to: layout.serverConfFile)
                created.append(layout.serverConfFile)
            }
            try writeNew(DefaultConfigFiles.instanceConfig(name: layout.name), to: layout.configFile)
            created.append(layout.configFile)
            created.append(layout.varDirectory)
            _ = try InstanceStore.create(layout: layout)
        } catch {
            for url in created.reversed() { try? fm.removeItem(at: url) }
            if let error = error as? CampaignError { throw error }
            throw CampaignError(.cannotCreate, "cannot create instance '\(layout.name)': \(error.localizedDescription)")
        }
        return summary(layout)
    }

    public static func list(home: URL) -> [InstanceSummary] {
        InstanceLocator.instanceNames(home: home).map { summary(InstanceLayout(home: home, name: $0)) }
    }

    static func summary(_ layout: InstanceLayout) -> InstanceSummary {
        InstanceSummary(name: layout.name, configFile: layout.configFile.path, storeFile: layout.storeFile.path)
    }

    static func writeNew(_ text: String, to url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CampaignError(.cannotCreate, "cannot write \(url.path)")
        }
    }
}
