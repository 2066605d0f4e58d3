import Foundation

/// The attributes of the `<pipelined>` element (Adobe's serverConf table, plus
/// `authType` from the integration pages), with their types and defaults.
public struct PipelinedAttribute: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case string = "String"
        case boolean = "Boolean"
        case long = "Long"
        case short = "Short"
        case url = "URL"
        case time = "Time"
        case authType = "AuthType"
    }

    public let name: String
    public let kind: Kind
    /// The value written into a new serverConf.xml; nil when Adobe has none.
    public let defaultValue: String?
    public let summary: String

    public init(_ name: String, _ kind: Kind, _ defaultValue: String?, _ summary: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.summary = summary
    }
}

public enum PipelinedSettings {
    /// Every attribute, in the order of Adobe's table.
    public static let attributes: [PipelinedAttribute] = [
        .init("appName", .string, nil, "(legacy) App ID of the Analytics legacy OAuth application"),
        .init("args", .string, nil, "start-up parameters"),
        .init("authGatewayEndpoint", .url, "https://api.omniture.com", "(legacy) URL for gateway tokens"),
        .init("authPrivateKey", .string, nil, "(legacy) RSA private key, encrypted with the instance key"),
        .init("authType", .authType, nil, "imsJwtToken: credentials from the <ims> node; imsOAuth: same, OAuth only"),
        .init("autoStart", .boolean, "false", "start with the other instance processes"),
        .init("disableAuth", .boolean, "false", "(legacy) no gateway tokens; only some dev endpoints accept it"),
        .init("discoverPipelineEndpoint", .url, "https://producer-pipeline-pnw.adobe.net", "service that discovers this tenant's pipeline endpoint"),
        .init("dumpStatePeriodSec", .long, "0", "period for dumping the status to var/INSTANCE/pipelined.json (0 = off)"),
        .init("forcedPipelineEndpoint", .url, nil, "skip discovery and use this pipeline URL"),
        .init("initScript", .string, nil, "ID of a script run at process start"),
        .init("maxProcessMemoryAlertMb", .long, "1800", "RAM alert threshold in MB"),
        .init("maxProcessMemoryWarningMb", .long, "1600", "RAM warning threshold in MB"),
        .init("monitorServerAddress", .string, "127.0.0.1", "(campaignctl) IPv4 address the status server listens on; 0.0.0.0 exposes it on every interface"),
        .init("monitorServerPort", .long, "7781", "HTTP status server port (0 = off)"),
        .init("pointerFlushMessageCount", .long, "1000", "save offsets every N processed messages"),
        .init("pointerFlushPeriodSec", .long, "5", "save offsets at least this often, in seconds"),
        .init("processRestartTime", .time, "06:00:00", "time of the daily automatic restart (HH:MM:SS)"),
        .init("processingJSThreads", .long, "4", "threads that run custom connectors"),
        .init("processingThreads", .long, "4", "threads that run built-in processing"),
        .init("purgeAfterDays", .long, "3", "(campaignctl) days a finished event is kept before the daily purge"),
        .init("retryPeriodSec", .long, "30", "delay between retries after a processing error, in seconds"),
        .init("retryValiditySec", .long, "300", "give up on a message that still fails after this long, in seconds"),
        .init("runLevel", .short, "10", "start priority"),
    ]

    public static let authTypes = ["imsJwtToken", "imsOAuth"]

    public static func attribute(named name: String) -> PipelinedAttribute? {
        attributes.first { $0.name == name }
    }

    /// Looks an attribute up by name, or fails with the nearest known names.
    public static func requireAttribute(_ name: String) throws -> PipelinedAttribute {
        if let found = attribute(named: name) { return found }
        let suggestion = nearestName(to: name).map { "did you mean pipelined.\($0)?" }
        throw CampaignError(.usage, "unknown attribute 'pipelined.\(name)'",
                            hint: [suggestion, "campaignctl config show --effective lists them all"]
                                .compactMap { $0 }.joined(separator: " "))
    }

    /// Checks `value` against the attribute's type; returns the problem, or nil.
    public static func problem(with value: String, for attribute: PipelinedAttribute) -> String? {
        switch attribute.kind {
        case .string:
            return nil
        case .boolean:
            return ["true", "false"].contains(value) ? nil : "expects a Boolean (true or false), got '\(value)'"
        case .long:
            guard let number = Int64(value), number >= 0 else {
                return "expects a whole number of 0 or more, got '\(value)'"
            }
            return nil
        case .short:
            guard let number = Int16(value), number >= 0 else {
                return "expects a whole number from 0 to 32767, got '\(value)'"
            }
            return nil
        case .url:
            return urlProblem(value)
        case .time:
            let parts = value.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 3, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
                  let h = Int(parts[0]), let m = Int(parts[1]), let s = Int(parts[2]),
                  h < 24, m < 60, s < 60
            else { return "expects a time of day as HH:MM:SS, got '\(value)'" }
            return nil
        case .authType:
            return authTypes.contains(value) ? nil : "expects one of \(authTypes.joined(separator: ", ")), got '\(value)'"
        }
    }

    /// An endpoint must be https, or http to a loopback host (for local stand-ins).
    public static func urlProblem(_ value: String) -> String? {
        guard let components = URLComponents(string: value), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty
        else { return "expects an absolute URL such as https://host, got '\(value)'" }
        switch scheme {
        case "https":
            return nil
        case "http":
            return isLoopback(host) ? nil : "must use https (http is allowed only for loopback hosts), got '\(value)'"
        default:
            return "expects an http(s) URL, got '\(value)'"
        }
    }

    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }

    /// The known name closest to `name`: names that contain it letter by
    /// letter (a dropped letter or word) first, then by edit distance.
    public static func nearestName(to name: String) -> String? {
        let typed = name.lowercased()
        return attributes
            .map { attribute -> (name: String, dropped: Bool, distance: Int) in
                let candidate = attribute.name.lowercased()
                return (attribute.name, isSubsequence(typed, of: candidate), editDistance(candidate, typed))
            }
            .min { ($0.dropped ? 0 : 1, $0.distance) < ($1.dropped ? 0 : 1, $1.distance) }?
            .name
    }

    static func isSubsequence(_ small: String, of large: String) -> Bool {
        guard !small.isEmpty else { return false }
        var iterator = large.makeIterator()
        return small.allSatisfy { character in
            while let next = iterator.next() { if next == character { return true } }
            return false
        }
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
