import Foundation
import GRDB
import GRDBSQLite
import Schedule

/// The bulk writer of `events`: prepared statements of `rowsPerStatement` rows (and one row for the
/// rest), their values bound straight on the SQLite statement handle, inside the caller's transaction.
/// Many rows per statement spread SQLite's per-statement work (start, foreign-key and constraint
/// bookkeeping, reset) over them.
enum EventWriter {
    /// Rows per multi-row INSERT: 256 × 10 parameters, below SQLite's default limit of 32,766 (fewer where
    /// a build of SQLite allows fewer). 256 rows wrote 131,072 events in about 0.09 s against 0.14 s one
    /// row at a time; more rows gained nothing.
    static func rowsPerStatement(_ db: Database) -> Int {
        min(256, max(1, Int(sqlite3_limit(db.sqliteConnection, SQLITE_LIMIT_VARIABLE_NUMBER, -1)) / 10))
    }

    /// Inserts one row per action of `timeline` for run `runID`. Must run inside a transaction.
    static func insert(_ timeline: Timeline, runID: Int64, db: Database) throws {
        let schedule = timeline.schedule
        let chunks = chunkTable(schedule.placement)
        let stageCount = schedule.stageCount
        let rowsPerStatement = rowsPerStatement(db)
        // The GRDB statements own the SQLite handles: kept alive until every row is in.
        let statements = [try db.makeStatement(sql: Schema.insertEvents(rows: rowsPerStatement)), try db.makeStatement(sql: Schema.insertEvents(rows: 1))]
        defer { withExtendedLifetime(statements) {} }
        let batch = statements[0].sqliteStatement, single = statements[1].sqliteStatement
        // The op tokens as C strings that outlive every step: bound without copying (SQLITE_STATIC).
        let tokens = Op.allCases.map { strdup($0.token) }
        defer { tokens.forEach { free($0) } }
        let tokenLengths = Op.allCases.map { Int32($0.token.utf8.count) }
        // Action ids run device by device (`schedule.deviceOffsets`), so rows go in primary-key order.
        let count = schedule.actions.count, offsets = schedule.deviceOffsets

        try schedule.actions.withUnsafeBufferPointer { actions in
            try timeline.start.withUnsafeBufferPointer { start in
                try timeline.end.withUnsafeBufferPointer { end in
                    var first = 0, device = 0
                    while first < count {
                        let handle = count - first >= rowsPerStatement ? batch : single
                        let rows = handle == batch ? rowsPerStatement : 1
                        for slot in 0..<rows {
                            let id = first + slot, action = actions[id], op = Int(action.op.rawValue)
                            while id >= offsets[device + 1] { device += 1 }
                            let base = Int32(slot * 10)
                            sqlite3_bind_int64(handle, base + 1, runID)
                            sqlite3_bind_int64(handle, base + 2, Int64(id))
                            sqlite3_bind_int64(handle, base + 3, Int64(device))
                            sqlite3_bind_int64(handle, base + 4, Int64(action.replica))
                            sqlite3_bind_int64(handle, base + 5, Int64(action.stage))
                            sqlite3_bind_int64(handle, base + 6, Int64(chunks[action.replica * stageCount + action.stage]))
                            sqlite3_bind_int64(handle, base + 7, Int64(action.microbatch))
                            sqlite3_bind_text(handle, base + 8, tokens[op], tokenLengths[op], nil)
                            sqlite3_bind_int64(handle, base + 9, start[id])
                            sqlite3_bind_int64(handle, base + 10, end[id])
                        }
                        let code = sqlite3_step(handle)
                        sqlite3_reset(handle)
                        guard code == SQLITE_DONE else {
                            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                                                sql: Schema.insertEvents(rows: rows))
                        }
                        first += rows
                    }
                }
            }
        }
    }

    /// `chunk` of each (replica, stage), at `replica * stageCount + stage`: its index among the stages
    /// of the same replica on the same device (stage / devices for looped placements).
    static func chunkTable(_ placement: Placement) -> [Int] {
        var table = [Int](repeating: 0, count: placement.replicaCount * placement.stageCount)
        for device in 0..<placement.deviceCount {
            var next = [Int](repeating: 0, count: placement.replicaCount)
            for (replica, stage) in placement.stages(on: device) {
                table[replica * placement.stageCount + stage] = next[replica]
                next[replica] += 1
            }
        }
        return table
    }
}
