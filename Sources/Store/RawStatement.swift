import Foundation
import GRDB
import GRDBSQLite

/// A cached statement bound and stepped with SQLite's C API. For the
/// statements the daemon runs for every event (storing it, reading the due
/// ones, reconciling, recording sends and outcomes), and the other profile
/// reads, which share reconciliation's decoding of a profile: there GRDB's
/// per-statement work (arguments as an array of existentials, each value
/// boxed into a `DatabaseValue`, a `Row` copied per row, observation hooks
/// around each execution) cost as much as SQLite itself
/// (docs/performance.md). Values are bound in the order of the SQL's `?`,
/// and columns read by position, in the order the SQL lists them.
struct RawStatement {
    private let statement: Statement
    private let handle: SQLiteStatement
    private var nextIndex: Int32 = 1

    /// Resets `statement` (made by `db.cachedStatement`) and clears its bindings.
    init(_ statement: Statement) {
        self.statement = statement
        handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: Binding, in the order of the SQL's parameters

    mutating func bind(_ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, nextIndex, value) } else { sqlite3_bind_null(handle, nextIndex) }
        nextIndex += 1
    }

    mutating func bind(_ value: Int?) { bind(value.map(Int64.init)) }

    mutating func bind(_ value: Bool) { bind(Int64(value ? 1 : 0)) }

    mutating func bind(_ value: String?) {
        if var value {
            let (handle, index) = (handle, nextIndex)
            value.withUTF8 { bytes in
                bytes.withMemoryRebound(to: CChar.self) { text in
                    // An empty string is text of length 0, not NULL.
                    _ = sqlite3_bind_text(handle, index, text.baseAddress ?? emptyText, Int32(text.count), sqliteTransient)
                }
            }
        } else {
            sqlite3_bind_null(handle, nextIndex)
        }
        nextIndex += 1
    }

    /// Binds `bytes` without copying them, runs the statement and lets go
    /// of them: for a blob lent by a closure (`withUnsafeBytes`), which must
    /// be the last value bound. Storing an event copied its ~1.6 KB
    /// envelope once more than needed.
    mutating func executeBinding(lent bytes: UnsafeRawBufferPointer) throws {
        // A zero-length blob, not NULL, when there are no bytes.
        _ = sqlite3_bind_blob(handle, nextIndex, bytes.baseAddress ?? UnsafeRawPointer(emptyText), Int32(bytes.count), nil)
        nextIndex += 1
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        try execute()
    }

    // MARK: Running

    /// Runs a statement that returns no rows.
    func execute() throws {
        while try next() {}
    }

    /// Moves to the next row; false after the last one.
    func next() throws -> Bool {
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        throw DatabaseError(resultCode: ResultCode(rawValue: code),
                            message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))), sql: statement.sql)
    }

    // MARK: Columns of the current row

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }

    func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    func optionalString(_ column: Int32) -> String? {
        // The text first, then its length (SQLite's documented order).
        guard let text = sqlite3_column_text(handle, column) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, column))), as: UTF8.self)
    }

    func string(_ column: Int32) -> String { optionalString(column) ?? "" }

    func data(_ column: Int32) -> Data {
        guard let bytes = sqlite3_column_blob(handle, column) else { return Data() }
        return Data(bytes: bytes, count: Int(sqlite3_column_bytes(handle, column)))
    }

    /// A value GRDB stores in its own format (dates).
    func value<Value: DatabaseValueConvertible>(_ column: Int32, as type: Value.Type = Value.self) -> Value? {
        Value.fromDatabaseValue(DatabaseValue(sqliteStatement: handle, index: column))
    }
}

/// SQLite copies the bound text or blob (the Swift buffer is only lent for the call).
nonisolated(unsafe) private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Where an empty text or blob points: SQLite binds NULL for a null pointer.
nonisolated(unsafe) private let emptyText: UnsafePointer<CChar> = {
    let byte = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
    byte.initialize(to: 0)
    return UnsafePointer(byte)
}()
