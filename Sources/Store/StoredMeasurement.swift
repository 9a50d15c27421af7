import GRDB
import Schedule

/// How the iterations an executed run summarises varied (`MeasurementSpread`), with the rule that
/// chose them and which timeline the run's events hold: the tables `measurements`, `device_spread`
/// and `action_spread`.
public struct StoredMeasurement: Sendable, Hashable {
    public var spread: MeasurementSpread
    /// The discard rule applied (`MeasuredIterations.rule`).
    public var rule: String
    /// Which timeline the run's events hold: "typical" (per-action medians) or "iteration N" (1-based).
    public var timeline: String

    public init(spread: MeasurementSpread, rule: String = MeasuredIterations.rule, timeline: String) {
        self.spread = spread
        self.rule = rule
        self.timeline = timeline
    }

    /// Inserts the rows of run `runID` (inside the caller's transaction).
    func insert(runID: Int64, db: Database) throws {
        let s = spread
        try db.execute(sql: """
            INSERT INTO measurements (run_id, iterations, kept, discard_rule, timeline, makespan_median_ns, makespan_q1_ns,
                                      makespan_q3_ns, makespan_ci_low_ns, makespan_ci_high_ns)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [runID, s.iterations, s.kept, rule, timeline, s.makespan.median, s.makespan.q1, s.makespan.q3,
                             s.makespan.ciLow, s.makespan.ciHigh])
        let device = try db.cachedStatement(sql: """
            INSERT INTO device_spread (run_id, device, busy_median_ns, busy_q1_ns, busy_q3_ns, busy_ci_low_ns, busy_ci_high_ns,
                                       bubble_median, bubble_q1, bubble_q3, bubble_ci_low, bubble_ci_high)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (d, (busy, bubble)) in zip(s.busy, s.bubble).enumerated() {
            try device.execute(arguments: [runID, d, busy.median, busy.q1, busy.q3, busy.ciLow, busy.ciHigh,
                                           bubble.median, bubble.q1, bubble.q3, bubble.ciLow, bubble.ciHigh])
        }
        let action = try db.cachedStatement(sql: """
            INSERT INTO action_spread (run_id, action_id, start_q1_ns, start_q3_ns, end_q1_ns, end_q3_ns) VALUES (?, ?, ?, ?, ?, ?)
            """)
        for id in s.startQ1.indices {
            try action.execute(arguments: [runID, id, s.startQ1[id], s.startQ3[id], s.endQ1[id], s.endQ3[id]])
        }
    }
}

extension RunStore {
    /// The measurement stored with run `runID`, or nil when it has none (simulated runs, and executed
    /// runs recorded before measurements were stored).
    public func measurement(runID: Int64) throws(StoreError) -> StoredMeasurement? {
        try read("reading the measurement of run \(runID)") { db -> StoredMeasurement? in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM measurements WHERE run_id = ?", arguments: [runID]) else { return nil }
            /// A spread from the columns NAME_median, NAME_q1, NAME_q3, NAME_ci_low and NAME_ci_high (each + UNIT).
            func spread(_ row: Row, _ name: String, unit: String, count: Int) throws -> Spread {
                Spread(count: count, median: try row.decode(forColumn: name + "_median" + unit),
                       q1: try row.decode(forColumn: name + "_q1" + unit), q3: try row.decode(forColumn: name + "_q3" + unit),
                       ciLow: try row.decode(forColumn: name + "_ci_low" + unit), ciHigh: try row.decode(forColumn: name + "_ci_high" + unit))
            }
            let kept: Int = try row.decode(forColumn: "kept")
            let devices = try Row.fetchAll(db, sql: "SELECT * FROM device_spread WHERE run_id = ? ORDER BY device", arguments: [runID])
            let actions = try Row.fetchAll(db, sql: "SELECT * FROM action_spread WHERE run_id = ? ORDER BY action_id", arguments: [runID])
            let column = { (name: String) throws -> [Int64] in try actions.map { try $0.decode(Int64.self, forColumn: name) } }
            let stored = MeasurementSpread(
                iterations: try row.decode(forColumn: "iterations"), kept: kept,
                makespan: try spread(row, "makespan", unit: "_ns", count: kept),
                busy: try devices.map { try spread($0, "busy", unit: "_ns", count: kept) },
                bubble: try devices.map { try spread($0, "bubble", unit: "", count: kept) },
                startQ1: try column("start_q1_ns"), startQ3: try column("start_q3_ns"),
                endQ1: try column("end_q1_ns"), endQ3: try column("end_q3_ns"))
            return StoredMeasurement(spread: stored, rule: try row.decode(forColumn: "discard_rule"),
                                     timeline: try row.decode(forColumn: "timeline"))
        }
    }
}
