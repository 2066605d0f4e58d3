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

        migrator.registerMigration("0004_profiles") { db in
            try db.execute(sql: """
                -- Recipients of profile-targeted triggers. Aliases are not
                -- unique: reconciliation must see when several profiles match.
                CREATE TABLE profile (
                    id INTEGER PRIMARY KEY,
                    email TEXT,
                    phone TEXT,
                    firstName TEXT,
                    lastName TEXT,
                    locale TEXT,
                    mcId TEXT,
                    visitorId TEXT,
                    customerId TEXT,
                    attributes TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
                    createdAt DATETIME NOT NULL,
                    updatedAt DATETIME NOT NULL
                );
                CREATE INDEX profile_email ON profile(email);
                CREATE INDEX profile_phone ON profile(phone);
                CREATE INDEX profile_mcId ON profile(mcId);
                CREATE INDEX profile_visitorId ON profile(visitorId);
                CREATE INDEX profile_customerId ON profile(customerId);

                -- Addresses never sent to: a lowercased email, or '+' and digits.
                CREATE TABLE denylist (
                    address TEXT PRIMARY KEY NOT NULL,
                    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
                    reason TEXT,
                    addedAt DATETIME NOT NULL
                ) WITHOUT ROWID;
                """)
        }

        migrator.registerMigration("0005_pipeline_events") { db in
            try db.execute(sql: """
                -- Every accepted trigger event, with its raw envelope. A replay
                -- after a reconnect or a crash is recognised by its partition
                -- and offset, or by the producer's messageId.
                CREATE TABLE pipelineEvent (
                    id INTEGER PRIMARY KEY,
                    consumer TEXT NOT NULL,
                    topic TEXT NOT NULL,
                    partition INTEGER NOT NULL,
                    partitionOffset INTEGER NOT NULL,
                    messageId TEXT,
                    analyticsTriggerId TEXT,
                    triggerEventId TEXT NOT NULL,
                    createTime INTEGER,
                    receivedAt INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'paused', 'processed', 'ignored',
                        'deliveryFailed', 'routingFailed', 'tooOld', 'targetingFailed')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    nextAttemptAt INTEGER,
                    firstFailureAt INTEGER,
                    lastError TEXT,
                    updatedAt INTEGER NOT NULL,
                    envelope BLOB NOT NULL,
                    UNIQUE (consumer, topic, partition, partitionOffset)
                );
                CREATE UNIQUE INDEX pipelineEvent_messageId ON pipelineEvent(messageId) WHERE messageId IS NOT NULL;
                CREATE INDEX pipelineEvent_status ON pipelineEvent(status, nextAttemptAt);
                CREATE INDEX pipelineEvent_trigger ON pipelineEvent(triggerEventId, receivedAt);

                -- The last stored offset of each partition (Adobe's xtk:pipelineOffset).
                CREATE TABLE pipelineOffset (
                    consumer TEXT NOT NULL,
                    topic TEXT NOT NULL,
                    partition INTEGER NOT NULL,
                    lastOffset INTEGER NOT NULL,
                    updatedAt INTEGER NOT NULL,
                    PRIMARY KEY (consumer, topic, partition)
                ) WITHOUT ROWID;
                """)
        }

        return migrator
    }
}
