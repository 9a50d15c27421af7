import Foundation
import GRDB
import GRDBSQLite

/// The checks made on a database path before SQLite opens it, and the settings of every connection.
///
/// The checks run first so that a file which is not a Stagecraft database is reported, not modified:
/// SQLite itself would happily turn an empty-looking path into a database, or switch a foreign
/// database to WAL mode.
enum DatabaseFile {
    /// The 16 bytes every SQLite 3 database file starts with.
    private static let header = Array("SQLite format 3\0".utf8)

    /// Throws unless a writable database can live at `path`: not a directory, in an existing
    /// writable directory (SQLite creates `-wal` and `-shm` files beside it), writable if it exists.
    static func checkWritable(_ path: String) throws(StoreError) {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw .unwritable(path: path, reason: "it is a directory; give a file path such as \(path)/stagecraft.db") }
            if !manager.isWritableFile(atPath: path) { throw .unwritable(path: path, reason: "the file is read-only") }
        }
        let directory = parentDirectory(of: path)
        guard manager.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw .unwritable(path: path, reason: "the directory \(directory) does not exist (create it with mkdir -p \(directory))")
        }
        guard isDirectory.boolValue else { throw .unwritable(path: path, reason: "\(directory) is not a directory") }
        guard manager.isWritableFile(atPath: directory) else {
            throw .unwritable(path: path, reason: "the directory \(directory) is not writable (SQLite keeps \(path)-wal and \(path)-shm beside the database)")
        }
    }

    /// Throws unless `path` exists and is a file (for read-only opens).
    static func checkExists(_ path: String) throws(StoreError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .missingDatabase(path: path) }
        if isDirectory.boolValue { throw .notADatabase(path: path) }
    }

    /// Throws `.notADatabase` when `path` holds something other than an SQLite database. A missing or
    /// empty file passes: SQLite makes it a new database.
    static func checkHeader(_ path: String) throws(StoreError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unwritable(path: path, reason: "the file cannot be read")
        }
        defer { try? handle.close() }
        let bytes = (try? handle.read(upToCount: header.count)) ?? Data()
        if bytes.isEmpty { return }
        guard Array(bytes) == header else { throw .notADatabase(path: path) }
    }

    /// Connection settings: a busy timeout, foreign keys, and for read-only connections no ATTACH.
    static func configuration(readOnly: Bool, busyTimeout: Double) -> Configuration {
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "stagecraft.store"
        configuration.prepareDatabase { db in
            if readOnly {
                // No other database files can be attached through a reading connection.
                sqlite3_limit(db.sqliteConnection, SQLITE_LIMIT_ATTACHED, 0)
            } else {
                // Safe with WAL: a crashed process loses nothing committed; only power loss can drop
                // the last transactions, never corrupt the file.
                // Pages of 64 KiB for a new file (SQLite ignores it once the file has content): a run's
                // events are written in bulk, and fewer, larger pages mean fewer B-tree splits and writes.
                try db.execute(sql: "PRAGMA page_size = 65536")
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                // A run's events are written in one transaction; a page cache that holds them (64 MiB
                // at most, allocated as used) keeps SQLite from spilling dirty pages into the WAL before
                // the commit writes them anyway.
                try db.execute(sql: "PRAGMA cache_size = -65536")
            }
        }
        return configuration
    }

    /// The directory that holds `path`.
    static func parentDirectory(of path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        return directory.isEmpty ? "." : directory
    }

    /// Turns any error thrown while working on the database into a `StoreError`.
    static func storeError(_ error: any Error, operation: String, path: String, busyTimeout: Double) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? DatabaseError else {
            return .sqlite(operation: operation, message: String(describing: error), sql: nil)
        }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return .busy(path: path, operation: operation, timeoutSeconds: busyTimeout)
        case .SQLITE_NOTADB:
            return .notADatabase(path: path)
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
            return .unwritable(path: path, reason: error.message ?? "SQLite cannot open it for writing")
        case .SQLITE_FULL:
            return .unwritable(path: path, reason: "the disk is full")
        case .SQLITE_CORRUPT:
            return .damaged(path: path, message: error.message ?? "database disk image is malformed")
        default:
            return .sqlite(operation: operation, message: error.message ?? error.description, sql: error.sql)
        }
    }
}
