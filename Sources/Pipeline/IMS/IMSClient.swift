import CampaignCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Talks to Adobe IMS (pipeline-protocol.md §1): OAuth server-to-server at
/// `POST /ims/token/v3`, service-account JWT at `POST /ims/exchange/jwt`.
///
/// Every failure is one `CampaignError`:
/// - IMS rejected the credential (HTTP 4xx with an IMS error such as
///   `invalid_client`, `invalid_scope`, `invalid_signature`, `invalid_token`):
///   exit 78 (`configuration`), the credential as stored cannot work.
/// - IMS unreachable (refused, DNS, timeout), TLS failure, HTTP 5xx or an
///   answer that is not IMS's: exit 69 (`unavailable`).
/// The message shows IMS's `error` and `error_description`, never a secret.
public struct IMSClient: Sendable {
    public static let tokenPath = "/ims/token/v3"
    public static let exchangePath = "/ims/exchange/jwt"
    /// `expires_in` above this is in milliseconds (the JWT exchange), else seconds.
    public static let millisecondsThreshold: Double = 10_000_000

    public let timeout: TimeInterval
    public let jwtLifetime: TimeInterval
    let clock: @Sendable () -> Date

    /// - Parameters:
    ///   - timeout: per request, in seconds.
    ///   - jwtLifetime: how far ahead the JWT's `exp` is set (capped at 24 h).
    ///   - clock: the time used for the JWT's `exp` and the token's expiry.
    public init(timeout: TimeInterval = 30, jwtLifetime: TimeInterval = IMSJWTSigner.defaultLifetime,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.timeout = timeout
        self.jwtLifetime = jwtLifetime
        self.clock = clock
    }

    /// Fetches a new access token for `credential` (never cached here).
    public func fetchToken(for credential: Credential, secrets: CredentialSecrets) async throws -> AccessToken {
        let endpoint = Credential.normalizedEndpoint(credential.imsEndpoint)
        if let problem = Credential.endpointProblem(endpoint) {
            throw CampaignError.configuration("credential '\(credential.name)': IMS endpoint \(problem)",
                                              hint: "re-add it with a valid --ims-endpoint and --replace")
        }
        let path: String
        var form: [(String, String)]
        switch credential.type {
        case .oauth:
            path = Self.tokenPath
            form = [("grant_type", "client_credentials"), ("client_id", credential.clientId),
                    ("client_secret", secrets.clientSecret), ("scope", credential.scopes.joined(separator: ","))]
        case .jwt:
            guard let pem = secrets.privateKeyPEM else {
                throw CampaignError.configuration("credential '\(credential.name)' is a JWT credential without a private key",
                                                  hint: "re-add it with --private-key-file KEY.pem --replace")
            }
            let signer = try IMSJWTSigner(privateKey: IMSPrivateKey(pem: pem, source: "credential '\(credential.name)' private key"))
            let jwt = try signer.sign(IMSJWTSigner.claims(for: credential, now: clock(), lifetime: jwtLifetime))
            path = Self.exchangePath
            form = [("client_id", credential.clientId), ("client_secret", secrets.clientSecret), ("jwt_token", jwt)]
        }
        guard let url = URL(string: endpoint + path) else {
            throw CampaignError.configuration("credential '\(credential.name)': bad IMS endpoint '\(endpoint)'")
        }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalAndRemoteCacheData, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let body = Self.formEncode(form)
        form.removeAll()

        let sentAt = clock()
        let (data, response): (Data, URLResponse)
        do {
            (data, response) = try await Self.session.upload(for: request, from: body)
        } catch {
            throw Self.transportError(error, endpoint: endpoint, credential: credential)
        }
        guard let http = response as? HTTPURLResponse else {
            throw CampaignError.unavailable("IMS at \(endpoint) gave no HTTP answer", hint: "check --ims-endpoint")
        }
        guard http.statusCode == 200 else {
            throw Self.rejection(status: http.statusCode, body: data, endpoint: endpoint, credential: credential, now: sentAt)
        }
        return try Self.parseToken(data, endpoint: endpoint, obtainedAt: sentAt)
    }

    /// One session for every client: no cache, no cookies.
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.requestCachePolicy = .reloadIgnoringLocalAndRemoteCacheData
        return URLSession(configuration: configuration)
    }()

    /// `application/x-www-form-urlencoded`, percent-encoding everything but
    /// unreserved characters (a bare `+` would decode as a space).
    public static func formEncode(_ fields: [(String, String)]) -> Data {
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        func encode(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "" }
        return Data(fields.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&").utf8)
    }

    static func parseToken(_ data: Data, endpoint: String, obtainedAt: Date) throws -> AccessToken {
        struct Answer: Decodable {
            var access_token: String?
            var expires_in: Double?

            enum CodingKeys: String, CodingKey { case access_token, expires_in }

            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                access_token = try c.decodeIfPresent(String.self, forKey: .access_token)
                if let number = try? c.decodeIfPresent(Double.self, forKey: .expires_in) {
                    expires_in = number
                } else if let text = try? c.decodeIfPresent(String.self, forKey: .expires_in) {
                    expires_in = Double(text)
                }
            }
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: data), let token = answer.access_token, !token.isEmpty,
              let expiresIn = answer.expires_in, expiresIn > 0
        else {
            throw CampaignError.unavailable("IMS at \(endpoint) answered 200 without an access_token and expires_in",
                                            hint: "check that --ims-endpoint points at Adobe IMS (https://ims-na1.adobelogin.com)")
        }
        let seconds = expiresIn > millisecondsThreshold ? expiresIn / 1000 : expiresIn
        return AccessToken(value: token, obtainedAt: obtainedAt, expiresAt: obtainedAt.addingTimeInterval(seconds))
    }

    static func rejection(status: Int, body: Data, endpoint: String, credential: Credential, now: Date) -> CampaignError {
        struct IMSErrorBody: Decodable {
            var error: String?
            var error_description: String?
        }
        let parsed = try? JSONDecoder().decode(IMSErrorBody.self, from: body)
        guard (400..<500).contains(status), let code = parsed?.error, !code.isEmpty else {
            let what = (500..<600).contains(status) ? "is failing (HTTP \(status))" : "answered HTTP \(status), not an IMS answer"
            return CampaignError.unavailable("IMS at \(endpoint) \(what) for credential '\(credential.name)'",
                                             hint: (500..<600).contains(status) ? "try again later; see https://status.adobe.com"
                                                                               : "check that --ims-endpoint points at Adobe IMS (https://ims-na1.adobelogin.com)")
        }
        let description = parsed?.error_description.map { $0.isEmpty ? "" : " (\(Self.oneLine($0)))" } ?? ""
        let message = "IMS refused credential '\(credential.name)': \(code)\(description)"
        let name = credential.name
        let hint: String
        switch (code, credential.type) {
        case ("invalid_client", .oauth):
            hint = "check the client id \(credential.clientId) and the client secret (fingerprint \(credential.clientSecretFingerprint)); fix with: campaignctl auth add \(name) … --replace"
        case ("invalid_client", .jwt):
            hint = "check the client id \(credential.clientId), the client secret (fingerprint \(credential.clientSecretFingerprint)) and that the integration may exchange JWTs; fix with: campaignctl auth add \(name) … --replace"
        case ("invalid_scope", .oauth):
            hint = "request only scopes listed on the credential in the Developer Console (now: \(credential.scopes.joined(separator: ","))); fix with --scopes and --replace"
        case ("invalid_scope", .jwt):
            hint = "the metascope '\(credential.metascope ?? Credential.defaultMetascope)' must be granted to the integration; fix with --metascope and --replace"
        case ("invalid_signature", _):
            hint = "the private key (fingerprint \(credential.privateKeyFingerprint ?? "none")) does not match the certificate uploaded to the Developer Console"
        case ("invalid_token", _):
            hint = "IMS found the JWT expired or unreadable: check this machine's clock (now \(now.formatted(.iso8601))), the org id and the technical account id"
        default:
            hint = "check the credential with: campaignctl auth show \(name)"
        }
        return CampaignError.configuration(message, hint: hint)
    }

    static func transportError(_ error: any Error, endpoint: String, credential: Credential) -> CampaignError {
        let host = URL(string: endpoint)?.host ?? endpoint
        guard let urlError = error as? URLError else {
            return CampaignError.unavailable("cannot reach IMS at \(endpoint): \(Self.oneLine(String(describing: error)))",
                                             hint: "check --ims-endpoint and the network")
        }
        switch urlError.code {
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected,
             .clientCertificateRequired:
            return CampaignError.unavailable("TLS handshake with IMS at \(endpoint) failed: the certificate of \(host) was not accepted",
                                             hint: "check the system CA certificates, the clock, and any proxy that intercepts HTTPS")
        case .timedOut:
            return CampaignError.unavailable("IMS at \(endpoint) did not answer within the timeout",
                                             hint: "check the network and any firewall or proxy between this machine and \(host)")
        case .cannotFindHost, .dnsLookupFailed:
            return CampaignError.unavailable("cannot reach IMS at \(endpoint): host \(host) not found",
                                             hint: "check --ims-endpoint (campaignctl auth show \(credential.name)) and DNS")
        case .cannotConnectToHost, .networkConnectionLost, .notConnectedToInternet:
            return CampaignError.unavailable("cannot reach IMS at \(endpoint): connection refused or lost",
                                             hint: "check --ims-endpoint (campaignctl auth show \(credential.name)) and that \(host) is reachable")
        default:
            // On Linux, libcurl's TLS failures arrive as an unknown code whose
            // description names the problem ("SSL certificate problem: …").
            let detail = Self.oneLine(urlError.localizedDescription)
            if ["SSL", "TLS", "certificate"].contains(where: { detail.localizedCaseInsensitiveContains($0) }) {
                return CampaignError.unavailable("TLS handshake with IMS at \(endpoint) failed: \(detail)",
                                                 hint: "check the system CA certificates, the clock, and any proxy that intercepts HTTPS")
            }
            return CampaignError.unavailable("cannot reach IMS at \(endpoint): \(detail) (URLError \(urlError.code.rawValue))",
                                             hint: "check --ims-endpoint and the network")
        }
    }

    static func oneLine(_ text: String) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > 300 ? String(flat.prefix(300)) + "…" : flat
    }
}
