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
        return try read("listing runs") { db in try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.record) }
    }

    /// The run with this id; throws `.noSuchRun` when there is none.
    public func run(id: Int64) throws(StoreError) -> RunRecord {
        let record = try read("reading run \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id]).map(Self.record)
        }
        guard let record else { throw .noSuchRun(id: id) }
        return record
    }

    /// Per-device stats of a completed run, by device (empty for runs that did not complete).
    public func deviceStats(runID: Int64) throws(StoreError) -> [DeviceStats] {
        _ = try run(id: runID)
        return try read("reading the device stats of run \(runID)") { db in
            try Row.fetchAll(db, sql: """
                SELECT device, actions, busy_ns, idle_ns, peak_memory_bytes FROM device_stats WHERE run_id = ? ORDER BY device
                """, arguments: [runID]).map { row in
                DeviceStats(device: try row.decode(atIndex: 0), actions: try row.decode(atIndex: 1), busyNs: try row.decode(atIndex: 2),
                            idleNs: try row.decode(atIndex: 3), peakMemoryBytes: try row.decode(atIndex: 4))
            }
        }
    }

    /// The events of a run in action-id order (device after device, each in run order); empty for
    /// runs that did not complete.
    public func events(runID: Int64) throws(StoreError) -> [EventRecord] {
        var events: [EventRecord] = []
        try forEachEvent(runID: runID) { events.append($0) }
        return events
    }

    /// Hands every event of run `runID` to `body` in action-id order, as SQLite reads them: a run of
    /// millions of events is never held in memory. An error `body` throws stops the reading and is
    /// reported as an output failure.
    public func forEachEvent(runID: Int64, _ body: (EventRecord) throws -> Void) throws(StoreError) {
        _ = try run(id: runID)
        try read("reading the events of run \(runID)") { db in
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT action_id, device, replica, stage, chunk, microbatch, op, start_ns, end_ns
                FROM events WHERE run_id = ? ORDER BY action_id
                """, arguments: [runID])
            while let row = try cursor.next() {
                let event = EventRecord(actionID: try row.decode(atIndex: 0), device: try row.decode(atIndex: 1),
                                        replica: try row.decode(atIndex: 2), stage: try row.decode(atIndex: 3),
                                        chunk: try row.decode(atIndex: 4), microbatch: try row.decode(atIndex: 5),
                                        op: try row.decode(atIndex: 6), startNs: try row.decode(atIndex: 7), endNs: try row.decode(atIndex: 8))
                do { try body(event) } catch { throw StoreError.output("\(error)") }
            }
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

    /// A `runs` row as a record, with a dead writer's `running` shown as `interrupted`. Throws (rather
    /// than trapping) when a hand-edited row holds a value of the wrong type.
    static func record(_ row: Row) throws -> RunRecord {
        let writer = WriterIdentity(pid: try row.decode(forColumn: "writer_pid"), host: try row.decode(forColumn: "writer_host"),
                                    started: try row.decode(forColumn: "writer_started"))
        let id: Int64 = try row.decode(forColumn: "id")
        let storedStatus: String = try row.decode(forColumn: "status")
        let storedKind: String = try row.decode(forColumn: "kind")
        guard var status = RunStatus(rawValue: storedStatus), let kind = RunKind(rawValue: storedKind) else {
            throw StoreError.inconsistentRun(id: id, reason: "its kind '\(storedKind)' or status '\(storedStatus)' is not one Stagecraft writes")
        }
        var error: String? = try row.decode(forColumn: "error")
        if status == .running && writer.isGone {
            status = .interrupted
            error = interruptedMessage(writer)
        }
        return RunRecord(
            id: id, kind: kind, schedule: try row.decode(forColumn: "schedule"),
            devices: try row.decode(forColumn: "devices"), stages: try row.decode(forColumn: "stages"),
            replicas: try row.decode(forColumn: "replicas"), microbatches: try row.decode(forColumn: "microbatches"),
            chunks: try row.decode(forColumn: "chunks"), actions: try row.decode(forColumn: "actions"),
            configJSON: try row.decode(forColumn: "config"), host: try row.decode(forColumn: "host"),
            toolVersion: try row.decode(forColumn: "tool_version"), createdAt: try row.decode(forColumn: "created_at"),
            finishedAt: try row.decode(forColumn: "finished_at"), status: status, error: error,
            makespanNs: try row.decode(forColumn: "makespan_ns"), bubbleRatio: try row.decode(forColumn: "bubble_ratio"),
            writerPID: writer.pid, writerHost: writer.host)
    }
}
