import Foundation
import Schedule
import Store
import Testing

/// `query`: reads anything, changes nothing.
@Suite struct QueryTests {
    static let writes = [
        "INSERT INTO runs (kind) VALUES ('simulated')",
        "UPDATE runs SET status = 'failed'",
        "DELETE FROM events",
        "DROP TABLE events",
        "CREATE TABLE mine (x)",
        "ATTACH DATABASE 'other.db' AS other",
        "  -- a comment first\n attach 'other.db' as other",
        "DETACH DATABASE main",
        "PRAGMA user_version = 7",
        "PRAGMA journal_mode = DELETE",
        "VACUUM",
        "REPLACE INTO device_stats VALUES (1, 0, 0, 0, 0, NULL)",
        "WITH doomed AS (SELECT id FROM runs) DELETE FROM runs WHERE id IN doomed",
        "BEGIN IMMEDIATE",
    ]

    @Test(arguments: writes)
    func rejectsWrites(_ sql: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("runs.db")
        let store = try RunStore(path: path)
        let id = try recordRun(store, try makeSchedule(.oneFOneB, devices: 2, microbatches: 4))
        let before = try fingerprint(store)
        let files = try directory.listing()
        #expect { try store.query(sql) } throws: { error in
            guard case .queryNotReadOnly(let refused, _) = error as? StoreError else { return false }
            return refused == sql
        }
        #expect(try fingerprint(store) == before)
        #expect(try directory.listing() == files)
        #expect(try store.run(id: id).status == .completed)
    }

    @Test func rejectsASecondStatement() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RunStore(path: directory.path("runs.db"))
        try recordRun(store, try makeSchedule(.gpipe, devices: 2, microbatches: 2))
        #expect(throws: StoreError.self) { try store.query("SELECT 1; DELETE FROM runs") }
        #expect(try scalar(store, "SELECT count(*) FROM runs") == .integer(1))
    }

    @Test func readsEveryKindOfValue() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RunStore(path: directory.path("runs.db"))
        let result = try store.query("SELECT 1 AS i, 2.5 AS r, 'a,\"b\"' AS t, NULL AS n, x'00ff' AS b")
        #expect(result.columns == ["i", "r", "t", "n", "b"])
        #expect(result.rows == [[.integer(1), .real(2.5), .text("a,\"b\""), .null, .blob([0, 255])]])
        #expect(result.csv() == "i,r,t,n,b\n1,2.5,\"a,\"\"b\"\"\",,x'00ff'\n")
        #expect(result.json() == "[\n  {\"i\": 1, \"r\": 2.5, \"t\": \"a,\\\"b\\\"\", \"n\": null, \"b\": \"x'00ff'\"}\n]\n")
        #expect(result.table().hasSuffix("(1 row)"))
    }

    @Test func joinsPredictionAndMeasurement() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RunStore(path: directory.path("runs.db"))
        let schedule = try makeSchedule(.chimera, devices: 4, microbatches: 4)
        let predicted = try recordRun(store, schedule, kind: .simulated)
        let measured = try recordRun(store, schedule, kind: .executed)
        let joined = try store.query("""
            SELECT count(*) FROM events p JOIN events m USING (replica, stage, microbatch, op)
            WHERE p.run_id = \(predicted) AND m.run_id = \(measured)
            """)
        #expect(joined.rows == [[.integer(Int64(schedule.actions.count))]])
        #expect(try scalar(store, "PRAGMA integrity_check") == .text("ok"))
    }

    /// Everything a write could change: row counts, a checksum of the runs, schema, user_version, mode.
    private func fingerprint(_ store: RunStore) throws -> [[SQLValue]] {
        try store.query("SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM events), (SELECT count(*) FROM device_stats), "
                        + "(SELECT group_concat(id || status || makespan_ns) FROM runs), (SELECT group_concat(sql) FROM sqlite_master)").rows
            + (try store.query("PRAGMA user_version").rows) + (try store.query("PRAGMA journal_mode").rows)
    }
}
