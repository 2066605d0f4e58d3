import ArgumentParser

struct AuthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Manage Adobe IMS credentials and bind one to the instance.",
        discussion: """
        A credential is what the pipeline daemon shows Adobe IMS to get an access token: \
        OAuth server-to-server (client id + client secret) or the legacy service account \
        (JWT signed with a private key). Secrets are read from files or standard input, \
        never from flags, and are kept sealed with the instance key. Commands show them \
        as •••• with a short SHA-256 fingerprint.

        EXIT CODES (besides the usual): 69 when IMS cannot be reached or fails, 78 when \
        IMS refuses the credential (invalid_client, invalid_scope, invalid_signature, \
        invalid_token).

        EXAMPLES:
          campaignctl auth add adobe --type oauth --org-id ABC123@AdobeOrg \\
              --client-id 0123abcd --client-secret-file secret.txt
          campaignctl auth test adobe
          campaignctl auth list
        """,
        subcommands: [Add.self, List.self, Show.self, Remove.self, Test.self, Token.self, Use.self, RotateKey.self]
    )
}
