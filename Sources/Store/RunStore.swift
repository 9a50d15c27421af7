import Foundation
import GRDB
import Schedule

/// The results database: every run and every action of it, in one SQLite file.
///
/// Opening creates the file if needed, switches it to WAL mode (readers never block the writer),
/// sets a busy timeout (writers from several processes wait for each other) and applies the schema
/// migrations. A run is recorded in two steps: `beginRun` writes its row as `running`; `completeRun`
/// writes all its events, its per-device stats and its final status in one transaction, so a run is
/// either complete or visibly not. `failRun` records an error instead.
///
/// Runs left `running` by a process that died (killed, crashed) are shown as `interrupted`; a
/// read-write open also rewrites them to `interrupted` in the file. See `WriterIdentity`.
///
/// Instances are safe to share between threads: all access goes through one serial connection.
public final class RunStore: Sendable {
    /// The database file.
    public let path: String
    /// Whether the store was opened with `init(readingFrom:)`.
    public let isReadOnly: Bool
    /// Seconds a write waits for another connection's lock before failing with `.busy`.
    public let busyTimeout: Double
    /// 30 s, or the seconds in the environment variable `STAGECRAFT_BUSY_TIMEOUT` (a positive number).
    public static var defaultBusyTimeout: Double {
        guard let text = ProcessInfo.processInfo.environment["STAGECRAFT_BUSY_TIMEOUT"], let seconds = Double(text),
              seconds.isFinite, seconds > 0 else { return 30 }
        return seconds
    }
    let queue: DatabaseQueue

    /// Opens the results database at `path` for recording, creating it if needed, and upgrades its
    /// schema. A file that is not an SQLite database, a database of another program or of a newer
    /// Stagecraft, and a path that cannot be written each throw and leave the file untouched.
    public init(path: String, busyTimeout: Double = RunStore.defaultBusyTimeout) throws(StoreError) {
        self.path = path
        self.isReadOnly = false
        self.busyTimeout = busyTimeout
        try DatabaseFile.checkWritable(path)
        try DatabaseFile.checkHeader(path)
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: DatabaseFile.configuration(readOnly: false, busyTimeout: busyTimeout))
        } catch {
            throw DatabaseFile.storeError(error, operation: "opening the results database", path: path, busyTimeout: busyTimeout)
        }
        self.queue = queue
        try checkSchema(allowUpgrade: true)
        // Changing the journal mode needs the file to itself, and SQLite answers SQLITE_BUSY at once rather
        // than through the busy timeout while another process (say, one creating the same new file) holds
        // it: retry until the timeout.
        let deadline = Date().addingTimeInterval(busyTimeout)
        try perform("switching \(path) to WAL mode") {
            while true {
                do {
                    try queue.writeWithoutTransaction { db in
                        guard try String.fetchOne(db, sql: "PRAGMA journal_mode")?.lowercased() != "wal" else { return }
                        let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                        guard mode?.lowercased() == "wal" else {
                            throw StoreError.unwritable(path: path, reason: "SQLite could not switch it to WAL mode (journal mode stays \(mode ?? "unknown"))")
                        }
                    }
                    return
                } catch let error as DatabaseError where (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED) && Date() < deadline {
                    Thread.sleep(forTimeInterval: 0.01)
                }
            }
        }
        try migrate()
        try markInterruptedRuns()
    }

    /// Opens an existing results database for reading only: nothing is created, migrated or written.
    public init(readingFrom path: String, busyTimeout: Double = RunStore.defaultBusyTimeout) throws(StoreError) {
        self.path = path
        self.isReadOnly = true
        self.busyTimeout = busyTimeout
        try DatabaseFile.checkExists(path)
        try DatabaseFile.checkHeader(path)
        do {
            queue = try DatabaseQueue(path: path, configuration: DatabaseFile.configuration(readOnly: true, busyTimeout: busyTimeout))
        } catch {
            throw DatabaseFile.storeError(error, operation: "opening the results database", path: path, busyTimeout: busyTimeout)
        }
        try checkSchema(allowUpgrade: false)
    }

    /// A short description of this machine for `NewRun.host`: host name, OS, CPU count.
    public static func hostDescription() -> String {
        let info = ProcessInfo.processInfo
        return "\(WriterIdentity.hostName()) (\(info.operatingSystemVersionString), \(info.activeProcessorCount) CPUs)"
    }

    // MARK: Recording

    /// Writes the row of a new run, status `running`, and returns its id.
    public func beginRun(_ run: NewRun) throws(StoreError) -> Int64 {
        try requireWritable()
        let schedule = run.schedule
        let placement = (0..<schedule.replicaCount).map { replica in
            "[" + (0..<schedule.stageCount).map { String(schedule.placement.device(replica: replica, stage: $0)) }.joined(separator: ",") + "]"
        }
        let writer = WriterIdentity.current
        let arguments: StatementArguments = [
            run.kind.rawValue, schedule.name, schedule.deviceCount, schedule.stageCount, schedule.replicaCount,
            schedule.microbatchCount, max(1, schedule.stageCount / schedule.deviceCount), schedule.actions.count, "[" + placement.joined(separator: ",") + "]",
            run.configJSON, run.host, run.toolVersion, writer.pid, writer.host, writer.started,
        ]
        return try write("beginning a run") { db in
            try db.execute(sql: """
                INSERT INTO runs (kind, schedule, devices, stages, replicas, microbatches, chunks, actions, placement,
                                  config, host, tool_version, writer_pid, writer_host, writer_started)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: arguments)
            return db.lastInsertedRowID
        }
    }

    /// Stores every event of the run, its per-device stats, makespan and bubble ratio, and marks it
    /// `completed` — all in one transaction. The timeline must be of the schedule the run was begun with.
    /// `measurement`, for a run that summarises many iterations, is stored with it in the same transaction.
    public func completeRun(id: Int64, timeline: Timeline, measurement: StoredMeasurement? = nil) throws(StoreError) {
        try requireWritable()
        let schedule = timeline.schedule
        let makespan = timeline.makespan
        let devices = schedule.deviceCount
        let busy = (0..<devices).map { timeline.busy(device: $0) }
        let hasMemory = timeline.peakMemory.count == devices
        let available = Double(makespan) * Double(devices)
        let bubbleRatio = available > 0 ? Double(busy.reduce(0) { $0 + (makespan - $1) }) / available : 0
        try write("completing run \(id)") { db in
            let row = try requireRunning(id, db)
            let expected = (actions: try row.decode(Int.self, forColumn: "actions"), devices: try row.decode(Int.self, forColumn: "devices"),
                            stages: try row.decode(Int.self, forColumn: "stages"), replicas: try row.decode(Int.self, forColumn: "replicas"))
            if expected != (schedule.actions.count, devices, schedule.stageCount, schedule.replicaCount) {
                throw StoreError.timelineMismatch(id: id, reason: "the run has \(expected.actions) actions on \(expected.devices) devices, "
                    + "\(expected.stages) stages × \(expected.replicas) replica(s); the timeline has \(schedule.actions.count) actions on "
                    + "\(devices) devices, \(schedule.stageCount) stages × \(schedule.replicaCount) replica(s)")
            }
            try EventWriter.insert(timeline, runID: id, db: db)
            let stats = try db.cachedStatement(sql: """
                INSERT INTO device_stats (run_id, device, actions, busy_ns, idle_ns, peak_memory_bytes) VALUES (?, ?, ?, ?, ?, ?)
                """)
            for device in 0..<devices {
                try stats.execute(arguments: [id, device, schedule.actionRange(of: device).count, busy[device],
                                              makespan - busy[device], hasMemory ? timeline.peakMemory[device] : nil])
            }
            if let measurement { try measurement.insert(runID: id, db: db) }
            try db.execute(sql: """
                UPDATE runs SET status = 'completed', makespan_ns = ?, bubble_ratio = ?,
                                finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                WHERE id = ?
                """, arguments: [makespan, bubbleRatio, id])
        }
    }

    /// Marks a running run `failed` with the error that stopped it.
    public func failRun(id: Int64, error: String) throws(StoreError) {
        try requireWritable()
        try write("failing run \(id)") { db in
            _ = try requireRunning(id, db)
            try db.execute(sql: """
                UPDATE runs SET status = 'failed', error = ?, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?
                """, arguments: [error, id])
        }
    }

    // MARK: Opening

    /// Refuses foreign and newer databases; with `allowUpgrade` false also ones that need migrating.
    private func checkSchema(allowUpgrade: Bool) throws(StoreError) {
        let path = self.path
        try perform("reading the schema of \(path)") {
            try queue.read { db in
                let hasHistory = try db.tableExists("grdb_migrations")
                let applied = hasHistory ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") : []
                let known = Set(Schema.migrationIdentifiers)
                let unknown = applied.filter { !known.contains($0) }.sorted()
                if applied.isEmpty {
                    let tables = try Int.fetchOne(db, sql: """
                        SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'
                        """) ?? 0
                    if tables > 0 { throw StoreError.foreignDatabase(path: path) }
                } else if unknown.count == applied.count {
                    throw StoreError.foreignDatabase(path: path)
                } else if !unknown.isEmpty {
                    throw StoreError.newerSchema(path: path, unknownMigrations: unknown)
                }
                if !allowUpgrade && Set(applied) != known { throw StoreError.schemaNeedsUpgrade(path: path) }
            }
        }
    }

    /// Applies the migrations this file lacks. Another process may be migrating the same new file at
    /// the same moment; if a migration fails because it already ran there, the result is the same.
    private func migrate() throws(StoreError) {
        let migrator = Schema.migrator
        let queue = self.queue
        var attempt = 0
        while true {
            do {
                if try queue.read({ try migrator.hasCompletedMigrations($0) }) { return }
                try migrator.migrate(queue)
                return
            } catch {
                attempt += 1
                if attempt >= 5 {
                    throw DatabaseFile.storeError(error, operation: "migrating the schema of \(path)", path: path, busyTimeout: busyTimeout)
                }
            }
        }
    }

    /// Rewrites `running` rows whose writer process is gone as `interrupted`.
    private func markInterruptedRuns() throws(StoreError) {
        let running = try read("looking for interrupted runs") { db in
            try Row.fetchAll(db, sql: "SELECT id, writer_pid, writer_host, writer_started FROM runs WHERE status = 'running'")
        }
        let gone = running.compactMap { row -> (Int64, WriterIdentity)? in
            guard let pid = try? row.decode(Int64.self, forColumn: "writer_pid"), let host = try? row.decode(String.self, forColumn: "writer_host"),
                  let id = try? row.decode(Int64.self, forColumn: "id") else { return nil }
            let writer = WriterIdentity(pid: pid, host: host, started: try? row.decode(String?.self, forColumn: "writer_started"))
            return writer.isGone ? (id, writer) : nil
        }
        guard !gone.isEmpty else { return }
        try write("marking interrupted runs") { db in
            for (id, writer) in gone {
                try db.execute(sql: """
                    UPDATE runs SET status = 'interrupted', error = ?, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                    WHERE id = ? AND status = 'running'
                    """, arguments: [Self.interruptedMessage(writer), id])
            }
        }
    }

    static func interruptedMessage(_ writer: WriterIdentity) -> String {
        "the process that recorded it (pid \(writer.pid) on \(writer.host)) ended before the run completed"
    }

    // MARK: Helpers

    private func requireWritable() throws(StoreError) {
        if isReadOnly { throw .openedReadOnly(path: path) }
    }

    /// The run row, or an error unless it exists and is `running`.
    private func requireRunning(_ id: Int64, _ db: Database) throws -> Row {
        guard let row = try Row.fetchOne(db, sql: "SELECT status, actions, devices, stages, replicas FROM runs WHERE id = ?", arguments: [id]) else {
            throw StoreError.noSuchRun(id: id)
        }
        let status = RunStatus(rawValue: try row.decode(String.self, forColumn: "status")) ?? .failed
        guard status == .running else { throw StoreError.runNotRunning(id: id, status: status) }
        return row
    }

    /// Runs `body` in an immediate write transaction (so concurrent writers queue on the busy timeout).
    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        try perform(operation) {
            try queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                guard let result else { throw StoreError.sqlite(operation: operation, message: "the transaction produced no result", sql: nil) }
                return result
            }
        }
    }

    /// Runs `body` in a read transaction.
    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        try perform(operation) { try queue.read(body) }
    }

    /// Runs `body`, turning what it throws into a `StoreError`.
    func perform<T>(_ operation: String, _ body: () throws -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch {
            throw DatabaseFile.storeError(error, operation: operation, path: path, busyTimeout: busyTimeout)
        }
    }
}
