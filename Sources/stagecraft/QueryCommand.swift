import ArgumentParser
import Foundation
import Store

/// `stagecraft query "SQL"`: one read-only SQL statement on the results database.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run one read-only SQL statement on the results database.",
        discussion: """
            The connection is read-only: INSERT, UPDATE, DELETE, DROP, ATTACH, PRAGMA assignments and the \
            like fail with an error and change nothing. Rows are printed as they are read, so results of \
            any size stream (a table aligns its columns on the first 1000 rows). The tables are listed in \
            README.md, "The results database".
            """)

    @Argument(help: "The SQL statement, e.g. \"SELECT op, avg(end_ns - start_ns) FROM events WHERE run_id = 1 GROUP BY op\".")
    var sql: String

    @Option(help: "Results database (SQLite) to read.")
    var db: String = "stagecraft.db"

    @Flag(help: "Print a JSON array of objects, one per row.")
    var json = false

    @Flag(help: "Print CSV with a header row.")
    var csv = false

    func validate() throws {
        if json && csv { throw ValidationError("choose one of --json and --csv") }
    }

    /// Rows go to standard output as SQLite produces them: a result of millions of rows is never held.
    func run() throws {
        var formatter = QueryFormatter(json ? .json : csv ? .csv : .table) { text in
            try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
        }
        try CommandText.store { () throws(StoreError) in try RunStore(readingFrom: db).query(sql, into: &formatter) }
    }
}
