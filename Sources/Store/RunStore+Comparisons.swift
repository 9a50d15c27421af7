import GRDB

extension RunStore {
    /// Stores a comparison of two recorded runs and returns its id. Both runs must exist.
    public func recordComparison(_ record: ComparisonRecord) throws(StoreError) -> Int64 {
        _ = try run(id: record.predictedRunID)
        _ = try run(id: record.measuredRunID)
        return try write("recording the comparison of runs \(record.predictedRunID) and \(record.measuredRunID)") { db in
            try db.execute(sql: """
                INSERT INTO comparisons (predicted_run_id, measured_run_id, predicted_makespan_ns, measured_makespan_ns, makespan_error,
                                         bubble_error, worst_device_bubble_error, start_error_median_ns, start_error_p90_ns,
                                         start_error_max_ns, end_error_median_ns, end_error_p90_ns, end_error_max_ns,
                                         measured_makespan_q1_ns, measured_makespan_q3_ns, makespan_within_noise, start_within_noise)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [record.predictedRunID, record.measuredRunID, record.predictedMakespanNs, record.measuredMakespanNs,
                                 record.makespanError, record.bubbleError, record.worstDeviceBubbleError, record.startErrorMedianNs,
                                 record.startErrorP90Ns, record.startErrorMaxNs, record.endErrorMedianNs, record.endErrorP90Ns,
                                 record.endErrorMaxNs, record.measuredMakespanQ1Ns, record.measuredMakespanQ3Ns,
                                 record.makespanWithinNoise, record.startWithinNoise])
            return db.lastInsertedRowID
        }
    }

    /// The comparisons that involve run `runID` (as prediction or measurement), oldest first.
    public func comparisons(runID: Int64) throws(StoreError) -> [ComparisonRecord] {
        try read("reading the comparisons of run \(runID)") { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM comparisons WHERE predicted_run_id = ? OR measured_run_id = ? ORDER BY id
                """, arguments: [runID, runID]).map { row in
                ComparisonRecord(id: try row.decode(forColumn: "id"), predictedRunID: try row.decode(forColumn: "predicted_run_id"),
                                 measuredRunID: try row.decode(forColumn: "measured_run_id"),
                                 predictedMakespanNs: try row.decode(forColumn: "predicted_makespan_ns"),
                                 measuredMakespanNs: try row.decode(forColumn: "measured_makespan_ns"),
                                 makespanError: try row.decode(forColumn: "makespan_error"),
                                 bubbleError: try row.decode(forColumn: "bubble_error"),
                                 worstDeviceBubbleError: try row.decode(forColumn: "worst_device_bubble_error"),
                                 startErrorMedianNs: try row.decode(forColumn: "start_error_median_ns"),
                                 startErrorP90Ns: try row.decode(forColumn: "start_error_p90_ns"),
                                 startErrorMaxNs: try row.decode(forColumn: "start_error_max_ns"),
                                 endErrorMedianNs: try row.decode(forColumn: "end_error_median_ns"),
                                 endErrorP90Ns: try row.decode(forColumn: "end_error_p90_ns"),
                                 endErrorMaxNs: try row.decode(forColumn: "end_error_max_ns"),
                                 measuredMakespanQ1Ns: try row.decode(forColumn: "measured_makespan_q1_ns"),
                                 measuredMakespanQ3Ns: try row.decode(forColumn: "measured_makespan_q3_ns"),
                                 makespanWithinNoise: try row.decode(forColumn: "makespan_within_noise"),
                                 startWithinNoise: try row.decode(forColumn: "start_within_noise"))
            }
        }
    }

    /// Stores a calibrated cost model (JSON) with the executor configuration it was measured for, and
    /// returns its id.
    public func recordCalibration(configJSON: String, costModelJSON: String, host: String) throws(StoreError) -> Int64 {
        try write("recording a calibration") { db in
            try db.execute(sql: "INSERT INTO calibrations (host, config, cost_model) VALUES (?, ?, ?)",
                           arguments: [host, configJSON, costModelJSON])
            return db.lastInsertedRowID
        }
    }

    /// The calibration with this id, or nil when there is none.
    public func calibration(id: Int64) throws(StoreError) -> CalibrationRecord? {
        try read("reading calibration \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT id, created_at, host, config, cost_model FROM calibrations WHERE id = ?", arguments: [id]).map { row in
                CalibrationRecord(id: try row.decode(atIndex: 0), createdAt: try row.decode(atIndex: 1), host: try row.decode(atIndex: 2),
                                  configJSON: try row.decode(atIndex: 3), costModelJSON: try row.decode(atIndex: 4))
            }
        }
    }
}
