import Foundation
import GRDB
import GRDBSQLite
import Schedule

/// The bulk writer of `events`: one prepared statement, its values bound straight on the SQLite
/// statement handle, stepped once per action, inside the caller's transaction.
enum EventWriter {
    /// Inserts one row per action of `timeline` for run `runID`. Must run inside a transaction.
    static func insert(_ timeline: Timeline, runID: Int64, db: Database) throws {
        let schedule = timeline.schedule
        let chunks = chunkTable(schedule.placement)
        let stageCount = schedule.stageCount
        let statement = try db.makeStatement(sql: Schema.insertEvent)
        let handle = statement.sqliteStatement
        // The op tokens as C strings that outlive every step: bound without copying (SQLITE_STATIC).
        let tokens = Op.allCases.map { strdup($0.token) }
        defer { tokens.forEach { free($0) } }
        let tokenLengths = Op.allCases.map { Int32($0.token.utf8.count) }

        try schedule.actions.withUnsafeBufferPointer { actions in
            try timeline.start.withUnsafeBufferPointer { start in
                try timeline.end.withUnsafeBufferPointer { end in
                    for device in 0..<schedule.deviceCount {
                        for id in schedule.actionRange(of: device) {
                            let action = actions[id]
                            let op = Int(action.op.rawValue)
                            sqlite3_bind_int64(handle, 1, runID)
                            sqlite3_bind_int64(handle, 2, Int64(id))
                            sqlite3_bind_int64(handle, 3, Int64(device))
                            sqlite3_bind_int64(handle, 4, Int64(action.replica))
                            sqlite3_bind_int64(handle, 5, Int64(action.stage))
                            sqlite3_bind_int64(handle, 6, Int64(chunks[action.replica * stageCount + action.stage]))
                            sqlite3_bind_int64(handle, 7, Int64(action.microbatch))
                            sqlite3_bind_text(handle, 8, tokens[op], tokenLengths[op], nil)
                            sqlite3_bind_int64(handle, 9, start[id])
                            sqlite3_bind_int64(handle, 10, end[id])
                            let code = sqlite3_step(handle)
                            sqlite3_reset(handle)
                            guard code == SQLITE_DONE else {
                                throw DatabaseError(resultCode: ResultCode(rawValue: code),
                                                    message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                                                    sql: Schema.insertEvent)
                            }
                        }
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
