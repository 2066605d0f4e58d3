import CSQLiteSettings
import CampaignCore
import Foundation
import GRDB

/// The instance's SQLite store. Every public method is one use case in one
/// transaction. The CLI and a running daemon share the file: a `DatabasePool`
/// in WAL mode lets them read concurrently, and the busy timeout lets one
/// writer wait for the other instead of failing with "database is locked".
public struct InstanceStore: Sendable {
    let dbPool: DatabasePool
    /// Seals secrets before they reach a row.
    public let key: InstanceKey

    /// The writer connection's page cache, in KiB.
    static let writerCacheKiB = 32_768

    /// How long a writer waits for another process's write to finish.
    public static let busyTimeout: TimeInterval = 30

    init(dbPool: DatabasePool, key: InstanceKey) {
        self.dbPool = dbPool
        self.key = key
    }

    /// Creates the store file (0600) and the instance key of a new instance.
    public static func create(layout: InstanceLayout) throws -> InstanceStore {
        let fm = FileManager.default
        try fm.createDirectory(at: layout.varDirectory, withIntermediateDirectories: true,
                               attributes: [.posixPermissions: 0o700])
        if fm.fileExists(atPath: layout.storeFile.path) {
            throw CampaignError(.cannotCreate, "a store already exists at \(layout.storeFile.path)")
        }
        let key = try InstanceKey.create(at: layout.keyFile)
        // Created empty with 0600 first: SQLite gives the -wal and -shm files
        // the database file's permissions.
        guard fm.createFile(atPath: layout.storeFile.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CampaignError(.cannotCreate, "cannot create \(layout.storeFile.path)")
        }
        let store = try InstanceStore(path: layout.storeFile.path, key: key)
        try store.write { db in try Self.recordKey(db, key) }
        return store
    }

    /// Opens an existing instance's store and key, migrating the schema and
    /// finishing (or rolling back) a key rotation a crash interrupted.
    public static func open(layout: InstanceLayout) throws -> InstanceStore {
        guard FileManager.default.fileExists(atPath: layout.storeFile.path) else {
            throw CampaignError.notFound("no store at \(layout.storeFile.path)",
                                         hint: "create the instance with: campaignctl instance init \(layout.name)")
        }
        try recoverInterruptedKeyRotation(layout)
        let store = try InstanceStore(path: layout.storeFile.path, key: try InstanceKey.load(from: layout.keyFile))
        try store.requireMatchingKey()
        return store
    }

    init(path: String, key: InstanceKey) throws {
        let pool = try Self.makePool(path: path)
        try Self.migrate(pool)
        self.init(dbPool: pool, key: key)
    }

    /// SQLite's memory statistics off, once per process, before its first
    /// connection: counting each allocation under a process-wide mutex was
    /// ~6 % of the instructions of storing an event (docs/performance.md).
    /// Too late (SQLite already in use) changes nothing, and harms nothing.
    static let processSettings: Void = { _ = campaign_sqlite_disable_memory_statistics() }()

    /// The connection settings every store uses (and `StorageCeiling`).
    static func makePool(path: String) throws -> DatabasePool {
        _ = processSettings
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.prepareDatabase { db in
            // Takes effect only when the file is still empty (a new store):
            // events carry their ~1.7 KB envelope, and 16 KiB pages store
            // them with a third fewer page writes than SQLite's 4 KiB default
            // (scripts/bench, docs/performance.md).
            try db.execute(sql: "PRAGMA page_size = 16384")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            if !db.configuration.readonly {
                // The writer's page cache: SQLite's default of 2 MiB held
                // too few of the index pages a stored event touches (its
                // messageId lands anywhere in that index), and re-reading
                // them from the OS was a tenth of ingest. Filled only as
                // pages are used.
                try db.execute(sql: "PRAGMA cache_size = -\(Self.writerCacheKiB)")
            }
        }
        do {
            return try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw CampaignError(.failure, "cannot open the store \(path): \(error)")
        }
    }

    static func migrate(_ writer: some DatabaseWriter) throws {
        let migrator = Migrations.migrator
        let known = Set(migrator.migrations)
        let applied = try writer.read { try migrator.appliedIdentifiers($0) }
        if let unknown = applied.first(where: { !known.contains($0) }) {
            throw CampaignError.configuration(
                "the store was migrated by a newer campaignctl (migration \(unknown))",
                hint: "upgrade campaignctl; this binary cannot safely use the store")
        }
        try migrator.migrate(writer)
    }

    /// Runs `body` in one write transaction, turning SQLite busy errors into
    /// a temporary failure the user can retry.
    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws -> T {
        do {
            return try dbPool.write(body)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            throw CampaignError(.temporary, "the store is busy (another process holds a write lock for over \(Int(Self.busyTimeout)) s)",
                                hint: "try again; if it persists, check for a stuck campaignctl process")
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            throw CampaignError(.cannotCreate, "the disk holding the store is full",
                                hint: "free some space; nothing was written")
        } catch let error as DatabaseError where error.resultCode == .SQLITE_IOERR {
            throw Self.ioFailure(error, hint: "check the free space and the health of the disk holding the store; nothing was written")
        }
    }

    /// A write that failed with an I/O error (`SQLITE_IOERR_*`): on a full
    /// disk some writes fail this way rather than with `SQLITE_FULL`
    /// (growing the WAL index, for one). Reported, like a full disk, as a
    /// file that could not be written, which the daemon holds on.
    static func ioFailure(_ error: DatabaseError, hint: String) -> CampaignError {
        CampaignError(.cannotCreate, "the store could not be written (disk I/O error, SQLite code \(error.extendedResultCode.rawValue))",
                      hint: hint)
    }

    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws -> T {
        try dbPool.read(body)
    }
}
