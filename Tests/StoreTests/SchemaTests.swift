import Foundation
import Schedule
import Store
import Testing

/// Opening: migrations from nothing, reopening, WAL mode, and the files it must refuse untouched.
@Suite struct SchemaTests {
    @Test func migratesFromNoFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RunStore(path: directory.path("new.db"))
        #expect(try store.query("SELECT identifier FROM grdb_migrations ORDER BY identifier").rows
                == [[.text("v1: runs, events, device_stats")], [.text("v2: comparisons, calibrations")],
                    [.text("v3: measurements, action_spread, device_spread, comparison noise")], [.text("v4: tunes, tune_candidates")], [.text("v5: baselines")],
                    [.text("v6: tune_candidates measured")]])
        let tables = try store.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        #expect(tables.rows == [[.text("action_spread")], [.text("baselines")], [.text("calibrations")], [.text("comparisons")], [.text("device_spread")],
                                [.text("device_stats")], [.text("events")], [.text("grdb_migrations")], [.text("measurements")], [.text("runs")],
                                [.text("tune_candidates")], [.text("tunes")]])
        let indexes = try store.query("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'runs_by_%' ORDER BY name")
        #expect(indexes.rows == [[.text("runs_by_kind")], [.text("runs_by_schedule")], [.text("runs_by_status")]])
        #expect(try scalar(store, "PRAGMA journal_mode") == .text("wal"))
        #expect(try store.runs().isEmpty)
    }

    @Test func migratesAnEmptyFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("empty.db")
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let store = try RunStore(path: path)
        #expect(try scalar(store, "SELECT count(*) FROM grdb_migrations") == .integer(6))
    }

    @Test func reopeningKeepsRunsAndMigratesNothingTwice() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("runs.db")
        let id = try recordRun(try RunStore(path: path), try makeSchedule(.oneFOneB, devices: 2, microbatches: 4))
        let reopened = try RunStore(path: path)
        #expect(try reopened.runs().map(\.id) == [id])
        #expect(try scalar(reopened, "SELECT count(*) FROM grdb_migrations") == .integer(6))
        let reader = try RunStore(readingFrom: path)
        #expect(try reader.run(id: id).status == .completed)
    }

    @Test func upgradesAVersion1Database() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("old.db")
        let id = try recordRun(try RunStore(path: path), try makeSchedule(.oneFOneB, devices: 2, microbatches: 4))
        // Turn it back into a database written before the v2 (and later) migrations existed.
        try runHelper(["sql", path, "DROP TABLE measurements; DROP TABLE action_spread; DROP TABLE device_spread; DROP TABLE comparisons; "
                       + "DROP TABLE calibrations; DROP TABLE tune_candidates; DROP TABLE tunes; DROP TABLE baselines; "
                       + "DELETE FROM grdb_migrations WHERE identifier LIKE 'v2:%' OR identifier LIKE 'v3:%' OR identifier LIKE 'v4:%' OR identifier LIKE 'v5:%' OR identifier LIKE 'v6:%';"])
        #expect(throws: StoreError.schemaNeedsUpgrade(path: path)) { try RunStore(readingFrom: path) }
        let upgraded = try RunStore(path: path)
        #expect(try upgraded.runs().map(\.id) == [id])
        #expect(try scalar(upgraded, "SELECT count(*) FROM grdb_migrations") == .integer(6))
        #expect(try upgraded.comparisons(runID: id).isEmpty)
    }

    @Test func refusesAFileThatIsNotADatabase() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("notes.db")
        let contents = Data(String(repeating: "these are my notes, not a database\n", count: 200).utf8)
        #expect(FileManager.default.createFile(atPath: path, contents: contents))
        #expect(throws: StoreError.notADatabase(path: path)) { try RunStore(path: path) }
        #expect(throws: StoreError.notADatabase(path: path)) { try RunStore(readingFrom: path) }
        #expect(FileManager.default.contents(atPath: path) == contents)
        #expect(try directory.listing() == ["notes.db"])
        #expect(StoreError.notADatabase(path: path).description.contains("--db"))
    }

    @Test func refusesADatabaseFromANewerSchema() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("future.db")
        try recordRun(try RunStore(path: path), try makeSchedule(.gpipe, devices: 2, microbatches: 2))
        try runHelper(["sql", path, "INSERT INTO grdb_migrations VALUES ('v2: from the future'); ALTER TABLE runs ADD COLUMN later TEXT;"])
        let before = FileManager.default.contents(atPath: path)
        let expected = StoreError.newerSchema(path: path, unknownMigrations: ["v2: from the future"])
        #expect(throws: expected) { try RunStore(path: path) }
        #expect(throws: expected) { try RunStore(readingFrom: path) }
        #expect(FileManager.default.contents(atPath: path) == before)
        #expect(expected.description.contains("newer Stagecraft"))
    }

    @Test func refusesAnotherProgramsDatabase() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("other.db")
        try runHelper(["sql", path, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine');"])
        let before = FileManager.default.contents(atPath: path)
        #expect(throws: StoreError.foreignDatabase(path: path)) { try RunStore(path: path) }
        #expect(FileManager.default.contents(atPath: path) == before)
    }

    @Test func reportsPathsThatCannotBeWritten() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let missingDirectory = directory.path("no/such/dir/runs.db")
        #expect { try RunStore(path: missingDirectory) } throws: { error in
            guard case .unwritable(_, let reason) = error as? StoreError else { return false }
            return reason.contains("does not exist")
        }
        let file = directory.path("plain-file")
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        #expect { try RunStore(path: file + "/runs.db") } throws: { error in
            guard case .unwritable(_, let reason) = error as? StoreError else { return false }
            return reason.contains("not a directory")
        }
        #expect { try RunStore(path: directory.url.path) } throws: { error in
            guard case .unwritable(_, let reason) = error as? StoreError else { return false }
            return reason.contains("is a directory")
        }
        #expect(try directory.listing() == ["plain-file"])
        #expect(FileManager.default.contents(atPath: file) == Data("x".utf8))
    }

    @Test func readingAMissingFileCreatesNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("absent.db")
        #expect(throws: StoreError.missingDatabase(path: path)) { try RunStore(readingFrom: path) }
        #expect(try directory.listing().isEmpty)
    }

    @Test func readOnlyStoreRefusesToWrite() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("runs.db")
        _ = try RunStore(path: path)
        let reader = try RunStore(readingFrom: path)
        #expect(throws: StoreError.openedReadOnly(path: path)) {
            try reader.beginRun(newRun(try makeSchedule(.gpipe, devices: 2, microbatches: 2)))
        }
    }
}
