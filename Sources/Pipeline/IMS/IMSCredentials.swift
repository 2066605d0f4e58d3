import CampaignCore
import Foundation
import Store

/// What `auth add` was given, before any check. Secrets are already read
/// from their files; the private key is PEM text or its base64.
public struct IMSCredentialInput: Sendable {
    public enum PrivateKeyText: Sendable {
        case pem(String, source: String)
        case base64(String, source: String)
    }

    public var name: String
    public var type: CredentialType
    public var orgId: String
    public var clientId: String
    public var clientSecret: String
    /// Where the secret came from (a path or "standard input"), for errors.
    public var clientSecretSource: String
    public var scopes: [String]?
    public var imsEndpoint: String?
    public var technicalAccountId: String?
    public var privateKey: PrivateKeyText?
    public var metascope: String?

    public init(name: String, type: CredentialType, orgId: String, clientId: String, clientSecret: String,
                clientSecretSource: String, scopes: [String]? = nil, imsEndpoint: String? = nil,
                technicalAccountId: String? = nil, privateKey: PrivateKeyText? = nil, metascope: String? = nil) {
        self.name = name
        self.type = type
        self.orgId = orgId
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.clientSecretSource = clientSecretSource
        self.scopes = scopes
        self.imsEndpoint = imsEndpoint
        self.technicalAccountId = technicalAccountId
        self.privateKey = privateKey
        self.metascope = metascope
    }
}

/// Checks and stores IMS credentials.
public enum IMSCredentials {
    /// Checks every field and builds the credential and its secrets. Throws
    /// one `CampaignError` naming the field: exit 64 for flags that do not
    /// fit the type, 65 for bad values.
    public static func validate(_ input: IMSCredentialInput, now: Date = Date()) throws -> (Credential, CredentialSecrets) {
        func bad(_ problem: String, _ hint: String? = nil) -> CampaignError { .badInput(problem, hint: hint) }
        func usage(_ problem: String, _ hint: String? = nil) -> CampaignError { CampaignError(.usage, problem, hint: hint) }

        if let problem = Credential.nameProblem(input.name) { throw usage(problem) }
        if let problem = Credential.orgIdProblem(input.orgId) {
            throw bad("--org-id: \(problem)", "copy the organization id from the Developer Console (it ends in @AdobeOrg)")
        }
        if let problem = Credential.clientIdProblem(input.clientId) { throw bad("--client-id: \(problem)") }
        let endpoint = Credential.normalizedEndpoint(input.imsEndpoint ?? Credential.defaultIMSEndpoint)
        if let problem = Credential.endpointProblem(endpoint) {
            throw bad("--ims-endpoint: \(problem)", "Adobe's endpoint is \(Credential.defaultIMSEndpoint); http is allowed only for 127.0.0.1, ::1 or localhost")
        }
        let secret = input.clientSecret.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else {
            throw bad("client secret from \(input.clientSecretSource) is empty", "put the client secret alone in the file, or pipe it with --client-secret-file -")
        }
        guard !secret.contains(where: { $0.isWhitespace || !$0.isASCII }) else {
            throw bad("client secret from \(input.clientSecretSource) holds spaces or several lines",
                      "the file must hold the client secret alone (one line)")
        }
        if let account = input.technicalAccountId, let problem = Credential.technicalAccountProblem(account) {
            throw bad("--technical-account-id: \(problem)", "copy the technical account id from the Developer Console")
        }

        var credential = Credential(
            name: input.name, type: input.type, orgId: input.orgId, clientId: input.clientId, imsEndpoint: endpoint,
            scopes: [], technicalAccountId: input.technicalAccountId, metascope: nil,
            clientSecretFingerprint: IMSFingerprint.of(secret: secret), privateKeyFingerprint: nil, createdAt: now, updatedAt: now)
        var privateKeyPEM: String?

        switch input.type {
        case .oauth:
            if input.privateKey != nil {
                throw usage("--private-key-file and --private-key-base64-file are for --type jwt only",
                            "OAuth server-to-server credentials use the client secret alone")
            }
            if input.metascope != nil { throw usage("--metascope is for --type jwt only", "OAuth credentials take --scopes") }
            let scopes = input.scopes ?? Credential.defaultScopes
            guard !scopes.isEmpty else { throw bad("--scopes is empty", "for example: --scopes \(Credential.defaultScopes.joined(separator: ","))") }
            for scope in scopes {
                if let problem = Credential.scopeProblem(scope) { throw bad("--scopes: \(problem)") }
            }
            credential.scopes = scopes
        case .jwt:
            if input.scopes != nil { throw usage("--scopes is for --type oauth only", "JWT credentials take --metascope") }
            guard input.technicalAccountId != nil else {
                throw usage("--type jwt needs --technical-account-id", "copy it from the Developer Console: ID@techacct.adobe.com")
            }
            guard let keyText = input.privateKey else {
                throw usage("--type jwt needs --private-key-file or --private-key-base64-file",
                            "pass the private key whose certificate was uploaded to the Developer Console")
            }
            let metascope = input.metascope ?? Credential.defaultMetascope
            if let problem = Credential.metascopeProblem(metascope) { throw bad("--metascope: \(problem)") }
            let key: IMSPrivateKey
            switch keyText {
            case .pem(let text, let source): key = try IMSPrivateKey(pem: text, source: source)
            case .base64(let text, let source): key = try IMSPrivateKey(base64: text, source: source)
            }
            credential.metascope = metascope
            credential.privateKeyFingerprint = key.fingerprint
            privateKeyPEM = key.pemRepresentation
        }
        return (credential, CredentialSecrets(clientSecret: secret, privateKeyPEM: privateKeyPEM))
    }

    /// Validates and stores a credential, secrets sealed; keeps `createdAt`
    /// of a replaced one. Nothing is stored when a check fails.
    @discardableResult
    public static func add(_ input: IMSCredentialInput, to store: InstanceStore, replace: Bool, now: Date = Date()) throws -> Credential {
        var (credential, secrets) = try validate(input, now: now)
        if replace, let existing = try? store.credential(named: credential.name) {
            credential.createdAt = existing.createdAt
        }
        try store.addCredential(credential, secrets: secrets, replace: replace)
        return credential
    }

    /// A credential and its cached token (if any and still valid), for `auth show`.
    public static func describe(named name: String, in store: InstanceStore, now: Date = Date()) throws -> (Credential, AccessToken?) {
        let credential = try store.credential(named: name)
        let token = try store.cachedToken(for: credential.tokenCacheKey)
        return (credential, token.flatMap { $0.expiresAt > now ? $0 : nil })
    }
}
