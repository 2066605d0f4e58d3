import ArgumentParser
import CampaignCore
import Foundation
import Pipeline

/// Reads a secret from a file, or from standard input for `-`.
enum SecretFile {
    static func read(_ path: String, what: String) throws -> (text: String, source: String) {
        if path == "-" {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            return (String(decoding: data, as: UTF8.self), "standard input")
        }
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw CampaignError.notFound("\(what) file \(path) does not exist", hint: "pass the path of the file that holds the \(what)")
        }
        do {
            let data = try Data(contentsOf: url)
            guard data.count <= 64 * 1024 else { throw CampaignError.badInput("\(what) file \(path) is larger than 64 KiB") }
            guard let text = String(data: data, encoding: .utf8) else {
                throw CampaignError.badInput("\(what) file \(path) is not UTF-8 text", hint: "pass the PEM or text form")
            }
            return (text, path)
        } catch let error as CampaignError {
            throw error
        } catch {
            throw CampaignError.badInput("cannot read \(what) file \(path): \(error.localizedDescription)")
        }
    }
}

extension AuthCommand {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an IMS credential (OAuth server-to-server or service account JWT).",
            discussion: """
            Checks every field before storing anything: the org id ends in @AdobeOrg, the \
            technical account id in @techacct.adobe.com, the IMS endpoint is https (http only \
            for 127.0.0.1, ::1 or localhost), and the private key is an unencrypted RSA key of \
            at least 2048 bits, PKCS#1 ('BEGIN RSA PRIVATE KEY') or PKCS#8 ('BEGIN PRIVATE KEY') \
            PEM, or the base64 of that PEM file (what Adobe's -setimsjwtauth takes). The client \
            secret and the private key are sealed with the instance key; no request is sent to \
            IMS (use 'auth test' for that).

            Secrets come from files, or '-' for standard input (one per call).

            EXAMPLES:
              campaignctl auth add adobe --type oauth --org-id ABC123@AdobeOrg \\
                  --client-id 0123abcd --client-secret-file secret.txt
              pass show adobe/secret | campaignctl auth add adobe --type oauth \\
                  --org-id ABC123@AdobeOrg --client-id 0123abcd --client-secret-file - \\
                  --scopes openid,AdobeID,additional_info.projectedProductContext --replace
              campaignctl auth add legacy --type jwt --org-id ABC123@AdobeOrg \\
                  --client-id 0123abcd --client-secret-file secret.txt \\
                  --technical-account-id DEF456@techacct.adobe.com \\
                  --private-key-file private.key
            """
        )

        @Argument(help: "The credential name: letters, digits, '_', '-' or '.'.")
        var name: String

        @Option(name: .long, help: ArgumentHelp("oauth (server-to-server) or jwt (service account).", valueName: "oauth|jwt"),
                completion: .list(CredentialType.allCases.map(\.rawValue)))
        var type: String

        @Option(name: .customLong("org-id"), help: ArgumentHelp("The IMS organization id, …@AdobeOrg.", valueName: "id"))
        var orgId: String

        @Option(name: .customLong("client-id"), help: ArgumentHelp("The client id (API key).", valueName: "id"))
        var clientId: String

        @Option(name: .customLong("client-secret-file"), help: ArgumentHelp("File holding the client secret, or - for standard input.", valueName: "file"),
                completion: .file())
        var clientSecretFile: String

        @Option(name: .long, help: ArgumentHelp("OAuth scopes, comma-separated (default: \(Credential.defaultScopes.joined(separator: ","))).", valueName: "a,b"))
        var scopes: String?

        @Option(name: .customLong("ims-endpoint"), help: ArgumentHelp("The IMS base URL (default: \(Credential.defaultIMSEndpoint)).", valueName: "url"))
        var imsEndpoint: String?

        @Option(name: .customLong("technical-account-id"), help: ArgumentHelp("The technical account id, …@techacct.adobe.com (required for jwt).", valueName: "id"))
        var technicalAccountId: String?

        @Option(name: .customLong("private-key-file"), help: ArgumentHelp("PEM file of the RSA private key (jwt), or - for standard input.", valueName: "file"),
                completion: .file())
        var privateKeyFile: String?

        @Option(name: .customLong("private-key-base64-file"), help: ArgumentHelp("File holding the base64 of the PEM private key (jwt), or -.", valueName: "file"),
                completion: .file())
        var privateKeyBase64File: String?

        @Option(name: .long, help: ArgumentHelp("The JWT metascope (default: \(Credential.defaultMetascope)).", valueName: "name"))
        var metascope: String?

        @Flag(name: .long, help: "Overwrite a credential of the same name (its cached token is dropped).")
        var replace = false

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard CredentialType(rawValue: type) != nil else {
                throw ValidationError("--type must be oauth or jwt, got '\(type)'")
            }
            if privateKeyFile != nil && privateKeyBase64File != nil {
                throw ValidationError("pass either --private-key-file or --private-key-base64-file, not both")
            }
            let stdinUses = [clientSecretFile, privateKeyFile, privateKeyBase64File].filter { $0 == "-" }.count
            if stdinUses > 1 {
                throw ValidationError("only one secret can come from standard input (-) per call; put the other in a file")
            }
        }

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            let secret = try SecretFile.read(clientSecretFile, what: "client secret")
            var key: IMSCredentialInput.PrivateKeyText?
            if let privateKeyFile {
                let read = try SecretFile.read(privateKeyFile, what: "private key")
                key = .pem(read.text, source: read.source)
            } else if let privateKeyBase64File {
                let read = try SecretFile.read(privateKeyBase64File, what: "private key (base64)")
                key = .base64(read.text, source: read.source)
            }
            let input = IMSCredentialInput(
                name: name, type: CredentialType(rawValue: type) ?? .oauth, orgId: orgId, clientId: clientId,
                clientSecret: secret.text, clientSecretSource: secret.source,
                scopes: scopes.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } },
                imsEndpoint: imsEndpoint, technicalAccountId: technicalAccountId, privateKey: key, metascope: metascope)
            let credential = try IMSCredentials.add(input, to: store, replace: replace)
            if !output.json {
                Terminal.note("\(replace ? "saved" : "added") credential '\(credential.name)' (\(credential.type.rawValue)); check it with: campaignctl auth test \(credential.name)")
            }
            try output.emit(CredentialReport(credential: CredentialView(credential)))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the instance's IMS credentials (secrets masked).",
            discussion: """
            EXAMPLES:
              campaignctl auth list
              campaignctl auth list --json
            """
        )

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            try output.emit(CredentialListReport(credentials: try store.credentials().map { CredentialView($0) }))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one IMS credential: secrets as •••• with their SHA-256 fingerprints.",
            discussion: """
            The client secret fingerprint is the first 12 hex digits of SHA-256 of the secret; \
            the private key fingerprint is the same over the public key's DER. Compare them \
            with a file you hold: printf %s "$(cat secret.txt)" | sha256sum | cut -c1-12. \
            The cached access token's expiry is shown, never the token.

            EXAMPLES:
              campaignctl auth show adobe
              campaignctl auth show adobe --json
            """
        )

        @Argument(help: "The credential name.")
        var name: String

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            let (credential, token) = try IMSCredentials.describe(named: name, in: store)
            try output.emit(CredentialReport(credential: CredentialView(credential, cachedToken: token), showToken: true))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove an IMS credential and its cached token.",
            discussion: """
            EXAMPLES:
              campaignctl auth remove old-adobe
            """
        )

        @Argument(help: "The credential name.")
        var name: String

        @OptionGroup var instanceOptions: InstanceOptions

        func run() throws {
            let (_, store) = try instanceOptions.openStore()
            try store.removeCredential(named: name)
            Terminal.note("removed credential '\(name)'")
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Get a fresh access token from IMS with a credential, and cache it.",
            discussion: """
            Sends the credential to IMS (client_credentials at /ims/token/v3, or a signed JWT \
            at /ims/exchange/jwt), caches the token sealed in the store, and prints the \
            credential, org, technical account and expiry. The token is never printed.

            Exit 78 when IMS refuses the credential (the error and IMS's description are \
            shown with a hint), 69 when IMS cannot be reached or fails.

            EXAMPLES:
              campaignctl auth test adobe
              campaignctl auth test adobe --json
            """
        )

        @Argument(help: "The credential name.")
        var name: String

        @Option(name: .long, help: ArgumentHelp("Seconds to wait for IMS.", valueName: "seconds"))
        var timeout: Double = 30

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard timeout > 0, timeout <= 600 else { throw ValidationError("--timeout must be between 0 and 600 seconds") }
        }

        func run() async throws {
            let (_, store) = try instanceOptions.openStore()
            let provider = IMSTokenProvider(store: store, credentialName: name, client: IMSClient(timeout: timeout))
            let result = try await provider.token(forceRenewal: true)
            if !output.json { Terminal.note("IMS issued a token for credential '\(name)'") }
            try output.emit(AuthTestReport(result.credential, token: result.token))
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a valid access token (for scripts): the cached one, or a new one.",
            discussion: """
            Prints only the bearer token on standard output, reusing the cached token until \
            90 % of its life has passed. Treat the output as a secret.

            EXAMPLES:
              curl -H "Authorization: Bearer $(campaignctl auth token adobe)" https://…
              campaignctl auth token adobe --json
            """
        )

        @Argument(help: "The credential name.")
        var name: String

        @Option(name: .long, help: ArgumentHelp("Seconds to wait for IMS.", valueName: "seconds"))
        var timeout: Double = 30

        @OptionGroup var instanceOptions: InstanceOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard timeout > 0, timeout <= 600 else { throw ValidationError("--timeout must be between 0 and 600 seconds") }
        }

        func run() async throws {
            let (_, store) = try instanceOptions.openStore()
            let provider = IMSTokenProvider(store: store, credentialName: name, client: IMSClient(timeout: timeout))
            let result = try await provider.token()
            try output.emit(AuthTokenReport(accessToken: result.token.value, expiresAt: result.token.expiresAt))
        }
    }
}
