import CampaignCore
import Foundation

/// The claims of a service-account JWT (pipeline-protocol.md §1).
public struct IMSJWTClaims: Sendable, Equatable {
    public static let maximumLifetime: TimeInterval = 24 * 3600

    /// `iss`: the org id (`…@AdobeOrg`).
    public var orgId: String
    /// `sub`: the technical account id (`…@techacct.adobe.com`).
    public var technicalAccountId: String
    public var clientId: String
    /// The IMS endpoint, without trailing slash (`aud` and the metascope claim start with it).
    public var imsEndpoint: String
    public var metascope: String
    /// `exp`, serialized as integer epoch seconds.
    public var expiresAt: Date

    public init(orgId: String, technicalAccountId: String, clientId: String, imsEndpoint: String,
                metascope: String, expiresAt: Date) {
        self.orgId = orgId
        self.technicalAccountId = technicalAccountId
        self.clientId = clientId
        self.imsEndpoint = Credential.normalizedEndpoint(imsEndpoint)
        self.metascope = metascope
        self.expiresAt = expiresAt
    }

    public var audience: String { "\(imsEndpoint)/c/\(clientId)" }
    public var metascopeClaim: String { "\(imsEndpoint)/s/\(metascope)" }
    public var exp: Int64 { Int64(expiresAt.timeIntervalSince1970.rounded(.down)) }

    /// The payload JSON, keys sorted, `exp` an integer.
    public func payloadJSON() -> Data {
        let object: [String: Any] = [
            "exp": NSNumber(value: exp),
            "iss": orgId,
            "sub": technicalAccountId,
            "aud": audience,
            metascopeClaim: true,
        ]
        // Only strings, an integer and a boolean: serialization cannot fail.
        return try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}

/// Signs service-account JWTs with RS256.
public struct IMSJWTSigner: Sendable {
    public static let headerJSON = #"{"alg":"RS256","typ":"JWT"}"#
    /// How long a JWT we send lives: long enough for a slow exchange, short
    /// enough to be useless if it leaks.
    public static let defaultLifetime: TimeInterval = 10 * 60

    public let privateKey: IMSPrivateKey

    public init(privateKey: IMSPrivateKey) {
        self.privateKey = privateKey
    }

    public init(privateKeyPEM: String) throws {
        privateKey = try IMSPrivateKey(pem: privateKeyPEM, source: "private key")
    }

    /// `base64url(header).base64url(payload).base64url(RS256 signature)`.
    public func sign(_ claims: IMSJWTClaims) throws -> String {
        let signingInput = Base64URL.encode(Data(Self.headerJSON.utf8)) + "." + Base64URL.encode(claims.payloadJSON())
        let signature = try privateKey.signRS256(Data(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// Claims for `credential`, expiring `lifetime` after `now` (capped at 24 h).
    public static func claims(for credential: Credential, now: Date, lifetime: TimeInterval = defaultLifetime) throws -> IMSJWTClaims {
        guard let account = credential.technicalAccountId else {
            throw CampaignError.configuration("credential '\(credential.name)' has no technical account id, which a JWT needs",
                                              hint: "re-add it with --technical-account-id ID@techacct.adobe.com --replace")
        }
        return IMSJWTClaims(orgId: credential.orgId, technicalAccountId: account, clientId: credential.clientId,
                            imsEndpoint: credential.imsEndpoint, metascope: credential.metascope ?? Credential.defaultMetascope,
                            expiresAt: now.addingTimeInterval(min(lifetime, IMSJWTClaims.maximumLifetime)))
    }
}

/// base64url without padding (RFC 7515 §2).
public enum Base64URL {
    public static func encode(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: some StringProtocol) -> Data? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        if base64.count % 4 == 1 { return nil }
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
