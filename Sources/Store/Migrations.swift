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

        migrator.registerMigration("0003_external_accounts") { db in
            try db.execute(sql: """
                -- Delivery accounts (an SMSC over SMPP, mail relays): settings
                -- in clear as a JSON object, the secret sealed by the instance key.
                CREATE TABLE externalAccount (
                    name TEXT PRIMARY KEY NOT NULL,
                    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
                    type TEXT NOT NULL,
                    settings TEXT NOT NULL CHECK (json_valid(settings)),
                    secretSealed BLOB,
                    createdAt DATETIME NOT NULL,
                    updatedAt DATETIME NOT NULL
                );
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
                    -- Delivery bookkeeping for "at most one send per event and
                    -- template version": 'sending' is written before the
                    -- connector is called, 'sent' once it accepted.
                    templateVersion INTEGER,
                    sendState TEXT CHECK (sendState IN ('sending', 'sent')),
                    outboundMessageId TEXT,
                    targetAddress TEXT,
                    processedAt INTEGER,
                    UNIQUE (consumer, topic, partition, partitionOffset)
                );
                CREATE UNIQUE INDEX pipelineEvent_messageId ON pipelineEvent(messageId) WHERE messageId IS NOT NULL;
                CREATE INDEX pipelineEvent_status ON pipelineEvent(status, nextAttemptAt);
                CREATE INDEX pipelineEvent_trigger ON pipelineEvent(triggerEventId, receivedAt);
                CREATE INDEX pipelineEvent_received ON pipelineEvent(receivedAt);

                -- Every processing attempt of an event, for `events show`.
                CREATE TABLE pipelineEventAttempt (
                    eventId INTEGER NOT NULL REFERENCES pipelineEvent(id) ON DELETE CASCADE,
                    attempt INTEGER NOT NULL,
                    at INTEGER NOT NULL,
                    outcome TEXT NOT NULL,
                    detail TEXT,
                    PRIMARY KEY (eventId, attempt)
                ) WITHOUT ROWID;

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
