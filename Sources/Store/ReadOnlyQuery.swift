import Foundation
import GRDB

/// One value of a query result, as SQLite stores it.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// Receives a query's rows one at a time (`RunStore.query(_:into:)`).
public protocol QueryRowSink {
    /// The statement's column names, before any row.
    mutating func begin(columns: [String]) throws
    mutating func row(_ values: [SQLValue]) throws
    /// After the last row.
    mutating func end() throws
}

/// Keeps every row: for small results and tests.
struct CollectedRows: QueryRowSink {
    var columns: [String] = []
    var rows: [[SQLValue]] = []
    mutating func begin(columns: [String]) { self.columns = columns }
    mutating func row(_ values: [SQLValue]) { rows.append(values) }
    mutating func end() {}
}

/// The columns and rows a read-only query returned.
public struct QueryResult: Sendable, Hashable {
    /// Column names, in the statement's order.
    public var columns: [String]
    /// One array of values per row, each as long as `columns`.
    public var rows: [[SQLValue]]

    public init(columns: [String], rows: [[SQLValue]]) {
        self.columns = columns
        self.rows = rows
    }
}

extension RunStore {
    /// Runs one SQL statement on a read-only connection and returns what it selects.
    ///
    /// Three locks keep it from changing anything: the connection is opened read-only (SQLite refuses
    /// every write to the file), a statement that SQLite says would write (INSERT, UPDATE, DELETE,
    /// DROP, CREATE, VACUUM, PRAGMA assignments such as `user_version = 1` or `journal_mode = …`) is
    /// refused before it runs, and ATTACH, DETACH and transaction control are refused by keyword (the
    /// connection also allows no attached databases at all).
    public func query(_ sql: String) throws(StoreError) -> QueryResult {
        var collected = CollectedRows()
        try query(sql, into: &collected)
        return QueryResult(columns: collected.columns, rows: collected.rows)
    }

    /// Runs one SQL statement on a read-only connection and hands each row to `sink` as SQLite steps to
    /// it, so a result of millions of rows is never held in memory. An error the sink throws (a closed
    /// output, say) stops the query and is passed on as it is.
    public func query<Sink: QueryRowSink>(_ sql: String, into sink: inout Sink) throws(StoreError) {
        if let keyword = Self.leadingKeyword(of: sql),
           ["ATTACH", "DETACH", "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"].contains(keyword) {
            throw .queryNotReadOnly(sql: sql, reason: "\(keyword) is not allowed: queries run on one read-only connection to this database")
        }
        let path = self.path
        let reader: DatabaseQueue
        do {
            reader = try DatabaseQueue(path: path, configuration: DatabaseFile.configuration(readOnly: true, busyTimeout: busyTimeout))
        } catch {
            throw DatabaseFile.storeError(error, operation: "opening \(path) for reading", path: path, busyTimeout: busyTimeout)
        }
        do {
            try reader.read { db in
                let statement: Statement
                do {
                    statement = try db.makeStatement(sql: sql)
                } catch let error as DatabaseError {
                    throw StoreError.sqlite(operation: "preparing the query", message: error.message ?? error.description, sql: sql)
                }
                guard statement.isReadonly || Self.readsJournalMode(sql) else {
                    throw StoreError.queryNotReadOnly(sql: sql, reason: "the statement would write to the database")
                }
                do {
                    try sink.begin(columns: statement.columnNames)
                } catch {
                    throw SinkFailure(error: error)
                }
                let cursor = try Row.fetchCursor(statement)
                while let row = try cursor.next() {
                    do {
                        try sink.row(row.databaseValues.map(Self.value))
                    } catch {
                        throw SinkFailure(error: error)
                    }
                }
                do {
                    try sink.end()
                } catch {
                    throw SinkFailure(error: error)
                }
            }
        } catch let failure as SinkFailure {
            throw .output(failure.error.localizedDescription)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY || error.resultCode == .SQLITE_AUTH {
            throw .queryNotReadOnly(sql: sql, reason: error.message ?? "the statement would write to the database")
        } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR && (error.message ?? "").contains("too many attached") {
            throw .queryNotReadOnly(sql: sql, reason: "attaching other databases is not allowed")
        } catch {
            throw DatabaseFile.storeError(error, operation: "running the query", path: path, busyTimeout: busyTimeout)
        }
    }

    /// An error of the sink, kept apart from the database's own.
    private struct SinkFailure: Error {
        let error: any Error
    }

    private static func value(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: .null
        case .int64(let integer): .integer(integer)
        case .double(let real): .real(real)
        case .string(let text): .text(text)
        case .blob(let data): .blob(Array(data))
        }
    }

    /// `PRAGMA journal_mode` without an argument: a read that SQLite nevertheless flags as a possible write.
    static func readsJournalMode(_ sql: String) -> Bool {
        let words = sql.lowercased().split { $0.isWhitespace || $0 == ";" }
        return words == ["pragma", "journal_mode"] || words == ["pragma", "main.journal_mode"]
    }

    /// The first keyword of `sql`, upper-cased, after white space and comments.
    static func leadingKeyword(of sql: String) -> String? {
        var rest = Substring(sql)
        while true {
            rest = rest.drop { $0.isWhitespace || $0 == ";" }
            if rest.hasPrefix("--") {
                rest = rest.drop { $0 != "\n" }
            } else if rest.hasPrefix("/*") {
                guard let close = rest.range(of: "*/") else { return nil }
                rest = rest[close.upperBound...]
            } else {
                break
            }
        }
        let word = rest.prefix { $0.isLetter }
        return word.isEmpty ? nil : word.uppercased()
    }
}
