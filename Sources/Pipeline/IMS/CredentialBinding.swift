import CampaignCore
import Foundation
import Store

/// `auth use`: binds a stored credential to the instance the way Adobe's
/// `nlserver config -setimsoauth:…` / `-setimsjwtauth:…` do, by writing the
/// `<ims>` node (secrets sealed with the instance key, Adobe's `@…` form),
/// the organisation into `<web><redirection IMSOrgId=…/>`, and the matching
/// `<pipelined authType=…/>` into config-NAME.xml. Only those attributes
/// change; every other byte of the file stays as it was.
public enum CredentialBinding {
    public struct Result: Sendable, Codable, Equatable {
        public var credential: String
        public var type: CredentialType
        public var configFile: String
        public var authType: String
        public var attributes: [String]
        public var backup: String?
    }

    public static func bind(credentialNamed name: String, layout: InstanceLayout, store: InstanceStore) throws -> Result {
        let (credential, secrets) = try store.credentialWithSecrets(named: name)
        return try AtomicFile.withExclusiveLock(for: layout.configFile) {
            try write(credential, secrets, name: name, layout: layout, store: store)
        }
    }

    static func write(_ credential: Credential, _ secrets: CredentialSecrets, name: String, layout: InstanceLayout,
                      store: InstanceStore) throws -> Result {
        var document = try ConfigDocument(contentsOf: layout.configFile)
        let ims = ["serverconf", "ims"]
        var written: [String] = []
        func set(_ attribute: String, _ value: String, at path: [String]) throws {
            try document.setAttribute(attribute, to: value, at: path)
            written.append("\(path.dropFirst().joined(separator: ".")).\(attribute)")
        }
        try set("authIMSEndpoint", credential.imsEndpoint, at: ims)
        try set("authIMSTAClientId", credential.clientId, at: ims)
        try set("authIMSTAClientSecret", try store.key.sealForConfig(secrets.clientSecret), at: ims)
        if let account = credential.technicalAccountId {
            try set("authIMSTAId", account, at: ims)
        } else if document.attribute("authIMSTAId", at: ims) != nil {
            _ = try document.removeAttribute("authIMSTAId", at: ims)
        }
        let authType: String
        switch credential.type {
        case .jwt:
            guard let pem = secrets.privateKeyPEM else {
                throw CampaignError.configuration("credential '\(name)' is a JWT service account without a private key",
                                                  hint: "campaignctl auth add \(name) --type jwt … --private-key-file key.pem --replace")
            }
            try set("authIMSTAPrivateKey", try store.key.sealForConfig(pem), at: ims)
            authType = "imsJwtToken"
        case .oauth:
            if document.attribute("authIMSTAPrivateKey", at: ims) != nil { _ = try document.removeAttribute("authIMSTAPrivateKey", at: ims) }
            authType = "imsOAuth"
        }
        try set("IMSOrgId", credential.orgId, at: ["serverconf", "web", "redirection"])
        try set("authType", authType, at: InstanceConfig.pipelinedPath)
        let backup = layout.configFile.path + ".bak"
        try AtomicFile.write(document.data, to: layout.configFile)
        return Result(credential: credential.name, type: credential.type, configFile: layout.configFile.path, authType: authType,
                      attributes: written, backup: FileManager.default.fileExists(atPath: backup) ? backup : nil)
    }
}
