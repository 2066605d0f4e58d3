import CampaignCore
import Crypto
import CryptoExtras
import Foundation

/// A service account's RSA private key, checked: PKCS#1 (`BEGIN RSA PRIVATE
/// KEY`) or PKCS#8 (`BEGIN PRIVATE KEY`) PEM, unencrypted, at least 2048 bits.
public struct IMSPrivateKey: Sendable {
    public static let minimumBits = 2048

    let key: _RSA.Signing.PrivateKey
    /// The PEM text as given (what the store seals).
    public let pemRepresentation: String

    /// Parses PEM text. `source` names where it came from, for the error.
    public init(pem: String, source: String) throws {
        let text = pem.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.contains("BEGIN ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED") {
            throw CampaignError.badInput("\(source): the private key is encrypted with a passphrase",
                                         hint: "decrypt it first: openssl pkey -in KEY.pem -out plain.pem")
        }
        if text.contains("BEGIN PUBLIC KEY") || text.contains("BEGIN RSA PUBLIC KEY") || text.contains("BEGIN CERTIFICATE") {
            throw CampaignError.badInput("\(source): this is a public key or certificate, not the private key",
                                         hint: "pass the private.key file that was generated with the certificate uploaded to the Developer Console")
        }
        guard text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN PRIVATE KEY-----") else {
            throw CampaignError.badInput("\(source): not a PEM private key (no 'BEGIN PRIVATE KEY' or 'BEGIN RSA PRIVATE KEY' line)",
                                         hint: "pass a PEM file, or its base64 form with --private-key-base64-file")
        }
        let parsed: _RSA.Signing.PrivateKey
        do {
            parsed = try _RSA.Signing.PrivateKey(unsafePEMRepresentation: text + "\n")
        } catch {
            throw CampaignError.badInput("\(source): the private key cannot be read as an RSA key (damaged PEM, or not RSA)",
                                         hint: "IMS service accounts use RSA keys: openssl req -x509 -sha256 -nodes -days 365 -newkey rsa:2048 -keyout private.key -out certificate_pub.crt")
        }
        guard parsed.keySizeInBits >= Self.minimumBits else {
            throw CampaignError.badInput("\(source): the RSA key has \(parsed.keySizeInBits) bits; IMS needs at least \(Self.minimumBits)",
                                         hint: "generate a new key pair with -newkey rsa:2048 and upload its certificate to the Developer Console")
        }
        key = parsed
        pemRepresentation = text + "\n"
    }

    /// Parses the base64 of a PEM file (what Adobe's `-setimsjwtauth` takes).
    public init(base64: String, source: String) throws {
        let compact = base64.filter { !$0.isWhitespace }
        if compact.hasPrefix("-----BEGIN") {
            throw CampaignError.badInput("\(source): this is PEM text, not its base64",
                                         hint: "pass it with --private-key-file instead")
        }
        guard !compact.isEmpty, let data = Data(base64Encoded: compact), let pem = String(data: data, encoding: .utf8) else {
            throw CampaignError.badInput("\(source): not valid base64",
                                         hint: "encode the PEM file with: base64 -w0 private.key > private.key.b64")
        }
        try self.init(pem: pem, source: "\(source) (decoded)")
    }

    public var keySizeInBits: Int { key.keySizeInBits }

    /// The public key, SPKI PEM (what the emulator and Adobe's certificate hold).
    public var publicKeyPEM: String { key.publicKey.pemRepresentation }

    /// SHA-256 of the public key's DER (SPKI), first 12 hex digits.
    public var fingerprint: String { IMSFingerprint.of(key.publicKey.derRepresentation) }

    /// RSASSA-PKCS1-v1_5 with SHA-256 (JWS `RS256`).
    public func signRS256(_ data: Data) throws -> Data {
        try key.signature(for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5).rawRepresentation
    }
}

/// Short, one-way fingerprints of secrets for display.
public enum IMSFingerprint {
    /// SHA-256, first 12 hex digits.
    public static func of(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined().prefix(12).description
    }

    public static func of(secret: String) -> String { of(Data(secret.utf8)) }
}

/// An RSA public key that checks RS256 signatures (the emulator's side).
public struct IMSPublicKey: Sendable {
    let key: _RSA.Signing.PublicKey

    /// SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`) PEM, or a
    /// private key's PEM (its public half is used).
    public init(pem: String) throws {
        if pem.contains("PRIVATE KEY") {
            key = try IMSPrivateKey(pem: pem, source: "public key").key.publicKey
        } else {
            do {
                key = try _RSA.Signing.PublicKey(unsafePEMRepresentation: pem)
            } catch {
                throw CampaignError.badInput("the public key cannot be read as an RSA PEM key")
            }
        }
    }

    public var fingerprint: String { IMSFingerprint.of(key.derRepresentation) }

    public func isValidRS256(signature: Data, for data: Data) -> Bool {
        key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: data),
                             padding: .insecurePKCS1v1_5)
    }
}
