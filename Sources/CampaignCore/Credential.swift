import Foundation

/// How a credential authenticates to Adobe IMS.
public enum CredentialType: String, Sendable, Codable, CaseIterable {
    /// OAuth server-to-server: client_credentials at `/ims/token/v3`.
    case oauth
    /// Legacy service account: an RS256 JWT exchanged at `/ims/exchange/jwt`.
    case jwt
}

/// An IMS credential as every command may see it: no secret in here.
public struct Credential: Sendable, Codable, Equatable {
    public static let defaultIMSEndpoint = "https://ims-na1.adobelogin.com"
    public static let defaultMetascope = "ent_analytics_bulk_ingest_sdk"
    public static let defaultScopes = ["openid", "AdobeID", "additional_info.projectedProductContext"]

    public var name: String
    public var type: CredentialType
    public var orgId: String
    public var clientId: String
    public var imsEndpoint: String
    /// OAuth scopes (oauth only).
    public var scopes: [String]
    /// `…@techacct.adobe.com` (jwt; optional for oauth, where Adobe's
    /// `-setimsoauth` still records it).
    public var technicalAccountId: String?
    /// The JWT metascope (jwt only).
    public var metascope: String?
    /// SHA-256 of the client secret, first 12 hex digits: enough to tell two
    /// secrets apart, useless to recover one.
    public var clientSecretFingerprint: String
    /// SHA-256 of the public key's DER, first 12 hex digits (jwt only).
    public var privateKeyFingerprint: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(name: String, type: CredentialType, orgId: String, clientId: String, imsEndpoint: String,
                scopes: [String], technicalAccountId: String?, metascope: String?,
                clientSecretFingerprint: String, privateKeyFingerprint: String?,
                createdAt: Date, updatedAt: Date) {
        self.name = name
        self.type = type
        self.orgId = orgId
        self.clientId = clientId
        self.imsEndpoint = imsEndpoint
        self.scopes = scopes
        self.technicalAccountId = technicalAccountId
        self.metascope = metascope
        self.clientSecretFingerprint = clientSecretFingerprint
        self.privateKeyFingerprint = privateKeyFingerprint
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The secret half of a credential. Only the store (sealed) and the IMS
/// client (in memory) ever hold it.
public struct CredentialSecrets: Sendable, Equatable {
    public var clientSecret: String
    /// PEM text of the RSA private key (jwt only).
    public var privateKeyPEM: String?

    public init(clientSecret: String, privateKeyPEM: String?) {
        self.clientSecret = clientSecret
        self.privateKeyPEM = privateKeyPEM
    }
}

/// An IMS access token with its expiry. Never printed except by `auth token`.
public struct AccessToken: Sendable, Equatable {
    public var value: String
    public var obtainedAt: Date
    public var expiresAt: Date

    public init(value: String, obtainedAt: Date, expiresAt: Date) {
        self.value = value
        self.obtainedAt = obtainedAt
        self.expiresAt = expiresAt
    }

    /// Renew at 90 % of the token's life (pipeline-protocol §1).
    public func needsRenewal(at now: Date) -> Bool {
        now >= obtainedAt.addingTimeInterval(expiresAt.timeIntervalSince(obtainedAt) * 0.9)
    }
}
