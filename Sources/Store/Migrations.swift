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

        migrator.registerMigration("0002_catalog") { db in
            try db.execute(sql: """
                -- Trigger events: the Campaign side of an Experience Cloud trigger.
                -- channel and targeting never change after creation. 'published'
                -- is the definition as last published (JSON), which routing uses;
                -- the other columns are the draft being edited.
                CREATE TABLE triggerEvent (
                    id TEXT PRIMARY KEY NOT NULL,
                    label TEXT NOT NULL,
                    analyticsTriggerId TEXT NOT NULL,
                    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
                    targeting TEXT NOT NULL CHECK (targeting IN ('event', 'profile')),
                    validitySeconds INTEGER NOT NULL CHECK (validitySeconds > 0),
                    fields TEXT NOT NULL,
                    emailField TEXT,
                    phoneField TEXT,
                    reconcileAlias TEXT,
                    reconcileField TEXT,
                    status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
                    published TEXT,
                    publishedAt DATETIME,
                    modifiedSincePublication INTEGER NOT NULL DEFAULT 0,
                    createdAt DATETIME NOT NULL,
                    updatedAt DATETIME NOT NULL,
                    CHECK ((status = 'published') = (published IS NOT NULL))
                );
                CREATE TRIGGER triggerEvent_immutable BEFORE UPDATE OF channel, targeting ON triggerEvent
                WHEN NEW.channel IS NOT OLD.channel OR NEW.targeting IS NOT OLD.targeting
                BEGIN SELECT RAISE(ABORT, 'channel and targeting never change after creation'); END;

                -- The one transactional template of a trigger event: its draft.
                CREATE TABLE transactionalTemplate (
                    triggerId TEXT PRIMARY KEY NOT NULL REFERENCES triggerEvent(id) ON DELETE CASCADE,
                    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'paused')),
                    subject TEXT,
                    sender TEXT,
                    replyTo TEXT,
                    html TEXT,
                    text TEXT,
                    smsText TEXT,
                    draftRevision INTEGER NOT NULL DEFAULT 0,
                    publishedVersion INTEGER,
                    createdAt DATETIME NOT NULL,
                    updatedAt DATETIME NOT NULL,
                    CHECK (status = 'draft' OR publishedVersion IS NOT NULL)
                );

                -- Published versions, frozen: never updated, numbered from 1.
                CREATE TABLE templateVersion (
                    triggerId TEXT NOT NULL REFERENCES transactionalTemplate(triggerId) ON DELETE CASCADE,
                    version INTEGER NOT NULL CHECK (version > 0),
                    subject TEXT,
                    sender TEXT,
                    replyTo TEXT,
                    html TEXT,
                    text TEXT,
                    smsText TEXT,
                    draftRevision INTEGER NOT NULL,
                    publishedAt DATETIME NOT NULL,
                    PRIMARY KEY (triggerId, version)
                ) WITHOUT ROWID;
                CREATE TRIGGER templateVersion_frozen BEFORE UPDATE ON templateVersion
                BEGIN SELECT RAISE(ABORT, 'a published template version is immutable'); END;

                -- Fake recipients holding event data for previews and proofs.
                CREATE TABLE testProfile (
                    name TEXT PRIMARY KEY NOT NULL,
                    email TEXT,
                    phone TEXT,
                    eventData TEXT NOT NULL,
                    triggerId TEXT REFERENCES triggerEvent(id) ON DELETE SET NULL,
                    createdAt DATETIME NOT NULL
                );

                -- Proofs: numbered per template ([Proof #N]), one row per recipient.
                CREATE TABLE proof (
                    id INTEGER PRIMARY KEY,
                    triggerId TEXT NOT NULL REFERENCES transactionalTemplate(triggerId) ON DELETE CASCADE,
                    number INTEGER NOT NULL,
                    draftRevision INTEGER NOT NULL,
                    publishedVersion INTEGER,
                    labelPrefix TEXT NOT NULL,
                    sentAt DATETIME NOT NULL,
                    UNIQUE (triggerId, number)
                );
                CREATE TABLE proofRecipient (
                    proofId INTEGER NOT NULL REFERENCES proof(id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    testProfile TEXT NOT NULL,
                    address TEXT NOT NULL,
                    result TEXT NOT NULL CHECK (result IN ('pending', 'sent', 'temporaryFailure', 'permanentFailure')),
                    detail TEXT,
                    PRIMARY KEY (proofId, position)
                ) WITHOUT ROWID;

                -- Instance options (Adobe's xtk:option), e.g. NmsPipeline_Config.
                CREATE TABLE option (
                    name TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL,
                    updatedAt DATETIME NOT NULL
                ) WITHOUT ROWID;
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

        migrator.registerMigration("0006_instance_key") { db in
            try db.execute(sql: """
                -- The fingerprint of the instance key that seals the secrets in
                -- this store (one row). 'auth rotate-key' replaces it in the
                -- same transaction that re-seals them: an interrupted rotation
                -- is finished or rolled back by comparing it with the key files.
                CREATE TABLE instanceKey (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    fingerprint TEXT NOT NULL,
                    updatedAt DATETIME NOT NULL
                );
                """)
        }

        migrator.registerMigration("0007_event_listing_index") { db in
            try db.execute(sql: """
                -- `events list --status S` shows the newest events of a status:
                -- walking this index backwards stops after the page, where the
                -- (status, nextAttemptAt) index made it sort every event of that
                -- status (a million processed ones on a busy instance).
                CREATE INDEX pipelineEvent_status_id ON pipelineEvent(status, id);
                """)
        }

        migrator.registerMigration("0008_event_envelopes_apart") { db in
            try db.execute(sql: """
                -- Each event's envelope in a table of its own, written once at
                -- ingest and read when the event is processed or shown. In the
                -- event row, the four status updates that processing makes per
                -- event rewrote the ~1.7 KB envelope and the pages holding it
                -- (9 rows per 16 KiB page instead of ~80): measured in
                -- docs/performance.md. Rewrites the event table once.
                CREATE TABLE pipelineEventEnvelope (
                    eventId INTEGER PRIMARY KEY REFERENCES pipelineEvent(id) ON DELETE CASCADE,
                    envelope BLOB NOT NULL
                );
                INSERT INTO pipelineEventEnvelope (eventId, envelope) SELECT id, envelope FROM pipelineEvent;
                ALTER TABLE pipelineEvent DROP COLUMN envelope;
                """)
        }

        migrator.registerMigration("0009_resends_by_sent_time") { db in
            try db.execute(sql: """
                -- A producer's resend is recognised by its messageId and
                -- sentTime together, in an index ordered by sentTime: new
                -- entries land at its end, where the messageId index took
                -- random UUIDs anywhere in an index as large as the store
                -- (each batch of 1,000 events rewrote ~1,000 of its pages:
                -- 12.8 MB of log per batch at 300,000 stored events, against
                -- 3.0 MB with this index; docs/performance.md). Stored events get their
                -- sentTime from their envelope; an event without one is keyed
                -- by its messageId alone (sentTime 0), as before.
                ALTER TABLE pipelineEvent ADD COLUMN sentTime INTEGER;
                UPDATE pipelineEvent SET sentTime = (
                    SELECT CASE WHEN json_valid(CAST(v.envelope AS TEXT))
                                 AND json_type(CAST(v.envelope AS TEXT), '$."com.adobe.mcloud.pipeline.pipelineMessage".header.sentTime') = 'integer'
                           THEN json_extract(CAST(v.envelope AS TEXT), '$."com.adobe.mcloud.pipeline.pipelineMessage".header.sentTime') END
                    FROM pipelineEventEnvelope v WHERE v.eventId = pipelineEvent.id)
                WHERE messageId IS NOT NULL;
                DROP INDEX pipelineEvent_messageId;
                CREATE UNIQUE INDEX pipelineEvent_resend ON pipelineEvent(coalesce(sentTime, 0), messageId) WHERE messageId IS NOT NULL;
                """)
        }

        migrator.registerMigration("0010_event_status_check_by_comparisons") { db in
            try db.execute(sql: """
                -- The event table again, its status checked by comparisons
                -- instead of an IN list: SQLite builds a temporary index of
                -- the nine names to check `status IN (...)` each time a row is
                -- inserted or its status changes, 38,000 of the ~100,000
                -- instructions an event's insert took (callgrind,
                -- docs/performance.md). Same columns, rows, ids and indexes;
                -- the tables that refer to it keep their rows (migrations run
                -- with foreign keys off, checked after).
                CREATE TABLE pipelineEvent_new (
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
                    status TEXT NOT NULL CHECK (status = 'pending' OR status = 'processing' OR status = 'paused'
                        OR status = 'processed' OR status = 'ignored' OR status = 'deliveryFailed'
                        OR status = 'routingFailed' OR status = 'tooOld' OR status = 'targetingFailed'),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    nextAttemptAt INTEGER,
                    firstFailureAt INTEGER,
                    lastError TEXT,
                    updatedAt INTEGER NOT NULL,
                    templateVersion INTEGER,
                    sendState TEXT CHECK (sendState = 'sending' OR sendState = 'sent'),
                    outboundMessageId TEXT,
                    targetAddress TEXT,
                    processedAt INTEGER,
                    sentTime INTEGER,
                    UNIQUE (consumer, topic, partition, partitionOffset)
                );
                INSERT INTO pipelineEvent_new
                    (id, consumer, topic, partition, partitionOffset, messageId, analyticsTriggerId, triggerEventId,
                     createTime, receivedAt, status, attempts, nextAttemptAt, firstFailureAt, lastError, updatedAt,
                     templateVersion, sendState, outboundMessageId, targetAddress, processedAt, sentTime)
                SELECT id, consumer, topic, partition, partitionOffset, messageId, analyticsTriggerId, triggerEventId,
                       createTime, receivedAt, status, attempts, nextAttemptAt, firstFailureAt, lastError, updatedAt,
                       templateVersion, sendState, outboundMessageId, targetAddress, processedAt, sentTime
                FROM pipelineEvent ORDER BY id;
                DROP TABLE pipelineEvent;
                ALTER TABLE pipelineEvent_new RENAME TO pipelineEvent;
                CREATE UNIQUE INDEX pipelineEvent_resend ON pipelineEvent(coalesce(sentTime, 0), messageId) WHERE messageId IS NOT NULL;
                CREATE INDEX pipelineEvent_status ON pipelineEvent(status, nextAttemptAt);
                CREATE INDEX pipelineEvent_status_id ON pipelineEvent(status, id);
                CREATE INDEX pipelineEvent_trigger ON pipelineEvent(triggerEventId, receivedAt);
                CREATE INDEX pipelineEvent_received ON pipelineEvent(receivedAt);
                """)
        }

        migrator.registerMigration("0011_listing_index_without_pending") { db in
            try db.execute(sql: """
                -- The listing index no longer holds pending events, so that
                -- storing an event writes one index fewer (~4,500 of the
                -- ~58,000 instructions of its insert; docs/performance.md) and
                -- processing it inserts one entry instead of moving one.
                -- Pending events are listed from the due index
                -- (pipelineEvent_status), whose entries of the new ones are
                -- in id order already.
                DROP INDEX pipelineEvent_status_id;
                CREATE INDEX pipelineEvent_status_id ON pipelineEvent(status, id) WHERE status <> 'pending';
                """)
        }

        return migrator
    }
}
