import Foundation
import GRDB
import Schedule

extension RunStore {
    /// Runs, newest first, filtered by kind and schedule name, at most `filter.limit` of them.
    /// A `running` run whose writer process is gone is returned as `interrupted`.
    public func runs(_ filter: RunFilter = RunFilter()) throws(StoreError) -> [RunRecord] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let kind = filter.kind {
            conditions.append("kind = ?")
            arguments += [kind.rawValue]
        }
        if let schedule = filter.schedule {
            conditions.append("schedule = ?")
            arguments += [schedule]
        }
        var sql = "SELECT * FROM runs"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY id DESC"
        if let limit = filter.limit {
            sql += " LIMIT ?"
            arguments += [max(0, limit)]
        }
        let rows = try read("listing runs") { db in try Row.fetchAll(db, sql: sql, arguments: arguments) }
        return rows.map(Self.record)
    }

    /// The run with this id; throws `.noSuchRun` when there is none.
    public func run(id: Int64) throws(StoreError) -> RunRecord {
        let row = try read("reading run \(id)") { db in try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id]) }
        guard let row else { throw .noSuchRun(id: id) }
        return Self.record(row)
    }

    /// Per-device stats of a completed run, by device (empty for runs that did not complete).
    public func deviceStats(runID: Int64) throws(StoreError) -> [DeviceStats] {
        _ = try run(id: runID)
        return try read("reading the device stats of run \(runID)") { db in
            try Row.fetchAll(db, sql: """
                SELECT device, actions, busy_ns, idle_ns, peak_memory_bytes FROM device_stats WHERE run_id = ? ORDER BY device
                """, arguments: [runID]).map { row in
                DeviceStats(device: row[0], actions: row[1], busyNs: row[2], idleNs: row[3], peakMemoryBytes: row[4])
            }
        }
    }

    /// The events of a run in action-id order (device after device, each in run order); empty for
    /// runs that did not complete.
    public func events(runID: Int64) throws(StoreError) -> [EventRecord] {
        _ = try run(id: runID)
        return try read("reading the events of run \(runID)") { db in
            var events: [EventRecord] = []
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT action_id, device, replica, stage, chunk, microbatch, op, start_ns, end_ns
                FROM events WHERE run_id = ? ORDER BY action_id
                """, arguments: [runID])
            while let row = try cursor.next() {
                events.append(EventRecord(actionID: row[0], device: row[1], replica: row[2], stage: row[3], chunk: row[4],
                                          microbatch: row[5], op: row[6], startNs: row[7], endNs: row[8]))
            }
            return events
        }
    }

    /// A completed run as the `Timeline` it was recorded from: the schedule rebuilt from the run row
    /// and its events, with every start, end and (when recorded) peak memory.
    public func timeline(runID: Int64) throws(StoreError) -> Timeline {
        let run = try self.run(id: runID)
        guard run.status == .completed else {
            throw .inconsistentRun(id: runID, reason: "it is \(run.status.rawValue), and only completed runs have events")
        }
        let placementJSON = try read("reading run \(runID)") { db in
            try String.fetchOne(db, sql: "SELECT placement FROM runs WHERE id = ?", arguments: [runID])
        }
        let placement = try Self.placement(placementJSON, run: run)
        let events = try self.events(runID: runID)
        guard events.count == run.actions else {
            throw .inconsistentRun(id: runID, reason: "it has \(events.count) events for \(run.actions) actions")
        }
        let ops = Dictionary(uniqueKeysWithValues: Op.allCases.map { ($0.token, $0) })
        var lists = [[Action]](repeating: [], count: run.devices)
        var start: [Int64] = [], end: [Int64] = []
        start.reserveCapacity(events.count)
        end.reserveCapacity(events.count)
        var lastDevice = 0
        for (position, event) in events.enumerated() {
            guard event.actionID == position else { throw .inconsistentRun(id: runID, reason: "action ids skip \(position)") }
            guard let op = ops[event.op] else { throw .inconsistentRun(id: runID, reason: "action \(position) has unknown op '\(event.op)'") }
            guard (0..<run.replicas).contains(event.replica), (0..<run.stages).contains(event.stage),
                  (0...Int(Int32.max)).contains(event.microbatch), event.device >= lastDevice,
                  placement.device(replica: event.replica, stage: event.stage) == event.device else {
                throw .inconsistentRun(id: runID, reason: "action \(position) (device \(event.device), replica \(event.replica), "
                                       + "stage \(event.stage)) does not fit the placement or the device order")
            }
            lastDevice = event.device
            lists[event.device].append(Action(op, stage: event.stage, microbatch: event.microbatch, replica: event.replica))
            start.append(event.startNs)
            end.append(event.endNs)
        }
        let schedule = Schedule(name: run.schedule, placement: placement, microbatchCount: run.microbatches, actionsByDevice: lists)
        let stats = try deviceStats(runID: runID)
        let peaks = stats.compactMap(\.peakMemoryBytes)
        return Timeline(schedule: schedule, start: start, end: end, peakMemory: peaks.count == run.devices ? peaks : [])
    }

    /// The placement stored as `[[device of stage s of replica r]]`.
    private static func placement(_ json: String?, run: RunRecord) throws(StoreError) -> Placement {
        guard let data = json?.data(using: .utf8),
              let table = try? JSONDecoder().decode([[Int]].self, from: data),
              table.count == run.replicas, table.allSatisfy({ $0.count == run.stages }) else {
            throw .inconsistentRun(id: run.id, reason: "its placement '\(json ?? "")' is not \(run.replicas) list(s) of \(run.stages) devices")
        }
        do {
            return try Placement(deviceCount: run.devices, devicesByReplica: table)
        } catch {
            throw .inconsistentRun(id: run.id, reason: "its placement is invalid: \(error.description)")
        }
    }

    /// A `runs` row as a record, with a dead writer's `running` shown as `interrupted`.
    static func record(_ row: Row) -> RunRecord {
        let writer = WriterIdentity(pid: row["writer_pid"], host: row["writer_host"], started: row["writer_started"])
        var status = RunStatus(rawValue: row["status"]) ?? .failed
        var error: String? = row["error"]
        if status == .running && writer.isGone {
            status = .interrupted
            error = interruptedMessage(writer)
        }
        return RunRecord(
            id: row["id"], kind: RunKind(rawValue: row["kind"]) ?? .simulated, schedule: row["schedule"],
            devices: row["devices"], stages: row["stages"], replicas: row["replicas"], microbatches: row["microbatches"],
            chunks: row["chunks"], actions: row["actions"], configJSON: row["config"], host: row["host"],
            toolVersion: row["tool_version"], createdAt: row["created_at"], finishedAt: row["finished_at"],
            status: status, error: error, makespanNs: row["makespan_ns"], bubbleRatio: row["bubble_ratio"],
            writerPID: row["writer_pid"], writerHost: row["writer_host"])
    }
}
