import Foundation

/// Where an instance lives on disk, after Adobe's layout:
///
///     HOME/conf/serverConf.xml        defaults for every instance
///     HOME/conf/config-NAME.xml       the instance's overrides
///     HOME/var/NAME/campaign.sqlite   the store
///     HOME/var/NAME/instance.key      the 256-bit instance key (0600)
public struct InstanceLayout: Sendable, Equatable {
    public let home: URL
    public let name: String

    public init(home: URL, name: String) {
        self.home = home
        self.name = name
    }

    public var confDirectory: URL { home.appendingPathComponent("conf", isDirectory: true) }
    public var serverConfFile: URL { confDirectory.appendingPathComponent("serverConf.xml") }
    public var configFile: URL { confDirectory.appendingPathComponent("config-\(name).xml") }
    public var varDirectory: URL {
        home.appendingPathComponent("var", isDirectory: true).appendingPathComponent(name, isDirectory: true)
    }
    public var storeFile: URL { varDirectory.appendingPathComponent("campaign.sqlite") }
    public var keyFile: URL { varDirectory.appendingPathComponent("instance.key") }
    public var daemonLockFile: URL { varDirectory.appendingPathComponent("pipelined.lock") }
    public var daemonStatusFile: URL { varDirectory.appendingPathComponent("pipelined.json") }
    public var daemonLogFile: URL { varDirectory.appendingPathComponent("pipelined.log") }
    public var outboxDirectory: URL { varDirectory.appendingPathComponent("outbox", isDirectory: true) }

    /// Instance names become file names and XML attribute values.
    public static func validateName(_ name: String) throws {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
        guard !name.isEmpty, name.count <= 64,
              name.unicodeScalars.allSatisfy(allowed.contains),
              name.first != "-"
        else {
            throw CampaignError(.usage, "invalid instance name '\(name)': use 1 to 64 letters, digits, '_' or '-', not starting with '-'")
        }
    }
}

/// Finds the campaignctl home and the instance a command works on.
public enum InstanceLocator {
    /// `--home`, else `$CAMPAIGNCTL_HOME`, else `$XDG_DATA_HOME/campaignctl`,
    /// else `~/.local/share/campaignctl`.
    public static func home(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit, !explicit.isEmpty { return URL(fileURLWithPath: explicit, isDirectory: true).standardizedFileURL }
        if let env = environment["CAMPAIGNCTL_HOME"], !env.isEmpty { return URL(fileURLWithPath: env, isDirectory: true).standardizedFileURL }
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("campaignctl", isDirectory: true)
        }
        let userHome = environment["HOME"].map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return userHome.appendingPathComponent(".local/share/campaignctl", isDirectory: true)
    }

    /// The names of the instances under `home`, from their `config-NAME.xml` files.
    public static func instanceNames(home: URL) -> [String] {
        let conf = home.appendingPathComponent("conf", isDirectory: true)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: conf.path)) ?? []
        return files.compactMap { file -> String? in
            guard file.hasPrefix("config-"), file.hasSuffix(".xml") else { return nil }
            let name = String(file.dropFirst("config-".count).dropLast(".xml".count))
            return (try? InstanceLayout.validateName(name)) == nil ? nil : name
        }.sorted()
    }

    /// `--instance`, else `$CAMPAIGNCTL_INSTANCE`, else the only instance there is.
    public static func resolve(home: URL, explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> InstanceLayout {
        let chosen = (explicit?.isEmpty == false ? explicit : nil)
            ?? (environment["CAMPAIGNCTL_INSTANCE"]?.isEmpty == false ? environment["CAMPAIGNCTL_INSTANCE"] : nil)
        let names = instanceNames(home: home)
        if let chosen {
            try InstanceLayout.validateName(chosen)
            let layout = InstanceLayout(home: home, name: chosen)
            guard FileManager.default.fileExists(atPath: layout.configFile.path),
                  FileManager.default.fileExists(atPath: layout.storeFile.path)
            else {
                throw CampaignError.notFound(
                    "no instance '\(chosen)' in \(home.path)",
                    hint: names.isEmpty
                        ? "create it with: campaignctl instance init \(chosen)"
                        : "known instances: \(names.joined(separator: ", ")); or create it with: campaignctl instance init \(chosen)")
            }
            return layout
        }
        switch names.count {
        case 0:
            throw CampaignError.notFound(
                "no instance in \(home.path)",
                hint: "create one with: campaignctl instance init NAME")
        case 1:
            return InstanceLayout(home: home, name: names[0])
        default:
            throw CampaignError(.usage,
                "several instances in \(home.path) (\(names.joined(separator: ", "))): say which one",
                hint: "pass --instance NAME or set CAMPAIGNCTL_INSTANCE")
        }
    }
}
