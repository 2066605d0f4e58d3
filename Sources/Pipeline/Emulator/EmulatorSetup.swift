import CampaignCore
import Foundation
import Store

/// Builds what the emulator needs from an instance: the credentials its IMS
/// accepts, and the shoppers its generated triggers are about.
public enum EmulatorSetup {
    /// The IMS client that accepts a stored credential, as Adobe's Developer
    /// Console would have registered it.
    public static func client(for name: String, in store: InstanceStore) throws -> IMSEmulator.Client {
        let (credential, secrets) = try store.credentialWithSecrets(named: name)
        let publicKey = try secrets.privateKeyPEM.map { try IMSPublicKey(pem: $0) }
        return IMSEmulator.Client(clientId: credential.clientId, clientSecret: secrets.clientSecret, orgId: credential.orgId,
                                  scopes: Set(credential.scopes.isEmpty ? Credential.defaultScopes : credential.scopes),
                                  technicalAccountId: credential.technicalAccountId, publicKey: publicKey,
                                  metascope: credential.metascope ?? Credential.defaultMetascope)
    }

    /// Shoppers from a CSV whose header names some of email, customerId,
    /// mcId, firstName (plain comma-separated values, no quoting needed).
    public static func shoppers(csv url: URL) throws -> [GeneratedShopper] {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw CampaignError.notFound("cannot read \(url.path): \(error.localizedDescription)")
        }
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard !lines.isEmpty else { throw CampaignError.badInput("\(url.path) is empty", hint: "give a header row: email,customerId,mcId,firstName") }
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func column(_ name: String) -> Int? { header.firstIndex(of: name.lowercased()) }
        guard column("email") != nil || column("customerId") != nil || column("mcId") != nil else {
            throw CampaignError.badInput("\(url.path) line 1: the header names none of email, customerId, mcId")
        }
        var shoppers: [GeneratedShopper] = []
        for (index, line) in lines.enumerated() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == header.count else {
                throw CampaignError.badInput("\(url.path) line \(index + 2): \(cells.count) columns, the header has \(header.count)")
            }
            func value(_ name: String) -> String? { column(name).map { cells[$0] }.flatMap { $0.isEmpty ? nil : $0 } }
            let customer = value("customerId")
            shoppers.append(GeneratedShopper(mcId: value("mcId") ?? String(format: "%038llu", UInt64(index + 1) &* 7_919),
                                             customerId: customer, email: value("email"), firstName: value("firstName")))
        }
        return shoppers
    }
}
