import Foundation

/// The checks on a credential's plain fields (the key checks need crypto and
/// live in Pipeline's `IMSCredentials`). Each returns a problem sentence, or
/// nil when the value is fine.
extension Credential {
    public static let orgIdSuffix = "@AdobeOrg"
    public static let technicalAccountSuffix = "@techacct.adobe.com"

    /// A credential name: what `auth add NAME` accepts.
    public static func nameProblem(_ name: String) -> String? {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_-."))
        guard !name.isEmpty, name.count <= 64, name.unicodeScalars.allSatisfy({ $0.isASCII && allowed.contains($0) }),
              !name.hasPrefix("-"), !name.hasPrefix(".")
        else { return "credential name '\(name)' must be 1-64 letters, digits, '_', '-' or '.'" }
        return nil
    }

    public static func orgIdProblem(_ value: String) -> String? {
        let id = value.dropLast(orgIdSuffix.count)
        guard value.hasSuffix(orgIdSuffix), !id.isEmpty, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        else { return "org id must look like 0123456789ABCDEF01234567\(orgIdSuffix), got '\(value)'" }
        return nil
    }

    public static func technicalAccountProblem(_ value: String) -> String? {
        let id = value.dropLast(technicalAccountSuffix.count)
        guard value.hasSuffix(technicalAccountSuffix), !id.isEmpty, !id.contains("@"), !id.contains(where: \.isWhitespace)
        else { return "technical account id must look like 0123456789ABCDEF01234567\(technicalAccountSuffix), got '\(value)'" }
        return nil
    }

    public static func clientIdProblem(_ value: String) -> String? {
        guard !value.isEmpty, value.count <= 256, value.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "/" })
        else { return "client id must be the credential's API key (no spaces or '/'), got '\(value)'" }
        return nil
    }

    public static func scopeProblem(_ value: String) -> String? {
        guard !value.isEmpty, value.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "," })
        else { return "scope '\(value)' must be one word with no spaces or commas" }
        return nil
    }

    public static func metascopeProblem(_ value: String) -> String? {
        guard !value.isEmpty, value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ".") })
        else { return "metascope must be a name such as \(defaultMetascope), got '\(value)'" }
        return nil
    }

    /// An IMS endpoint: https, or http to a loopback host (a local stand-in).
    public static func endpointProblem(_ value: String) -> String? {
        if let problem = PipelinedSettings.urlProblem(value) { return problem }
        guard let components = URLComponents(string: value), components.query == nil, components.fragment == nil,
              components.user == nil, components.password == nil
        else { return "IMS endpoint must be a bare URL such as \(defaultIMSEndpoint), got '\(value)'" }
        return nil
    }

    /// The endpoint without trailing slashes: the form used in URLs and in
    /// the JWT's `aud` and metascope claims.
    public static func normalizedEndpoint(_ value: String) -> String {
        var value = value
        while value.hasSuffix("/") { value.removeLast() }
        return value
    }

    /// The key of this credential's cached access token: one per IMS
    /// identity and grant (endpoint, org, client, account, type, scopes).
    public var tokenCacheKey: String {
        let grant = type == .jwt ? "s/\(metascope ?? Credential.defaultMetascope)" : scopes.joined(separator: ",")
        return [type.rawValue, Credential.normalizedEndpoint(imsEndpoint), orgId, clientId, technicalAccountId ?? "", grant]
            .joined(separator: "|")
    }
}
