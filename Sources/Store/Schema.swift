import GRDB

/// The schema of the results database, as named GRDB migrations. Each migration runs once, in order;
/// `grdb_migrations` records which ran. A database with a migration this list lacks was written by a
/// newer Stagecraft and is refused rather than misread.
///
/// README.md ("The results database") documents every column for users writing their own SQL; keep it
/// in step with this file.
enum Schema {
    /// Identifiers of all migrations this version knows, in order.
    static var migrationIdentifiers: [String] { [v1, v2, v3, v4, v5, v6] }

    static let v1 = "v1: runs, events, device_stats"
    static let v2 = "v2: comparisons, calibrations"
    static let v3 = "v3: measurements, action_spread, device_spread, comparison noise"
    static let v4 = "v4: tunes, tune_candidates"
    static let v5 = "v5: baselines"
    static let v6 = "v6: tune_candidates measured"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(v1) { db in
            try db.execute(sql: """
                CREATE TABLE runs (
                    id             INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind           TEXT    NOT NULL CHECK (kind IN ('simulated', 'executed')),
                    schedule       TEXT    NOT NULL,
                    devices        INTEGER NOT NULL,
                    stages         INTEGER NOT NULL,
                    replicas       INTEGER NOT NULL,
                    microbatches   INTEGER NOT NULL,
                    chunks         INTEGER NOT NULL,
                    actions        INTEGER NOT NULL,
                    placement      TEXT    NOT NULL,
                    config         TEXT    NOT NULL,
                    host           TEXT    NOT NULL,
                    tool_version   TEXT    NOT NULL,
                    created_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                    finished_at    TEXT,
                    status         TEXT    NOT NULL DEFAULT 'running'
                                   CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
                    error          TEXT,
                    makespan_ns    INTEGER,
                    bubble_ratio   REAL,
                    writer_pid     INTEGER NOT NULL,
                    writer_host    TEXT    NOT NULL,
                    writer_started TEXT
                );
                CREATE INDEX runs_by_kind ON runs (kind, id);
                CREATE INDEX runs_by_schedule ON runs (schedule, id);
                CREATE INDEX runs_by_status ON runs (status);

                CREATE TABLE events (
                    run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                    action_id  INTEGER NOT NULL,
                    device     INTEGER NOT NULL,
                    replica    INTEGER NOT NULL,
                    stage      INTEGER NOT NULL,
                    chunk      INTEGER NOT NULL,
                    microbatch INTEGER NOT NULL,
                    op         TEXT    NOT NULL,
                    start_ns   INTEGER NOT NULL,
                    end_ns     INTEGER NOT NULL,
                    PRIMARY KEY (run_id, action_id)
                ) WITHOUT ROWID;

                CREATE TABLE device_stats (
                    run_id            INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                    device            INTEGER NOT NULL,
                    actions           INTEGER NOT NULL,
                    busy_ns           INTEGER NOT NULL,
                    idle_ns           INTEGER NOT NULL,
                    peak_memory_bytes INTEGER,
                    PRIMARY KEY (run_id, device)
                ) WITHOUT ROWID;
                """)
        }
        // A comparison links a prediction to a measurement of the same schedule (`compare --record`,
        // `run --predict`); a calibration is a cost model measured by `stagecraft calibrate`.
        migrator.registerMigration(v2) { db in
            try db.execute(sql: """
                CREATE TABLE comparisons (
                    id                        INTEGER PRIMARY KEY AUTOINCREMENT,
                    predicted_run_id          INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                    measured_run_id           INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                    created_at                TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                    predicted_makespan_ns     INTEGER NOT NULL,
                    measured_makespan_ns      INTEGER NOT NULL,
                    makespan_error            REAL    NOT NULL,
                    bubble_error              REAL    NOT NULL,
                    worst_device_bubble_error REAL    NOT NULL,
                    start_error_median_ns     INTEGER NOT NULL,
                    start_error_p90_ns        INTEGER NOT NULL,
                    start_error_max_ns        INTEGER NOT NULL,
                    end_error_median_ns       INTEGER NOT NULL,
                    end_error_p90_ns          INTEGER NOT NULL,
                    end_error_max_ns          INTEGER NOT NULL
                );
                CREATE INDEX comparisons_by_predicted ON comparisons (predicted_run_id);
                CREATE INDEX comparisons_by_measured ON comparisons (measured_run_id);

                CREATE TABLE calibrations (
                    id         INTEGER PRIMARY KEY AUTOINCREMENT,
                    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                    host       TEXT NOT NULL,
                    config     TEXT NOT NULL,
                    cost_model TEXT NOT NULL
                );
                """)
        }
        // An executed run summarises many iterations: how they varied is stored with it
        // (`MeasurementSpread`), and a comparison says whether its error is inside that noise.
        migrator.registerMigration(v3) { db in
            try db.execute(sql: """
                CREATE TABLE measurements (
                    run_id              INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
                    iterations          INTEGER NOT NULL,
                    kept                INTEGER NOT NULL,
                    discard_rule        TEXT    NOT NULL,
                    timeline            TEXT    NOT NULL,
                    makespan_median_ns  REAL    NOT NULL,
                    makespan_q1_ns      REAL    NOT NULL,
                    makespan_q3_ns      REAL    NOT NULL,
                    makespan_ci_low_ns  REAL    NOT NULL,
                    makespan_ci_high_ns REAL    NOT NULL
                );

                CREATE TABLE action_spread (
                    run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                    action_id   INTEGER NOT NULL,
                    start_q1_ns INTEGER NOT NULL,
                    start_q3_ns INTEGER NOT NULL,
                    end_q1_ns   INTEGER NOT NULL,
                    end_q3_ns   INTEGER NOT NULL,
                    PRIMARY KEY (run_id, action_id)
                ) WITHOUT ROWID;

                CREATE TABLE device_spread (
                    run_id         INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                    device         INTEGER NOT NULL,
                    busy_median_ns REAL    NOT NULL,
                    busy_q1_ns     REAL    NOT NULL,
                    busy_q3_ns     REAL    NOT NULL,
                    busy_ci_low_ns  REAL   NOT NULL,
                    busy_ci_high_ns REAL   NOT NULL,
                    bubble_median  REAL    NOT NULL,
                    bubble_q1      REAL    NOT NULL,
                    bubble_q3      REAL    NOT NULL,
                    bubble_ci_low  REAL    NOT NULL,
                    bubble_ci_high REAL    NOT NULL,
                    PRIMARY KEY (run_id, device)
                ) WITHOUT ROWID;

                ALTER TABLE comparisons ADD COLUMN measured_makespan_q1_ns REAL;
                ALTER TABLE comparisons ADD COLUMN measured_makespan_q3_ns REAL;
                ALTER TABLE comparisons ADD COLUMN makespan_within_noise INTEGER;
                ALTER TABLE comparisons ADD COLUMN start_within_noise REAL;
                """)
        }
        // `stagecraft tune`: one row per tune, one per candidate it simulated.
        migrator.registerMigration(v4) { db in
            try db.execute(sql: """
                CREATE TABLE tunes (
                    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
                    created_at          TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                    host                TEXT    NOT NULL,
                    tool_version        TEXT    NOT NULL,
                    config              TEXT    NOT NULL,
                    devices             INTEGER NOT NULL,
                    memory_budget_bytes INTEGER,
                    lower_bound_ns      INTEGER NOT NULL,
                    evaluated           INTEGER NOT NULL,
                    seconds             REAL    NOT NULL
                );

                CREATE TABLE tune_candidates (
                    tune_id                INTEGER NOT NULL REFERENCES tunes (id) ON DELETE CASCADE,
                    position               INTEGER NOT NULL,
                    rank                   INTEGER,
                    schedule               TEXT    NOT NULL,
                    microbatches           INTEGER NOT NULL,
                    chunks                 INTEGER NOT NULL,
                    stages                 INTEGER NOT NULL,
                    recompute              INTEGER NOT NULL,
                    layer_split            TEXT,
                    layers_per_stage       TEXT,
                    makespan_ns            INTEGER NOT NULL,
                    iteration_ns           INTEGER NOT NULL,
                    bubble_ratio           REAL    NOT NULL,
                    peak_memory_bytes      INTEGER NOT NULL,
                    peak_memory_per_device TEXT    NOT NULL,
                    microbatches_per_s     REAL    NOT NULL,
                    samples_per_s          REAL,
                    within_budget          INTEGER NOT NULL,
                    on_frontier            INTEGER NOT NULL,
                    lower_bound_ns         INTEGER NOT NULL,
                    reason                 TEXT,
                    schedule_csv           TEXT,
                    PRIMARY KEY (tune_id, position)
                ) WITHOUT ROWID;
                """)
        }
        // `stagecraft baseline save|update`: every version of a baseline, as its file's text.
        migrator.registerMigration(v5) { db in
            try db.execute(sql: """
                CREATE TABLE baselines (
                    id           INTEGER PRIMARY KEY AUTOINCREMENT,
                    name         TEXT    NOT NULL,
                    created_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                    host         TEXT    NOT NULL,
                    tool_version TEXT    NOT NULL,
                    content      TEXT    NOT NULL
                );
                CREATE INDEX baselines_by_name ON baselines (name, id);
                """)
        }
        migrator.registerMigration(v6) { db in
            // `tune --measure`: the candidates it ran on the threaded executor (NULL for the others).
            try db.execute(sql: """
                ALTER TABLE tune_candidates ADD COLUMN measured_rank INTEGER;
                ALTER TABLE tune_candidates ADD COLUMN measured_step_ns REAL;
                ALTER TABLE tune_candidates ADD COLUMN measured_step_q1_ns REAL;
                ALTER TABLE tune_candidates ADD COLUMN measured_step_q3_ns REAL;
                ALTER TABLE tune_candidates ADD COLUMN measured_iterations INTEGER;
                """)
        }
        return migrator
    }

    /// An INSERT of `rows` events: the bulk writer prepares one of `EventWriter.rowsPerStatement` rows and
    /// one of a single row per run.
    static func insertEvents(rows: Int) -> String {
        "INSERT INTO events (run_id, action_id, device, replica, stage, chunk, microbatch, op, start_ns, end_ns) VALUES "
            + Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: rows).joined(separator: ", ")
    }
}
