/// Why the results database could not do what was asked, and what to do about it.
///
/// Every case names the database file or the run involved; `description` is a full sentence for the
/// user that ends with how to fix the problem. Errors raised by SQLite keep the SQL they came from.
public enum StoreError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file exists but is not an SQLite database (its header is not `SQLite format 3`).
    case notADatabase(path: String)
    /// The file is an SQLite database that another program owns: it has tables but no Stagecraft
    /// migration history.
    case foreignDatabase(path: String)
    /// The database was written by a newer Stagecraft: it has migrations this version does not know.
    case newerSchema(path: String, unknownMigrations: [String])
    /// A read-only open found a database whose schema this version would first have to upgrade.
    case schemaNeedsUpgrade(path: String)
    /// The database cannot be created or written at this path.
    case unwritable(path: String, reason: String)
    /// A read-only open found no file at this path.
    case missingDatabase(path: String)
    /// The store was opened for reading and was asked to write.
    case openedReadOnly(path: String)
    /// Another connection held the database locked for longer than the busy timeout.
    case busy(path: String, operation: String, timeoutSeconds: Double)
    /// No run has this id.
    case noSuchRun(id: Int64)
    /// The run is not `running`, so it cannot be completed or failed again.
    case runNotRunning(id: Int64, status: RunStatus)
    /// The timeline does not belong to the schedule the run was begun with.
    case timelineMismatch(id: Int64, reason: String)
    /// The rows of a run do not describe a schedule (edited by hand, or written by a faulty tool).
    case inconsistentRun(id: Int64, reason: String)
    /// `query` was given a statement that would change something.
    case queryNotReadOnly(sql: String, reason: String)
    /// The file is an SQLite database but damaged (truncated, overwritten in part).
    case damaged(path: String, message: String)
    /// Writing a query's rows failed (e.g. the reader of the output went away).
    case output(String)
    /// Any other SQLite failure, with the SQL that caused it when there is one.
    case sqlite(operation: String, message: String, sql: String?)

    public var description: String {
        switch self {
        case .notADatabase(let path):
            return "\(path) is not an SQLite database (its first bytes are not 'SQLite format 3'); it was left untouched. "
                + "Pass --db with another file name, or move that file away."
        case .foreignDatabase(let path):
            return "\(path) is an SQLite database of some other program (it has tables but no Stagecraft schema history); "
                + "it was left untouched. Pass --db with a new file name for Stagecraft's results."
        case .newerSchema(let path, let unknown):
            return "\(path) was written by a newer Stagecraft (schema migrations unknown to this version: "
                + "\(unknown.joined(separator: ", "))); it was left untouched. Upgrade stagecraft, or pass --db with another file."
        case .schemaNeedsUpgrade(let path):
            return "\(path) uses an older results schema that must be upgraded before it can be read; "
                + "open it once with a recording command (e.g. stagecraft simulate --db \(path)) to upgrade it."
        case .unwritable(let path, let reason):
            return "cannot write the results database \(path): \(reason). "
                + "Choose a writable location with --db, or fix the permissions."
        case .missingDatabase(let path):
            return "no results database at \(path). Record a run first (stagecraft simulate … --db \(path)), "
                + "or pass --db with the path of an existing database."
        case .openedReadOnly(let path):
            return "the results database \(path) was opened for reading only; open it with RunStore(path:) to record runs."
        case .busy(let path, let operation, let timeout):
            return "\(operation) failed: another process kept \(path) locked for more than \(timeout) s. "
                + "Wait for it to finish and retry, or record into another --db."
        case .noSuchRun(let id):
            return "there is no run \(id) in this database; list the runs with 'stagecraft runs'."
        case .runNotRunning(let id, let status):
            return "run \(id) is \(status.rawValue), not running, so it cannot be completed or failed again; begin a new run instead."
        case .timelineMismatch(let id, let reason):
            return "the timeline given for run \(id) does not match the schedule the run was begun with: \(reason). "
                + "Complete the run with the timeline of the same schedule."
        case .inconsistentRun(let id, let reason):
            return "the stored rows of run \(id) do not describe a schedule: \(reason). "
                + "Inspect them with: stagecraft query \"SELECT * FROM events WHERE run_id = \(id)\""
        case .queryNotReadOnly(let sql, let reason):
            return "query refused '\(sql)': \(reason). 'stagecraft query' only reads (SELECT, WITH, read-only PRAGMA); "
                + "nothing was changed."
        case .damaged(let path, let message):
            return "\(path) is damaged (\(message)): it may have been truncated or partly overwritten; it was left untouched. "
                + "Restore it from a copy, or pass --db with another file."
        case .output(let reason):
            return "writing the query's rows failed: \(reason); the database was only read."
        case .sqlite(let operation, let message, let sql):
            var text = "\(operation) failed: \(message)"
            if let sql { text += " — SQL: \(sql)" }
            return text + ". Check the statement, or run 'PRAGMA integrity_check' through stagecraft query if the file may be damaged."
        }
    }
}
