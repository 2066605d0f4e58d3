import CampaignCore
import Foundation

/// A credential as commands print it: secrets masked, with fingerprints.
struct CredentialView: Encodable {
    static let mask = "••••"

    var name: String
    var type: String
    var orgId: String
    var clientId: String
    var imsEndpoint: String
    var scopes: [String]?
    var technicalAccountId: String?
    var metascope: String?
    var clientSecret: String
    var clientSecretFingerprint: String
    var privateKey: String?
    var privateKeyFingerprint: String?
    /// When the cached access token expires (show only; the token itself is never printed).
    var cachedTokenExpiresAt: Date?
    var createdAt: Date
    var updatedAt: Date

    init(_ credential: Credential, cachedToken: AccessToken? = nil) {
        name = credential.name
        type = credential.type.rawValue
        orgId = credential.orgId
        clientId = credential.clientId
        imsEndpoint = credential.imsEndpoint
        scopes = credential.type == .oauth ? credential.scopes : nil
        technicalAccountId = credential.technicalAccountId
        metascope = credential.metascope
        clientSecret = Self.mask
        clientSecretFingerprint = credential.clientSecretFingerprint
        privateKey = credential.privateKeyFingerprint == nil ? nil : Self.mask
        privateKeyFingerprint = credential.privateKeyFingerprint
        cachedTokenExpiresAt = cachedToken?.expiresAt
        createdAt = credential.createdAt
        updatedAt = credential.updatedAt
    }

    func fields(showToken: Bool) -> String {
        var pairs: [(String, String)] = [
            ("name", name), ("type", type), ("org id", orgId), ("client id", clientId), ("ims endpoint", imsEndpoint),
        ]
        if let scopes { pairs.append(("scopes", scopes.joined(separator: ","))) }
        if let technicalAccountId { pairs.append(("technical account", technicalAccountId)) }
        if let metascope { pairs.append(("metascope", metascope)) }
        pairs.append(("client secret", "\(clientSecret) (sha256 \(clientSecretFingerprint))"))
        if let privateKeyFingerprint { pairs.append(("private key", "\(Self.mask) (sha256 of public key \(privateKeyFingerprint))")) }
        if showToken {
            pairs.append(("cached token", cachedTokenExpiresAt.map { "until \(Terminal.timestamp($0))" } ?? "none"))
        }
        pairs.append(("created", Terminal.timestamp(createdAt)))
        pairs.append(("updated", Terminal.timestamp(updatedAt)))
        return Terminal.fields(pairs)
    }
}

struct CredentialReport: Report {
    var credential: CredentialView
    var showToken = false

    enum CodingKeys: String, CodingKey { case credential }

    func renderText() -> String { credential.fields(showToken: showToken) }
}

struct CredentialListReport: Report {
    var credentials: [CredentialView]

    func renderText() -> String {
        Terminal.table(["NAME", "TYPE", "ORG", "CLIENT ID", "IMS ENDPOINT", "SECRET"], credentials.map {
            [$0.name, $0.type, $0.orgId, $0.clientId, $0.imsEndpoint, "\($0.clientSecret) \($0.clientSecretFingerprint)"]
        })
    }
}

/// What `auth test` proves: IMS issued a token. The token is not in here.
struct AuthTestReport: Report {
    var credential: String
    var type: String
    var imsEndpoint: String
    var orgId: String
    var technicalAccountId: String?
    var obtainedAt: Date
    var expiresAt: Date
    var expiresInSeconds: Int

    init(_ credential: Credential, token: AccessToken) {
        self.credential = credential.name
        type = credential.type.rawValue
        imsEndpoint = credential.imsEndpoint
        orgId = credential.orgId
        technicalAccountId = credential.technicalAccountId
        obtainedAt = token.obtainedAt
        expiresAt = token.expiresAt
        expiresInSeconds = Int(token.expiresAt.timeIntervalSince(token.obtainedAt).rounded())
    }

    func renderText() -> String {
        Terminal.fields([
            ("credential", "\(credential) (\(type))"),
            ("ims endpoint", imsEndpoint),
            ("org", orgId),
            ("technical account", technicalAccountId ?? "-"),
            ("token expires", "\(Terminal.timestamp(expiresAt)) (in \(expiresInSeconds) s)"),
        ])
    }
}

/// `auth token --json`.
struct AuthTokenReport: Report {
    var accessToken: String
    var expiresAt: Date

    func renderText() -> String { accessToken }
}
