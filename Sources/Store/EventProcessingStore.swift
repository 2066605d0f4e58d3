import CampaignCore
import Foundation
import GRDB

/// A stored event handed to a processing worker: its lane's worker holds
/// it in memory until the outcome is written (`InstanceStore.dueEvents`).
public struct ClaimedEvent: Sendable, Equatable {
    public var id: Int64
    public var consumer: String
    public var topic: String
    public var partition: Int
    public var offset: Int64
    public var messageId: String?
    public var analyticsTriggerId: String?
    public var triggerEventId: String
    /// Epoch milliseconds from the envelope (when Analytics fired it).
    public var createTime: Int64?
    public var receivedAt: Date
    /// Attempts so far, this one included.
    public var attempts: Int
    public var firstFailureAt: Date?
    /// `sending` when an earlier attempt called the connector and the
    /// process stopped before it knew the result: the one window where a
    /// message may go out twice.
    public var sendState: String?
    public var envelope: Data

    public init(id: Int64, consumer: String, topic: String, partition: Int, offset: Int64, messageId: String?,
                analyticsTriggerId: String?, triggerEventId: String, createTime: Int64?, receivedAt: Date, attempts: Int,
                firstFailureAt: Date?, sendState: String?, envelope: Data) {
        self.id = id
        self.consumer = consumer
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.messageId = messageId
        self.analyticsTriggerId = analyticsTriggerId
        self.triggerEventId = triggerEventId
        self.createTime = createTime
        self.receivedAt = receivedAt
        self.attempts = attempts
        self.firstFailureAt = firstFailureAt
        self.sendState = sendState
        self.envelope = envelope
    }
}

/// What one attempt decided for an event.
public struct EventOutcome: Sendable, Equatable {
    public var status: EventStatus
    public var detail: String?
    /// Set for a temporary failure that will be retried.
    public var retryAt: Date?
    public var sent: Bool
    public var templateVersion: Int?
    public var targetAddress: String?
    public var outboundMessageId: String?

    public init(status: EventStatus, detail: String? = nil, retryAt: Date? = nil, sent: Bool = false,
                templateVersion: Int? = nil, targetAddress: String? = nil, outboundMessageId: String? = nil) {
        self.status = status
        self.detail = detail
        self.retryAt = retryAt
        self.sent = sent
        self.templateVersion = templateVersion
        self.targetAddress = targetAddress
        self.outboundMessageId = outboundMessageId
    }
}

/// A message about to be handed to a connector.
public struct PendingSend: Sendable, Equatable {
    public var eventId: Int64
    public var templateVersion: Int
    public var outboundMessageId: String
    public var targetAddress: String

    public init(eventId: Int64, templateVersion: Int, outboundMessageId: String, targetAddress: String) {
        self.eventId = eventId
        self.templateVersion = templateVersion
        self.outboundMessageId = outboundMessageId
        self.targetAddress = targetAddress
    }
}

/// What a restart found of the previous run's work.
public struct InterruptedWork: Sendable, Equatable {
    /// Events known to have been mid-attempt: handed to a connector (sent
    /// or not), or left `processing` by an older version (they go back to pending).
    public var requeued: Int
    /// Of those, messages handed to a connector whose result was never
    /// written: they are sent again with the same Message-ID.
    public var inFlightSends: Int

    public init(requeued: Int, inFlightSends: Int) {
        self.requeued = requeued
        self.inFlightSends = inFlightSends
    }
}

public struct EventSummary: Sendable, Codable, Equatable {
    public var id: Int64
    public var triggerEventId: String
    public var analyticsTriggerId: String?
    public var partition: Int
    public var offset: Int64
    public var status: EventStatus
    public var attempts: Int
    public var receivedAt: Date
    public var updatedAt: Date
    public var targetAddress: String?
    public var lastError: String?
}

public struct EventAttempt: Sendable, Codable, Equatable {
    public var attempt: Int
    public var at: Date
    public var outcome: String
    public var detail: String?
}

public struct EventDetail: Sendable, Codable, Equatable {
    public var summary: EventSummary
    public var consumer: String
    public var topic: String
    public var messageId: String?
    public var createTime: Date?
    public var templateVersion: Int?
    public var outboundMessageId: String?
    public var sendState: String?
    public var nextAttemptAt: Date?
    public var envelope: String
    public var attempts: [EventAttempt]
}

public struct EventFilter: Sendable, Equatable {
    public var status: EventStatus?
    public var triggerEventId: String?
    public var since: Date?
    public var limit: Int

    public init(status: EventStatus? = nil, triggerEventId: String? = nil, since: Date? = nil, limit: Int = 100) {
        self.status = status
        self.triggerEventId = triggerEventId
        self.since = since
        self.limit = limit
    }
}

/// One hour of one trigger's traffic ("Pipeline messages last 5 days").
public struct TriggerHour: Sendable, Codable, Equatable {
    public var hour: Date
    public var received: Int
    public var processed: Int
    public var sent: Int
    public var failed: Int
}

private func ms(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
private func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }

extension InstanceStore {
    /// Reads up to `limit` due events of one lane (partition modulo `lanes`):
    /// first retries whose time has come, then new events in arrival order.
    /// Nothing is written: each lane belongs to one worker, which records
    /// the outcome of what it read (`finishEvents`) before it reads again,
    /// and a crash leaves the events pending for the next start. (Marking
    /// them `processing` cost an update of every event and two index
    /// changes, 16 % of the workers' time: docs/performance.md.) Events of a
    /// partition arrive in offset order and a partition stays on its lane,
    /// so its order holds. Both reads walk the status index in order and
    /// stop at `limit`: the cost does not grow with the backlog. `excluding`:
    /// events whose outcome the worker could not write, left for the next start.
    public func dueEvents(lane: Int, lanes: Int, limit: Int, excluding: Set<Int64> = [], now: Date = Date()) throws -> [ClaimedEvent] {
        let nowMs = ms(now)
        let columns = """
            e.id, e.consumer, e.topic, e.partition, e.partitionOffset, e.messageId, e.analyticsTriggerId, e.triggerEventId,
            e.createTime, e.receivedAt, e.attempts, e.firstFailureAt, e.sendState, coalesce(v.envelope, X'')
            """
        // LEFT JOIN keeps the status index as the outer loop (and an event
        // without its envelope, which ingest never writes, is processed and
        // fails on the empty envelope instead of waiting forever).
        let tables = "pipelineEvent e INDEXED BY pipelineEvent_status LEFT JOIN pipelineEventEnvelope v ON v.eventId = e.id"
        let exclusion = excluding.isEmpty ? "" : "AND e.id NOT IN (SELECT value FROM json_each(?))"
        let excludedIds = excluding.isEmpty ? nil : "[" + excluding.sorted().map(String.init).joined(separator: ",") + "]"
        let lanes = max(1, lanes)
        return try read { db in
            let due = try db.cachedStatement(sql: """
                SELECT \(columns) FROM \(tables)
                WHERE e.status = 'pending' AND e.nextAttemptAt <= ? AND e.partition % ? = ? \(exclusion)
                ORDER BY e.nextAttemptAt, e.id LIMIT ?
                """)
            var events: [ClaimedEvent] = []
            events.reserveCapacity(limit)
            // Columns by position, in the order of `columns`.
            func collect(_ rows: RawStatement) throws {
                while try rows.next() {
                    events.append(ClaimedEvent(
                        id: rows.int64(0), consumer: rows.string(1), topic: rows.string(2), partition: rows.int(3),
                        offset: rows.int64(4), messageId: rows.optionalString(5), analyticsTriggerId: rows.optionalString(6),
                        triggerEventId: rows.string(7), createTime: rows.optionalInt64(8),
                        receivedAt: date(rows.int64(9)), attempts: rows.int(10) + 1,
                        firstFailureAt: rows.optionalInt64(11).map(date), sendState: rows.optionalString(12),
                        envelope: rows.data(13)))
                }
            }
            var dueRows = RawStatement(due)
            dueRows.bind(nowMs)
            dueRows.bind(lanes)
            dueRows.bind(lane)
            if let excludedIds { dueRows.bind(excludedIds) }
            dueRows.bind(limit)
            try collect(dueRows)
            if events.count < limit {
                let new = try db.cachedStatement(sql: """
                    SELECT \(columns) FROM \(tables)
                    WHERE e.status = 'pending' AND e.nextAttemptAt IS NULL AND e.partition % ? = ? \(exclusion)
                    ORDER BY e.id LIMIT ?
                    """)
                var newRows = RawStatement(new)
                newRows.bind(lanes)
                newRows.bind(lane)
                if let excludedIds { newRows.bind(excludedIds) }
                newRows.bind(limit - events.count)
                try collect(newRows)
            }
            return events
        }
    }

    /// Records, before any connector is called, which messages are about to
    /// go out. Returns the ids that may be sent: an event already marked
    /// `sent` is never sent again.
    public func beginSends(_ sends: [PendingSend], now: Date = Date()) throws -> Set<Int64> {
        guard !sends.isEmpty else { return [] }
        let nowMs = ms(now)
        return try write { db in
            var allowed = Set<Int64>()
            let mark = try db.cachedStatement(sql: """
                UPDATE pipelineEvent
                SET sendState = 'sending', templateVersion = ?, outboundMessageId = ?, targetAddress = ?, updatedAt = ?
                WHERE id = ? AND (sendState IS NULL OR sendState = 'sending')
                """)
            for send in sends {
                var call = RawStatement(mark)
                call.bind(send.templateVersion)
                call.bind(send.outboundMessageId)
                call.bind(send.targetAddress)
                call.bind(nowMs)
                call.bind(send.eventId)
                try call.execute()
                if db.changesCount == 1 { allowed.insert(send.eventId) }
            }
            return allowed
        }
    }

    /// Records that the relay accepted these events' messages, before the
    /// rest of their batch is done: a crash after this never resends them.
    public func markSent(eventIds: [Int64], now: Date = Date()) throws {
        guard !eventIds.isEmpty else { return }
        let nowMs = ms(now)
        try write { db in
            let mark = try db.cachedStatement(sql: """
                UPDATE pipelineEvent SET sendState = 'sent', updatedAt = ? WHERE id = ? AND sendState = 'sending'
                """)
            for id in eventIds {
                var call = RawStatement(mark)
                call.bind(nowMs)
                call.bind(id)
                try call.execute()
            }
        }
    }

    /// Writes the outcome of one attempt for each event, in one transaction.
    public func finishEvents(_ outcomes: [(eventId: Int64, outcome: EventOutcome)], now: Date = Date()) throws {
        guard !outcomes.isEmpty else { return }
        let nowMs = ms(now)
        try write { db in
            let update = try db.cachedStatement(sql: """
                UPDATE pipelineEvent SET
                    status = ?,
                    attempts = attempts + 1,
                    lastError = CASE WHEN ? THEN lastError ELSE ? END,
                    nextAttemptAt = ?,
                    firstFailureAt = CASE WHEN ? IS NOT NULL THEN coalesce(firstFailureAt, ?) ELSE firstFailureAt END,
                    sendState = CASE WHEN ? THEN 'sent' ELSE NULL END,
                    templateVersion = coalesce(?, templateVersion),
                    targetAddress = coalesce(?, targetAddress),
                    outboundMessageId = coalesce(?, outboundMessageId),
                    processedAt = CASE WHEN ? THEN ? ELSE processedAt END,
                    updatedAt = ?
                WHERE id = ?
                """)
            let attempt = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO pipelineEventAttempt (eventId, attempt, at, outcome, detail)
                SELECT id, attempts, ?, ?, ? FROM pipelineEvent WHERE id = ?
                """)
            for (eventId, outcome) in outcomes {
                let isSuccess = outcome.status == .processed
                let retryMs = outcome.retryAt.map(ms)
                var change = RawStatement(update)
                change.bind(outcome.status.rawValue)
                change.bind(isSuccess)
                change.bind(outcome.detail)
                change.bind(retryMs)
                change.bind(retryMs)
                change.bind(nowMs)
                change.bind(outcome.sent)
                change.bind(outcome.templateVersion)
                change.bind(outcome.targetAddress)
                change.bind(outcome.outboundMessageId)
                change.bind(outcome.status.isFinal)
                change.bind(nowMs)
                change.bind(nowMs)
                change.bind(eventId)
                try change.execute()
                var history = RawStatement(attempt)
                history.bind(nowMs)
                history.bind(outcome.status == .pending ? "retry" : outcome.status.rawValue)
                history.bind(outcome.detail)
                history.bind(eventId)
                try history.execute()
            }
        }
    }

    /// At start: what the previous run left mid-attempt. Events being
    /// processed stay `pending` (their outcome was never written); those
    /// marked `sending` were handed to a connector and go out again with the
    /// same Message-ID. Rows left `processing` by versions that marked
    /// events while processing them go back to `pending`.
    public func recoverInterruptedEvents(now: Date = Date()) throws -> InterruptedWork {
        try write { db in
            // One pass over the unfinished events. A pending event `sent` but
            // not recorded as such is recorded without a second send.
            let found = try Row.fetchOne(db, sql: """
                SELECT coalesce(sum(sendState = 'sending'), 0) AS inFlight,
                       coalesce(sum(status = 'pending'), 0) AS pendingInFlight
                FROM pipelineEvent WHERE status IN ('pending', 'processing') AND sendState IS NOT NULL
                """)
            let inFlight: Int = found?["inFlight"] ?? 0
            let pendingInFlight: Int = found?["pendingInFlight"] ?? 0
            try db.execute(sql: "UPDATE pipelineEvent SET status = 'pending', updatedAt = ? WHERE status = 'processing'",
                           arguments: [ms(now)])
            return InterruptedWork(requeued: db.changesCount + pendingInFlight, inFlightSends: inFlight)
        }
    }

    /// Paused events of triggers whose template is published again go back
    /// to pending (the processor then checks their validity).
    public func requeuePausedEvents(triggerEventIds: [String], now: Date = Date()) throws -> Int {
        guard !triggerEventIds.isEmpty else { return 0 }
        return try write { db in
            let placeholders = databaseQuestionMarks(count: triggerEventIds.count)
            try db.execute(sql: """
                UPDATE pipelineEvent SET status = 'pending', nextAttemptAt = NULL, updatedAt = ?
                WHERE status = 'paused' AND triggerEventId IN (\(placeholders))
                """, arguments: StatementArguments([ms(now)] + triggerEventIds.map { $0 as any DatabaseValueConvertible }))
            return db.changesCount
        }
    }

    /// Events waiting for a retry.
    public func retryingEventCount() throws -> Int {
        try read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM pipelineEvent WHERE status = 'pending' AND nextAttemptAt IS NOT NULL") ?? 0
        }
    }

    /// The soonest time a pending event becomes due, if any is waiting.
    public func nextDueTime() throws -> Date? {
        try read { db in
            try Int64.fetchOne(db, sql: "SELECT min(coalesce(nextAttemptAt, 0)) FROM pipelineEvent WHERE status = 'pending'").map(date)
        }
    }

    /// The newest events that pass `filter`, newest first.
    public func events(_ filter: EventFilter) throws -> [EventSummary] {
        let (sql, arguments) = Self.listing(filter)
        return try read { db in try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.summary) }
    }

    /// The query of `events(_:)`. Each status is walked backwards on an
    /// index and stops after the page: a pending event on the due index
    /// (`pipelineEvent_status`: the new ones, without a retry time, in id
    /// order; the few waiting for a retry sorted), any other on the listing
    /// index, which leaves pending events out (migration 0011) and is chosen
    /// by its `status <> 'pending'` term.
    static func listing(_ filter: EventFilter) -> (sql: String, arguments: StatementArguments) {
        var clauses: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let trigger = filter.triggerEventId { clauses.append("triggerEventId = ?"); arguments.append(trigger) }
        if let since = filter.since { clauses.append("receivedAt >= ?"); arguments.append(ms(since)) }
        func page(_ statusClauses: [String]) -> String {
            let conditions = statusClauses + clauses
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return """
                SELECT id, triggerEventId, analyticsTriggerId, partition, partitionOffset, status, attempts, receivedAt,
                       updatedAt, targetAddress, lastError
                FROM pipelineEvent \(whereClause) ORDER BY id DESC LIMIT ?
                """
        }
        switch filter.status {
        case .pending?:
            let sql = """
                SELECT * FROM (\(page(["status = 'pending'", "nextAttemptAt IS NULL"])))
                UNION ALL
                SELECT * FROM (\(page(["status = 'pending'", "nextAttemptAt IS NOT NULL"])))
                ORDER BY id DESC LIMIT ?
                """
            return (sql, StatementArguments(arguments + [filter.limit] + arguments + [filter.limit, filter.limit]))
        case let status?:
            return (page(["status = ?", "status <> 'pending'"]), StatementArguments([status.rawValue] + arguments + [filter.limit]))
        case nil:
            return (page([]), StatementArguments(arguments + [filter.limit]))
        }
    }

    public func event(id: Int64) throws -> EventDetail {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT e.*, coalesce(v.envelope, X'') AS envelope
                FROM pipelineEvent e LEFT JOIN pipelineEventEnvelope v ON v.eventId = e.id WHERE e.id = ?
                """, arguments: [id]) else {
                throw CampaignError.notFound("no event \(id)", hint: "list events with: campaignctl events list")
            }
            let attempts = try Row.fetchAll(db, sql: """
                SELECT attempt, at, outcome, detail FROM pipelineEventAttempt WHERE eventId = ? ORDER BY attempt
                """, arguments: [id]).map {
                EventAttempt(attempt: $0["attempt"], at: date($0["at"]), outcome: $0["outcome"], detail: $0["detail"])
            }
            return EventDetail(
                summary: Self.summary(row), consumer: row["consumer"], topic: row["topic"], messageId: row["messageId"],
                createTime: (row["createTime"] as Int64?).map(date), templateVersion: row["templateVersion"],
                outboundMessageId: row["outboundMessageId"], sendState: row["sendState"],
                nextAttemptAt: (row["nextAttemptAt"] as Int64?).map(date),
                envelope: String(decoding: row["envelope"] as Data, as: UTF8.self), attempts: attempts)
        }
    }

    /// Puts failed events back in the queue. Only events that were not sent
    /// can be retried: a processed event is never sent twice.
    public func retryEvents(ids: [Int64]? = nil, status: EventStatus? = nil, now: Date = Date()) throws -> Int {
        if let status, !status.isFinal || status == .processed {
            throw CampaignError.badInput("events in status '\(status.rawValue)' cannot be retried",
                                         hint: "retry one of: deliveryFailed, routingFailed, tooOld, targetingFailed, ignored")
        }
        return try write { db in
            var count = 0
            let retryable = "status IN ('deliveryFailed', 'routingFailed', 'tooOld', 'targetingFailed', 'ignored')"
            if let ids {
                for id in ids {
                    guard let current = try String.fetchOne(db, sql: "SELECT status FROM pipelineEvent WHERE id = ?", arguments: [id]) else {
                        throw CampaignError.notFound("no event \(id)", hint: "list events with: campaignctl events list")
                    }
                    try db.execute(sql: """
                        UPDATE pipelineEvent SET status = 'pending', nextAttemptAt = NULL, firstFailureAt = NULL, updatedAt = ?
                        WHERE id = ? AND \(retryable)
                        """, arguments: [ms(now), id])
                    guard db.changesCount == 1 else {
                        throw CampaignError.badInput("event \(id) is '\(current)' and cannot be retried",
                                                     hint: "only failed, ignored or expired events can be retried")
                    }
                    count += 1
                }
            } else if let status {
                try db.execute(sql: """
                    UPDATE pipelineEvent SET status = 'pending', nextAttemptAt = NULL, firstFailureAt = NULL, updatedAt = ?
                    WHERE status = ?
                    """, arguments: [ms(now), status.rawValue])
                count = db.changesCount
            }
            return count
        }
    }

    /// Deletes events received before `cutoff` that nothing will change any
    /// more (Adobe purges triggers older than 3 days daily).
    public func purgeEvents(receivedBefore cutoff: Date) throws -> Int {
        try write { db in
            try db.execute(sql: """
                DELETE FROM pipelineEvent
                WHERE receivedAt < ? AND status NOT IN ('pending', 'processing', 'paused')
                """, arguments: [ms(cutoff)])
            return db.changesCount
        }
    }

    /// Received / processed / sent / failed per hour for one trigger event,
    /// from `since` to now, oldest first, every hour present.
    public func triggerReport(triggerEventId: String, since: Date, now: Date = Date()) throws -> [TriggerHour] {
        let hourMs: Int64 = 3_600_000
        let start = ms(since) / hourMs * hourMs
        let end = ms(now) / hourMs * hourMs
        let buckets = try read { db in
            var byHour: [Int64: TriggerHour] = [:]
            let received = try Row.fetchCursor(db, sql: """
                SELECT receivedAt / 3600000 * 3600000 AS hour, count(*) AS n FROM pipelineEvent
                WHERE triggerEventId = ? AND receivedAt >= ? GROUP BY hour
                """, arguments: [triggerEventId, start])
            while let row = try received.next() {
                let hour: Int64 = row["hour"]
                byHour[hour, default: TriggerHour(hour: date(hour), received: 0, processed: 0, sent: 0, failed: 0)].received = row["n"]
            }
            let finished = try Row.fetchCursor(db, sql: """
                SELECT processedAt / 3600000 * 3600000 AS hour,
                       count(*) AS processed,
                       sum(sendState = 'sent') AS sent,
                       sum(status IN ('deliveryFailed', 'routingFailed', 'tooOld', 'targetingFailed')) AS failed
                FROM pipelineEvent
                WHERE triggerEventId = ? AND processedAt >= ? GROUP BY hour
                """, arguments: [triggerEventId, start])
            while let row = try finished.next() {
                let hour: Int64 = row["hour"]
                var bucket = byHour[hour] ?? TriggerHour(hour: date(hour), received: 0, processed: 0, sent: 0, failed: 0)
                bucket.processed = row["processed"]
                bucket.sent = row["sent"] ?? 0
                bucket.failed = row["failed"] ?? 0
                byHour[hour] = bucket
            }
            return byHour
        }
        return stride(from: start, through: end, by: Int(hourMs)).map {
            buckets[$0] ?? TriggerHour(hour: date($0), received: 0, processed: 0, sent: 0, failed: 0)
        }
    }

    private static func summary(_ row: Row) -> EventSummary {
        EventSummary(
            id: row["id"], triggerEventId: row["triggerEventId"], analyticsTriggerId: row["analyticsTriggerId"],
            partition: row["partition"], offset: row["partitionOffset"],
            status: EventStatus(rawValue: row["status"]) ?? .pending, attempts: row["attempts"],
            receivedAt: date(row["receivedAt"]), updatedAt: date(row["updatedAt"]),
            targetAddress: row["targetAddress"], lastError: row["lastError"])
    }
}
