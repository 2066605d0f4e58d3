import CampaignCore
import Foundation
import GRDB

/// How an import commits.
public enum ProfileImportCommit: Sendable, Equatable {
    /// One transaction for the whole import: all or nothing.
    case atomic
    /// A commit every N rows, so a long import never holds the write lock
    /// for long (used with --skip-invalid).
    case every(Int)
}

public struct ProfileImportCounts: Sendable, Equatable, Codable {
    public var inserted: Int
    public var updated: Int

    public init(inserted: Int = 0, updated: Int = 0) {
        self.inserted = inserted
        self.updated = updated
    }
}

/// A page of `profile list`.
public struct ProfilePage: Sendable, Equatable {
    public var profiles: [Profile]
    /// Every profile in the store.
    public var total: Int
}

extension InstanceStore {
    // MARK: Import

    /// Upserts the rows `next` yields, keyed by `key`: a row whose key value
    /// matches one profile updates it (only the fields the row carries;
    /// attributes are merged), a row matching none inserts a profile, and a
    /// row matching several is handed to `reject`. `next` and `reject` run
    /// inside the write transaction: throwing from either rolls back the
    /// open transaction (with `.atomic`, the whole import).
    public func importProfiles(keyedBy key: ProfileAlias, commit: ProfileImportCommit, now: Date = Date(),
                               next: () throws -> ProfileInput?,
                               reject: (ProfileInput, ProfileRecordErrors) throws -> Void) throws -> ProfileImportCounts {
        try streamingWrite { db in
            var counts = ProfileImportCounts()
            var statements = ProfileStatements(key: key)
            var finished = false
            while !finished {
                try db.inTransaction {
                    var rows = 0
                    while true {
                        if case .every(let size) = commit, rows >= size { break }
                        guard let input = try next() else {
                            finished = true
                            break
                        }
                        rows += 1
                        try statements.upsert(db, input, now: now, counts: &counts, reject: reject)
                    }
                    return .commit
                }
            }
            return counts
        }
    }

    // MARK: Reconciliation

    /// Everything a batch of trigger events needs from the profiles, in one
    /// read: the profiles each reconciliation key matches (values normalised
    /// like the stored ones: emails lowercased, phones reduced to digits;
    /// oldest first, at most `limit` per key, so that "several profiles" can
    /// be told from "one"), and which
    /// of `addresses` and of those profiles' emails and phones are on the
    /// denylist.
    public func reconcile(_ lookups: Set<ProfileLookup>, addresses: Set<String>, limit: Int = 2) throws -> RecipientMatches {
        // One statement per alias and one for the denylist, whatever the
        // batch size: a statement per key was a tenth of the workers' time.
        var values: [ProfileAlias: [String: [ProfileLookup]]] = [:]
        var unmatched = RecipientMatches()
        for lookup in lookups {
            unmatched.profiles[lookup] = []
            guard let normalised = lookup.alias.normalise(lookup.value) else { continue }
            values[lookup.alias, default: [:]][normalised, default: []].append(lookup)
        }
        return try read { [values, unmatched] db in
            var result = unmatched
            var candidates = addresses
            for (alias, byValue) in values {
                // For each key, its first `limit` profiles straight from the
                // alias index (no window function and sort: half the time).
                let statement = try db.cachedStatement(sql: """
                    SELECT \(Self.profileColumnList), p.\(alias.rawValue)
                    FROM json_each(?) AS k
                    JOIN profile p ON p.id IN (SELECT id FROM profile WHERE \(alias.rawValue) = k.value ORDER BY id LIMIT ?)
                    ORDER BY p.id
                    """)
                var rows = RawStatement(statement)
                rows.bind(Self.jsonArray(byValue.keys))
                rows.bind(limit)
                while try rows.next() {
                    let profile = Self.profile(from: rows)
                    guard let key = rows.optionalString(Int32(Self.profileColumns.count)), let matching = byValue[key] else { continue }
                    for lookup in matching { result.profiles[lookup, default: []].append(profile) }
                    if let email = profile.email { candidates.insert(email) }
                    if let phone = profile.phone { candidates.insert(phone) }
                }
            }
            let keys = Dictionary(candidates.map { ($0, ContactAddress.denylistKey($0)?.address) }, uniquingKeysWith: { a, _ in a })
            let asked = Set(keys.values.compactMap { $0 })
            if !asked.isEmpty {
                let denylisted = try db.cachedStatement(sql: "SELECT address FROM denylist WHERE address IN (SELECT value FROM json_each(?))")
                var rows = RawStatement(denylisted)
                rows.bind(Self.jsonArray(asked))
                while try rows.next() { result.denylistKeys.insert(rows.string(0)) }
            }
            result.answers = keys.mapValues { key in key.map { result.denylistKeys.contains($0) } ?? false }
            return result
        }
    }

    /// A JSON array of strings, for `json_each(?)`.
    /// (Not `JSONEncoder`: its set-up showed in the daemon's profile, once per batch.)
    static func jsonArray<S: Sequence<String>>(_ values: S) -> String {
        AttributeValue.array(values.map { .string($0) }).jsonText
    }

    // MARK: Profiles

    /// The first `limit` profiles by id, and how many there are.
    public func listProfiles(limit: Int) throws -> ProfilePage {
        try read { db in
            let profiles = try Self.fetchProfiles(db, "ORDER BY id LIMIT ?") { $0.bind(limit) }
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM profile") ?? 0
            return ProfilePage(profiles: profiles, total: total)
        }
    }

    /// The one profile `identifier` names: with `alias`, by that alias;
    /// without, an id if it is all digits and such a profile exists, else
    /// an email if it holds '@', else the first of customerId, mcId,
    /// visitorId and phone that matches. Several matches are an error.
    public func profile(identifiedBy identifier: String, alias: ProfileAlias? = nil) throws -> Profile {
        try read { db in try Self.resolveProfile(db, identifier, alias: alias) }
    }

    /// Deletes the one profile `identifier` names (see `profile(identifiedBy:alias:)`).
    @discardableResult
    public func deleteProfile(identifiedBy identifier: String, alias: ProfileAlias? = nil) throws -> Profile {
        try write { db in
            let profile = try Self.resolveProfile(db, identifier, alias: alias)
            try db.execute(sql: "DELETE FROM profile WHERE id = ?", arguments: [profile.id])
            return profile
        }
    }

    /// Deletes the profile with this id; not found if there is none.
    @discardableResult
    public func deleteProfile(id: Int64) throws -> Profile {
        try write { db in
            guard let profile = try Self.fetchProfiles(db, "WHERE id = ?", { $0.bind(id) }).first else {
                throw CampaignError.notFound("no profile has id \(id)", hint: "see the profiles with: campaignctl profile list")
            }
            try db.execute(sql: "DELETE FROM profile WHERE id = ?", arguments: [id])
            return profile
        }
    }

    // MARK: Denylist

    /// Adds an address (normalised) to the denylist. An address already
    /// there keeps its date; a new reason replaces the old one. Returns the
    /// entry and whether it is new.
    @discardableResult
    public func addToDenylist(_ address: String, reason: String?, at date: Date = Date()) throws -> (entry: DenylistEntry, added: Bool) {
        let (normalised, channel) = try Self.denylistKey(address)
        return try write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM denylist WHERE address = ?", arguments: [normalised]) {
                if let reason {
                    try db.execute(sql: "UPDATE denylist SET reason = ? WHERE address = ?", arguments: [reason, normalised])
                }
                var entry = Self.denylistEntry(from: row)
                entry.reason = reason ?? entry.reason
                return (entry, false)
            }
            try db.execute(sql: "INSERT INTO denylist (address, channel, reason, addedAt) VALUES (?, ?, ?, ?)",
                           arguments: [normalised, channel.rawValue, reason, date])
            return (DenylistEntry(address: normalised, channel: channel, reason: reason, addedAt: date), true)
        }
    }

    /// Removes an address (normalised) from the denylist; not found if absent.
    @discardableResult
    public func removeFromDenylist(_ address: String) throws -> DenylistEntry {
        let (normalised, _) = try Self.denylistKey(address)
        return try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM denylist WHERE address = ?", arguments: [normalised]) else {
                throw CampaignError.notFound("'\(normalised)' is not on the denylist", hint: "see the list with: campaignctl denylist list")
            }
            try db.execute(sql: "DELETE FROM denylist WHERE address = ?", arguments: [normalised])
            return Self.denylistEntry(from: row)
        }
    }

    /// The denylist, by address.
    public func denylist() throws -> [DenylistEntry] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM denylist ORDER BY address").map(Self.denylistEntry(from:))
        }
    }

    // MARK: Helpers

    static func denylistKey(_ address: String) throws -> (String, ContactChannel) {
        guard let key = ContactAddress.denylistKey(address) else {
            throw CampaignError.badInput("'\(address)' is neither a valid email address nor a phone number",
                                         hint: "give an email (name@example.com) or a phone number (+33 6 12 34 56 78)")
        }
        return key
    }

    static func resolveProfile(_ db: Database, _ identifier: String, alias: ProfileAlias?) throws -> Profile {
        let trimmed = identifier.trimmingCharacters(in: .whitespaces)
        func matches(_ alias: ProfileAlias) throws -> [Profile] {
            guard let value = alias.normalise(trimmed) else { return [] }
            return try fetchProfiles(db, "WHERE \(alias.rawValue) = ? ORDER BY id LIMIT 5") { $0.bind(value) }
        }
        var found: [Profile] = []
        var by = alias?.rawValue ?? "id"
        if let alias {
            found = try matches(alias)
        } else {
            if let id = Int64(trimmed), let profile = try fetchProfiles(db, "WHERE id = ?", { $0.bind(id) }).first {
                return profile
            }
            let candidates: [ProfileAlias] = trimmed.contains("@") ? [.email] : [.customerId, .mcId, .visitorId, .phone]
            for candidate in candidates {
                found = try matches(candidate)
                by = candidate.rawValue
                if !found.isEmpty { break }
            }
        }
        guard let first = found.first else {
            throw CampaignError.notFound("no profile matches '\(trimmed)'", hint: "see the profiles with: campaignctl profile list")
        }
        guard found.count == 1 else {
            let ids = found.map { String($0.id) }.joined(separator: ", ") + (found.count == 5 ? ", …" : "")
            throw CampaignError.badInput("'\(trimmed)' matches several profiles by \(by) (ids \(ids))",
                                         hint: "name one by its id: campaignctl profile show \(first.id)")
        }
        return first
    }

    /// The profile columns in the order `profile(from:)` reads them, of a table named `p`.
    static let profileColumns = ["id", "email", "phone", "firstName", "lastName", "locale", "mcId", "visitorId", "customerId",
                                 "attributes", "createdAt", "updatedAt"]
    static let profileColumnList = profileColumns.map { "p.\($0)" }.joined(separator: ", ")

    /// The profiles `tail` (the SQL after `FROM profile p`) selects; `bind` gives its parameters.
    static func fetchProfiles(_ db: Database, _ tail: String, _ bind: (inout RawStatement) -> Void = { _ in }) throws -> [Profile] {
        var rows = RawStatement(try db.cachedStatement(sql: "SELECT \(profileColumnList) FROM profile p \(tail)"))
        bind(&rows)
        var profiles: [Profile] = []
        while try rows.next() { profiles.append(profile(from: rows)) }
        return profiles
    }

    static func profile(from rows: RawStatement) -> Profile {
        Profile(id: rows.int64(0), email: rows.optionalString(1), phone: rows.optionalString(2), firstName: rows.optionalString(3),
                lastName: rows.optionalString(4), locale: rows.optionalString(5), mcId: rows.optionalString(6),
                visitorId: rows.optionalString(7), customerId: rows.optionalString(8),
                attributes: attributes(rows.optionalString(9) ?? "{}"),
                createdAt: rows.value(10) ?? Date(timeIntervalSince1970: 0), updatedAt: rows.value(11) ?? Date(timeIntervalSince1970: 0))
    }

    static func attributes(_ text: String) -> [String: AttributeValue] {
        // Most profiles have no attributes; a JSONDecoder per row showed in the daemon's profile.
        text == "{}" ? [:] : (try? JSONDecoder().decode([String: AttributeValue].self, from: Data(text.utf8))) ?? [:]
    }

    static func denylistEntry(from row: Row) -> DenylistEntry {
        DenylistEntry(address: row["address"], channel: ContactChannel(rawValue: row["channel"]) ?? .email,
                      reason: row["reason"], addedAt: row["addedAt"])
    }

    /// A write that may run for long and calls non-Sendable code (a file
    /// reader): no transaction is opened, the body opens its own. Busy and
    /// full errors are reported like `write`'s.
    func streamingWrite<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try dbPool.writeWithoutTransaction(body)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            throw CampaignError(.temporary, "the store is busy (another process holds a write lock for over \(Int(Self.busyTimeout)) s)",
                                hint: "try again; if it persists, check for a stuck campaignctl process")
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            throw CampaignError(.cannotCreate, "the disk holding the store is full",
                                hint: "free some space; the import was rolled back to its last commit")
        } catch let error as DatabaseError where error.resultCode == .SQLITE_IOERR {
            throw Self.ioFailure(error, hint: "check the free space and the health of the disk holding the store; the import was rolled back to its last commit")
        }
    }
}

/// The upsert statements of an import, built once per set of columns.
private struct ProfileStatements {
    let key: ProfileAlias
    var sql: [String: (insert: String, update: String)] = [:]

    init(key: ProfileAlias) {
        self.key = key
    }

    mutating func upsert(_ db: Database, _ input: ProfileInput, now: Date, counts: inout ProfileImportCounts,
                         reject: (ProfileInput, ProfileRecordErrors) throws -> Void) throws {
        guard let keyValue = input.value(key.field) else {
            try reject(input, ProfileRecordErrors([RecordProblem(line: input.line, field: key.rawValue, message: "is empty, and it is the import key")]))
            return
        }
        let ids = try Int64.fetchAll(db.cachedStatement(sql: "SELECT id FROM profile WHERE \(key.rawValue) = ? ORDER BY id LIMIT 3"),
                                     arguments: [keyValue])
        if ids.count > 1 {
            let list = ids.prefix(2).map(String.init).joined(separator: ", ") + (ids.count > 2 ? ", …" : "")
            try reject(input, ProfileRecordErrors([RecordProblem(line: input.line, field: key.rawValue,
                message: "'\(keyValue)' already belongs to several profiles (ids \(list)); import with another --key or delete the duplicates")]))
            return
        }
        let fields = ProfileField.allCases.filter { input.values.keys.contains($0) }
        let hasAttributes = !input.attributes.isEmpty
        let cacheKey = fields.map(\.rawValue).joined(separator: ",") + (hasAttributes ? "+a" : "")
        let statements: (insert: String, update: String)
        if let cached = sql[cacheKey] {
            statements = cached
        } else {
            let columns = fields.map(\.rawValue)
            let insertColumns = columns + (hasAttributes ? ["attributes"] : []) + ["createdAt", "updatedAt"]
            let insertValues = columns.map { _ in "?" } + (hasAttributes ? ["json_patch('{}', ?)"] : []) + ["?", "?"]
            let insert = "INSERT INTO profile (\(insertColumns.joined(separator: ", "))) VALUES (\(insertValues.joined(separator: ", ")))"
            let sets = columns.map { "\($0) = ?" } + (hasAttributes ? ["attributes = json_patch(attributes, ?)"] : []) + ["updatedAt = ?"]
            let update = "UPDATE profile SET \(sets.joined(separator: ", ")) WHERE id = ?"
            statements = (insert, update)
            sql[cacheKey] = statements
        }
        var arguments: [(any DatabaseValueConvertible)?] = fields.map { input.value($0) as (any DatabaseValueConvertible)? }
        if hasAttributes { arguments.append(AttributeValue.jsonText(of: input.attributes)) }
        if let id = ids.first {
            arguments.append(now)
            arguments.append(id)
            try db.cachedStatement(sql: statements.update).execute(arguments: StatementArguments(arguments))
            counts.updated += 1
        } else {
            arguments.append(now)
            arguments.append(now)
            try db.cachedStatement(sql: statements.insert).execute(arguments: StatementArguments(arguments))
            counts.inserted += 1
        }
    }
}

/// One reconciliation key of a trigger event: a profile alias and its value.
public struct ProfileLookup: Hashable, Sendable {
    public var alias: ProfileAlias
    public var value: String

    public init(alias: ProfileAlias, value: String) {
        self.alias = alias
        self.value = value
    }
}

/// The answer to `InstanceStore.reconcile`: profiles per key, and the denylist.
public struct RecipientMatches: Sendable {
    public var profiles: [ProfileLookup: [Profile]] = [:]
    var denylistKeys: Set<String> = []
    /// The answer for each address asked about and of the profiles found,
    /// as written: the daemon asks once per message, and making the
    /// denylist form again each time showed in its profile.
    var answers: [String: Bool] = [:]

    public init() {}

    /// Whether `address` (one of those asked about, or of the profiles found, however written) is on the denylist.
    public func isDenylisted(_ address: String) -> Bool {
        if let answer = answers[address] { return answer }
        guard let key = ContactAddress.denylistKey(address) else { return false }
        return denylistKeys.contains(key.address)
    }
}
