import CampaignCore
import Crypto
import Foundation

/// The instance key: 256 random bits in `var/NAME/instance.key` (mode 0600)
/// that seal every secret the instance keeps, in the store and in the XML config.
public struct InstanceKey: Sendable {
    let key: SymmetricKey

    init(key: SymmetricKey) { self.key = key }

    /// Creates a new random key file; refuses to overwrite one.
    public static func create(at url: URL) throws -> InstanceKey {
        let key = SymmetricKey(size: .bits256)
        let data = key.withUnsafeBytes { Data($0) }
        try writePrivately(data.base64EncodedString() + "\n", to: url, overwrite: false)
        return InstanceKey(key: key)
    }

    public static func load(from url: URL) throws -> InstanceKey {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw CampaignError.configuration("cannot read the instance key \(url.path)",
                                              hint: "the key is created by 'campaignctl instance init'; restore it from backup")
        }
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
            throw CampaignError.configuration("the instance key \(url.path) is not 32 base64-encoded bytes")
        }
        return InstanceKey(key: SymmetricKey(data: data))
    }

    /// Creates a fresh random key (for rotation), not yet written anywhere.
    public static func random() -> InstanceKey { InstanceKey(key: SymmetricKey(size: .bits256)) }

    public func write(to url: URL) throws {
        let data = key.withUnsafeBytes { Data($0) }
        try writePrivately(data.base64EncodedString() + "\n", to: url, overwrite: true)
    }

    /// AES-GCM: nonce, ciphertext and tag in one blob.
    public func seal(_ plaintext: Data) throws -> Data {
        guard let combined = try AES.GCM.seal(plaintext, using: key).combined else {
            throw CampaignError(.failure, "AES-GCM sealing produced no output")
        }
        return combined
    }

    public func open(_ sealed: Data) throws -> Data {
        do {
            return try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key)
        } catch {
            throw CampaignError.configuration("a stored secret cannot be decrypted with this instance's key",
                                              hint: "was the instance key replaced? re-add the credential with 'campaignctl auth add'")
        }
    }

    /// Adobe's form for encrypted config values: `@` followed by base64.
    public func sealForConfig(_ plaintext: String) throws -> String {
        "@" + (try seal(Data(plaintext.utf8))).base64EncodedString()
    }

    public func openFromConfig(_ value: String) throws -> String {
        guard value.hasPrefix("@"), let data = Data(base64Encoded: String(value.dropFirst())) else {
            throw CampaignError.configuration("an encrypted config value must start with '@' followed by base64")
        }
        return String(decoding: try open(data), as: UTF8.self)
    }
}

/// Writes a file readable by its owner only, atomically.
func writePrivately(_ text: String, to url: URL, overwrite: Bool) throws {
    let fm = FileManager.default
    if !overwrite, fm.fileExists(atPath: url.path) {
        throw CampaignError(.cannotCreate, "\(url.path) already exists; refusing to overwrite it")
    }
    let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    guard fm.createFile(atPath: temporary.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
        throw CampaignError(.cannotCreate, "cannot write \(temporary.path)")
    }
    guard rename(temporary.path, url.path) == 0 else {
        try? fm.removeItem(at: temporary)
        throw CampaignError(.cannotCreate, "cannot move \(temporary.path) to \(url.path): \(String(cString: strerror(errno)))")
    }
}
