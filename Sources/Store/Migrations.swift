import GRDB

/// The schema, one numbered migration at a time. A migration that has shipped
/// is never edited: add a new one. Migrations use SQL strings, not app types,
/// so that they mean the same thing forever.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("0001_credentials") { db in
            try db.execute(sql: """
                CREATE TABLE credential (
                    name TEXT PRIMARY KEY NOT NULL,
                    type TEXT NOT NULL CHECK (type IN ('oauth', 'jwt')),
                    orgId TEXT NOT NULL,
                    clientId TEXT NOT NULL,
                    imsEndpoint TEXT NOT NULL,
                    scopes TEXT NOT NULL,
                    technicalAccountId TEXT,
                    metascope TEXT,
                    clientSecretSealed BLOB NOT NULL,
                    clientSecretFingerprint TEXT NOT NULL,
                    privateKeySealed BLOB,
                    privateKeyFingerprint TEXT,
                    createdAt DATETIME NOT NULL,
                    updatedAt DATETIME NOT NULL
                );
                -- One cached access token per IMS identity (endpoint, org,
                -- client, account), sealed like every other secret.
                CREATE TABLE imsToken (
                    cacheKey TEXT PRIMARY KEY NOT NULL,
                    tokenSealed BLOB NOT NULL,
                    obtainedAt DATETIME NOT NULL,
                    expiresAt DATETIME NOT NULL
                );
                """)
        }

        return migrator
    }
}
