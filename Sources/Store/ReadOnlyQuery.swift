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
            return try reader.read { db in
                let statement: Statement
                do {
                    statement = try db.makeStatement(sql: sql)
                } catch let error as DatabaseError {
                    throw StoreError.sqlite(operation: "preparing the query", message: error.message ?? error.description, sql: sql)
                }
                guard statement.isReadonly || Self.readsJournalMode(sql) else {
                    throw StoreError.queryNotReadOnly(sql: sql, reason: "the statement would write to the database")
                }
                var rows: [[SQLValue]] = []
                let cursor = try Row.fetchCursor(statement)
                while let row = try cursor.next() {
                    rows.append(row.databaseValues.map(Self.value))
                }
                return QueryResult(columns: statement.columnNames, rows: rows)
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY || error.resultCode == .SQLITE_AUTH {
            throw .queryNotReadOnly(sql: sql, reason: error.message ?? "the statement would write to the database")
        } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR && (error.message ?? "").contains("too many attached") {
            throw .queryNotReadOnly(sql: sql, reason: "attaching other databases is not allowed")
        } catch {
            throw DatabaseFile.storeError(error, operation: "running the query", path: path, busyTimeout: busyTimeout)
        }
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
