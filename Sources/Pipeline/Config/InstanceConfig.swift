import CampaignCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where an effective `<pipelined>` value comes from.
public enum SettingSource: String, Sendable, Codable, Equatable {
    /// `conf/config-NAME.xml`
    case instance
    /// `conf/serverConf.xml`
    case serverConf
    /// campaignctl's built-in default (Adobe's documented default)
    case builtInDefault = "default"
    /// no value anywhere
    case unset
}

/// One `<pipelined>` attribute as the daemon will see it.
public struct EffectiveSetting: Sendable, Codable, Equatable {
    /// `pipelined.NAME`
    public var key: String
    public var name: String
    /// String, Boolean, Long, Short, URL, Time, AuthType; "unknown" for an attribute not in the catalog.
    public var kind: String
    /// The value (secrets shown as `(sealed, N characters)`); nil when unset.
    public var value: String?
    public var source: SettingSource
    /// The file the value comes from; nil for a default or unset value.
    public var file: String?
    public var defaultValue: String?
    public var summary: String
}

/// One thing wrong with the effective configuration.
public struct ConfigProblem: Sendable, Codable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    /// `pipelined.NAME` when the problem is about one attribute.
    public var key: String?
    public var message: String
    public var hint: String?

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        return "\(place): \(message)" + (hint.map { " (\($0))" } ?? "")
    }
}

/// The result of `config set` / `config unset`.
public struct ConfigChange: Sendable, Codable, Equatable {
    public var key: String
    /// The file edited (config-NAME.xml).
    public var file: String
    /// False when the file already said so and was left alone.
    public var changed: Bool
    /// The previous version of the file, when it was rewritten.
    public var backup: String?
    /// The value in config-NAME.xml before the change (nil: not set there).
    public var previousValue: String?
    /// The effective setting after the change.
    public var setting: EffectiveSetting
}

/// The instance XML configuration: `conf/serverConf.xml` (defaults for every
/// instance) overlaid by `conf/config-NAME.xml` (this instance), attribute by
/// attribute, as Adobe's nlserver does.
public struct InstanceConfig: Sendable {
    public static let pipelinedPath = ["serverconf", "pipelined"]
    /// Attributes whose value is a secret (sealed with the instance key): never printed.
    public static let secretAttributes: Set<String> = ["authPrivateKey"]

    public let layout: InstanceLayout
    public let instanceDocument: ConfigDocument
    /// nil when the home has no serverConf.xml (built-in defaults apply).
    public let serverConfDocument: ConfigDocument?

    public init(layout: InstanceLayout, instanceDocument: ConfigDocument, serverConfDocument: ConfigDocument?) {
        self.layout = layout
        self.instanceDocument = instanceDocument
        self.serverConfDocument = serverConfDocument
    }

    /// Reads and parses both files. A file that is not well-formed XML, or
    /// carries a DOCTYPE, fails with 65 and `file:line:column`; a missing
    /// config-NAME.xml fails with 66.
    public static func load(_ layout: InstanceLayout) throws -> InstanceConfig {
        let instance = try ConfigDocument(contentsOf: layout.configFile)
        var server: ConfigDocument?
        if FileManager.default.fileExists(atPath: layout.serverConfFile.path) {
            server = try ConfigDocument(contentsOf: layout.serverConfFile)
        }
        return InstanceConfig(layout: layout, instanceDocument: instance, serverConfDocument: server)
    }

    // MARK: Reading

    /// The effective value of any attribute of any element: config-NAME.xml
    /// first, then serverConf.xml. An attribute present but empty in
    /// config-NAME.xml wins (as in Adobe Campaign). Secrets come back as written
    /// (`@…` sealed values): open them with the instance key.
    public func value(of attribute: String, at elementPath: [String]) -> (value: String, file: String)? {
        if let value = instanceDocument.attribute(attribute, at: elementPath) {
            return (value, instanceDocument.path)
        }
        if let server = serverConfDocument, let value = server.attribute(attribute, at: elementPath) {
            return (value, server.path)
        }
        return nil
    }

    /// The effective raw value of a `<pipelined>` attribute, falling back to
    /// the built-in default.
    public func pipelinedValue(_ name: String) -> String? {
        value(of: name, at: Self.pipelinedPath)?.value ?? PipelinedSettings.attribute(named: name)?.defaultValue
    }

    /// The effective value of a Long/Short attribute; nil when unset or not a number.
    public func pipelinedInteger(_ name: String) -> Int? {
        pipelinedValue(name).flatMap { Int($0) }
    }

    /// The effective value of a Boolean attribute; nil when unset or not a Boolean.
    public func pipelinedBool(_ name: String) -> Bool? {
        switch pipelinedValue(name) {
        case "true": true
        case "false": false
        default: nil
        }
    }

    public func setting(_ attribute: PipelinedAttribute) -> EffectiveSetting {
        var value: String?
        var source = SettingSource.unset
        var file: String?
        if let found = self.value(of: attribute.name, at: Self.pipelinedPath) {
            value = found.value
            file = found.file
            source = found.file == instanceDocument.path ? .instance : .serverConf
        } else if let fallback = attribute.defaultValue {
            value = fallback
            source = .builtInDefault
        }
        return EffectiveSetting(key: "pipelined.\(attribute.name)", name: attribute.name, kind: attribute.kind.rawValue,
                                value: value.map { Self.display($0, for: attribute.name) }, source: source, file: file,
                                defaultValue: attribute.defaultValue, summary: attribute.summary)
    }

    /// Every catalog attribute with its effective value and source, in catalog order.
    public var effectiveSettings: [EffectiveSetting] {
        PipelinedSettings.attributes.map(setting)
    }

    /// The attributes written on `<pipelined>` in config-NAME.xml, in file
    /// order, unknown ones included (kind "unknown").
    public var instanceSettings: [EffectiveSetting] {
        (instanceDocument.attributes(at: Self.pipelinedPath) ?? []).map { attr in
            let known = PipelinedSettings.attribute(named: attr.name)
            return EffectiveSetting(key: "pipelined.\(attr.name)", name: attr.name, kind: known?.kind.rawValue ?? "unknown",
                                    value: Self.display(attr.value, for: attr.name), source: .instance,
                                    file: instanceDocument.path, defaultValue: known?.defaultValue,
                                    summary: known?.summary ?? "not a pipelined attribute")
        }
    }

    static func display(_ value: String, for name: String) -> String {
        guard secretAttributes.contains(name), !value.isEmpty else { return value }
        return "(sealed, \(value.count) characters)"
    }

    // MARK: Validation

    /// Every problem of the effective configuration: root elements, unknown
    /// `<pipelined>` attributes (with the nearest known name), values of the
    /// wrong kind in either file, and inconsistent pairs. Empty when valid.
    public func problems() -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        for document in [serverConfDocument, instanceDocument].compactMap({ $0 }) {
            guard document.rootName == "serverconf" else {
                problems.append(ConfigProblem(file: document.path, line: nil, column: nil, key: nil,
                                              message: "the root element is <\(document.rootName)>, expected <serverconf>",
                                              hint: "wrap the settings in <serverconf>…</serverconf>"))
                continue
            }
            for attr in document.attributes(at: Self.pipelinedPath) ?? [] {
                let key = "pipelined.\(attr.name)"
                guard let known = PipelinedSettings.attribute(named: attr.name) else {
                    var message = "unknown attribute '\(key)'"
                    var hint: String?
                    do { _ = try PipelinedSettings.requireAttribute(attr.name) } catch let error as CampaignError {
                        message = error.message
                        hint = error.hint
                    } catch {}
                    problems.append(ConfigProblem(file: document.path, line: attr.line, column: attr.column, key: key,
                                                  message: message, hint: hint))
                    continue
                }
                if let problem = Self.problem(with: attr.value, for: known) {
                    problems.append(ConfigProblem(file: document.path, line: attr.line, column: attr.column, key: key,
                                                  message: "\(key) \(problem)", hint: Self.valueHint(known)))
                }
            }
        }
        // Pairs, on the effective values (only when both are numbers).
        if let warning = pipelinedInteger("maxProcessMemoryWarningMb"), let alert = pipelinedInteger("maxProcessMemoryAlertMb"),
           warning > alert {
            let origin = value(of: "maxProcessMemoryWarningMb", at: Self.pipelinedPath)?.file
                ?? value(of: "maxProcessMemoryAlertMb", at: Self.pipelinedPath)?.file ?? instanceDocument.path
            problems.append(ConfigProblem(file: origin, line: nil, column: nil, key: "pipelined.maxProcessMemoryWarningMb",
                                          message: "pipelined.maxProcessMemoryWarningMb (\(warning)) is above pipelined.maxProcessMemoryAlertMb (\(alert))",
                                          hint: "the warning threshold must not exceed the alert threshold"))
        }
        return problems
    }

    /// The catalog's kind check plus the ranges the daemon needs.
    public static func problem(with value: String, for attribute: PipelinedAttribute) -> String? {
        if let problem = PipelinedSettings.problem(with: value, for: attribute) { return problem }
        switch attribute.name {
        case "monitorServerPort":
            if let port = Int(value), port > 65535 { return "expects a TCP port from 0 to 65535 (0 = off), got '\(value)'" }
        case "monitorServerAddress":
            if !isIPv4Literal(value) {
                return "expects an IPv4 address such as 127.0.0.1 (loopback only) or 0.0.0.0 (every interface), got '\(value)'"
            }
        case "processingJSThreads", "processingThreads":
            if Int(value) == 0 { return "expects at least 1 thread, got '\(value)'" }
        default:
            break
        }
        return nil
    }

    /// A dotted-quad IPv4 literal (no host names, no IPv6).
    public static func isIPv4Literal(_ value: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, value, &address) == 1
    }

    static func valueHint(_ attribute: PipelinedAttribute) -> String {
        "\(attribute.summary)" + (attribute.defaultValue.map { "; default \($0)" } ?? "")
    }
}

// MARK: - Use cases

extension InstanceConfig {
    /// Parses a `pipelined.ATTRIBUTE` key. Another prefix is a usage error
    /// (64); an unknown attribute is a usage error naming the nearest one.
    public static func attribute(forKey key: String) throws -> PipelinedAttribute {
        let parts = key.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "pipelined", !parts[1].isEmpty else {
            throw CampaignError(.usage, "unsupported key '\(key)': keys are pipelined.ATTRIBUTE",
                                hint: "for example pipelined.monitorServerPort; campaignctl config show --effective lists them all"
                                    + (parts.first == "ims" ? "; <ims> credentials are written by campaignctl auth" : ""))
        }
        return try PipelinedSettings.requireAttribute(String(parts[1]))
    }

    /// `config get`: the effective value of one key.
    public static func get(_ layout: InstanceLayout, key: String) throws -> EffectiveSetting {
        let attribute = try attribute(forKey: key)
        return try load(layout).setting(attribute)
    }

    /// `config set`: checks the value first, then rewrites config-NAME.xml
    /// atomically, changing only the bytes of that attribute (or adding it,
    /// or adding `<pipelined>`), keeping the previous file as `.bak`. On any
    /// error the file is not touched. A bad value is 65.
    public static func set(_ layout: InstanceLayout, key: String, value: String) throws -> ConfigChange {
        let attribute = try attribute(forKey: key)
        if secretAttributes.contains(attribute.name) {
            throw CampaignError(.usage, "\(key) holds a secret and cannot be set on the command line",
                                hint: "store credentials with campaignctl auth; they are sealed with the instance key")
        }
        if let problem = problem(with: value, for: attribute) {
            throw CampaignError.badInput("invalid value for \(key): \(problem)", hint: valueHint(attribute))
        }
        return try AtomicFile.withExclusiveLock(for: layout.configFile) {
            let config = try load(layout)
            var document = config.instanceDocument
            let previous = document.attribute(attribute.name, at: pipelinedPath)
            try document.setAttribute(attribute.name, to: value, at: pipelinedPath)
            let changed = document.bytes != config.instanceDocument.bytes
            if changed { try AtomicFile.write(document.data, to: layout.configFile) }
            return change(attribute, layout: layout, config: config, document: document, previous: previous, changed: changed)
        }
    }

    static func change(_ attribute: PipelinedAttribute, layout: InstanceLayout, config: InstanceConfig,
                       document: ConfigDocument, previous: String?, changed: Bool) -> ConfigChange {
        let after = InstanceConfig(layout: layout, instanceDocument: document, serverConfDocument: config.serverConfDocument)
        return ConfigChange(key: "pipelined.\(attribute.name)", file: layout.configFile.path, changed: changed,
                            backup: changed ? layout.configFile.path + ".bak" : nil,
                            previousValue: previous.map { display($0, for: attribute.name) },
                            setting: after.setting(attribute))
    }

    /// `config unset`: removes the attribute from config-NAME.xml so that
    /// serverConf.xml or the default applies again. Not set there: nothing changes.
    public static func unset(_ layout: InstanceLayout, key: String) throws -> ConfigChange {
        let attribute = try attribute(forKey: key)
        return try AtomicFile.withExclusiveLock(for: layout.configFile) {
            let config = try load(layout)
            var document = config.instanceDocument
            let previous = document.attribute(attribute.name, at: pipelinedPath)
            let changed = try document.removeAttribute(attribute.name, at: pipelinedPath)
            if changed { try AtomicFile.write(document.data, to: layout.configFile) }
            return change(attribute, layout: layout, config: config, document: document, previous: previous, changed: changed)
        }
    }

    /// Sets any attribute of any element in config-NAME.xml (creating the
    /// elements), atomically, keeping `.bak`. No value check: the caller
    /// validates. For `auth use` (`<ims …>`, `<web><redirection IMSOrgId>`).
    public static func setAttributes(_ layout: InstanceLayout, _ attributes: [(name: String, value: String)],
                                     at elementPath: [String]) throws {
        try AtomicFile.withExclusiveLock(for: layout.configFile) {
            var document = try ConfigDocument(contentsOf: layout.configFile)
            let before = document.bytes
            for (name, value) in attributes {
                try document.setAttribute(name, to: value, at: elementPath)
            }
            if document.bytes != before { try AtomicFile.write(document.data, to: layout.configFile) }
        }
    }
}
