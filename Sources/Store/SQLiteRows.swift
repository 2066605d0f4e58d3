import Foundation
import GRDB
import GRDBSQLite

/// The rows of a prepared statement, read with SQLite's C API. Only for the
/// daemon's reads of every batch (due events, profiles and the denylist):
/// there GRDB's `Row` (a copy of each row, each value boxed, columns found
/// by name) was more than half the time of the read in the daemon's
/// profile, SQLite itself the rest (docs/performance.md). Columns are read
/// by position, in the order the statement's SQL lists them.
struct SQLiteRows {
    private let statement: Statement
    private let handle: SQLiteStatement

    /// Binds `arguments` (GRDB checks their count) to a statement made by `db.cachedStatement`.
    init(_ statement: Statement, arguments: StatementArguments) throws {
        try statement.setArguments(arguments)
        self.statement = statement
        handle = statement.sqliteStatement
    }

    /// Moves to the next row; false after the last one.
    func next() throws -> Bool {
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        throw DatabaseError(resultCode: ResultCode(rawValue: code),
                            message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))), sql: statement.sql)
    }

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
