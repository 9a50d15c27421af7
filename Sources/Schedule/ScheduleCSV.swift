/// PyTorch `torch.distributed.pipelining` CSV: one row per rank (device), one cell per action in the
/// order the rank runs them (`0F1` = stage 0, forward, micro-batch 1; `2I0`, `2W0`, `1B3`), an empty
/// cell for idle. Stagecraft writes replica r > 0 as `0F1@1` (PyTorch has no replicated stages) and
/// Chimera's gradient sync as PyTorch's `REDUCE_GRAD` (`3REDUCE_GRAD`). Activation recomputation,
/// which PyTorch has no action for, is written `R` (`2R0`: stage 2 recomputes micro-batch 0's forward);
/// PyTorch cannot read such a file, and a file without `R` cells is plain PyTorch.
///
/// Files dumped by PyTorch with communication and sharding actions import as they are: `REDUCE_GRAD`
/// becomes a `gradSync`, the compute parts of `(0F3;7B1)OVERLAP_F_B` become their actions in order, and
/// `SEND_F`, `RECV_F`, `SEND_B`, `RECV_B`, `UNSHARD`, `RESHARD` are skipped (Stagecraft derives transfers
/// from `Dependencies`) and counted in `Imported.skipped`.
public enum ScheduleCSV {
    /// A schedule read from a file, with what was skipped on the way.
    public struct Imported: Sendable {
        public let schedule: Schedule
        /// Non-compute actions skipped, by kind (`SEND_F`: 12, …).
        public let skipped: [String: Int]
    }

    /// The CSV text of `schedule`: one line per device.
    public static func export(_ schedule: Schedule) -> String {
        (0..<schedule.deviceCount).map { device in
            schedule.actions(on: device).map(\.description).joined(separator: ",")
        }.joined(separator: "\n") + "\n"
    }

    /// Reads a schedule. Stages, micro-batches and replicas are inferred from the largest indices (or
    /// checked against `stages` and `microbatches` when given); the placement is inferred from the
    /// row each stage's actions appear in. The result is validated; every problem names its row and
    /// column.
    public static func parse(_ text: String, name: String = "imported", stages: Int? = nil,
                             microbatches: Int? = nil) throws(ScheduleError) -> Imported {
        var rows = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? line.dropLast() : line
        }
        while let last = rows.last, last.allSatisfy({ $0 == " " || $0 == "," }) { rows.removeLast() }
        guard !rows.isEmpty else { throw .csv([CSVIssue(row: 1, column: nil, cell: "", reason: "the file has no rows; write one row of actions per device")]) }

        var issues: [CSVIssue] = []
        var skipped: [String: Int] = [:]
        // Per device: the actions and the (column, cell) each came from.
        var parsed = [[(action: Action, column: Int, cell: String)]](repeating: [], count: rows.count)
        for (rowIndex, line) in rows.enumerated() {
            for (columnIndex, rawCell) in line.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
                let cell = String(trimmed(rawCell))
                if cell.isEmpty { continue }
                do {
                    for token in try ActionToken.parseCell(cell[...]) {
                        switch token {
                        case let .compute(action): parsed[rowIndex].append((action, columnIndex + 1, cell))
                        case let .skipped(kind): skipped[kind, default: 0] += 1
                        }
                    }
                } catch {
                    issues.append(CSVIssue(row: rowIndex + 1, column: columnIndex + 1, cell: cell, reason: error.reason))
                }
            }
        }
        guard issues.isEmpty else { throw .csv(issues) }

        let all = parsed.flatMap { $0 }
        guard !all.isEmpty else { throw .csv([CSVIssue(row: 1, column: nil, cell: "", reason: "the file has no compute actions (F, B, I, W, R)")]) }
        let stageCount = stages ?? (all.map(\.action.stage).max()! + 1)
        let microbatchCount = microbatches ?? (all.map(\.action.microbatch).max()! + 1)
        let replicaCount = all.map(\.action.replica).max()! + 1

        // Ranges first, so the placement table below can be indexed safely.
        for (device, entries) in parsed.enumerated() {
            for entry in entries {
                if entry.action.stage >= stageCount {
                    issues.append(CSVIssue(row: device + 1, column: entry.column, cell: entry.cell,
                                           reason: "stage \(entry.action.stage) is out of range: the schedule has stages 0–\(stageCount - 1)"))
                } else if entry.action.microbatch >= microbatchCount {
                    issues.append(CSVIssue(row: device + 1, column: entry.column, cell: entry.cell,
                                           reason: "micro-batch \(entry.action.microbatch) is out of range: the schedule has micro-batches 0–\(microbatchCount - 1)"))
                }
            }
        }
        guard issues.isEmpty else { throw .csv(issues) }

        // Placement: the row each (replica, stage) appears in; it must be one row.
        var table = [[Int]](repeating: [Int](repeating: -1, count: stageCount), count: replicaCount)
        for (device, entries) in parsed.enumerated() {
            for entry in entries {
                let r = entry.action.replica, s = entry.action.stage
                if table[r][s] < 0 {
                    table[r][s] = device
                } else if table[r][s] != device {
                    issues.append(CSVIssue(row: device + 1, column: entry.column, cell: entry.cell,
                                           reason: "stage \(s)\(r > 0 ? " of replica \(r)" : "") already appears on row \(table[r][s] + 1); a stage lives on one device"))
                }
            }
        }
        for r in 0..<replicaCount {
            for s in 0..<stageCount where table[r][s] < 0 {
                issues.append(CSVIssue(row: 1, column: nil, cell: "",
                                       reason: "stage \(s)\(r > 0 ? " of replica \(r)" : "") has no actions on any row; stages are numbered 0–\(stageCount - 1) without gaps"))
            }
        }
        guard issues.isEmpty else { throw .csv(issues) }

        let placement = try Placement(deviceCount: rows.count, devicesByReplica: table)
        let schedule = Schedule(name: name, placement: placement, microbatchCount: microbatchCount,
                                actionsByDevice: parsed.map { $0.map(\.action) })
        do {
            try schedule.validate()
        } catch {
            guard case let .invalid(problems) = error else { throw error }
            throw .csv(problems.map { locate($0, parsed) })
        }
        return Imported(schedule: schedule, skipped: skipped)
    }

    /// Names the row and column of a validation problem.
    private static func locate(_ problem: ScheduleProblem, _ parsed: [[(action: Action, column: Int, cell: String)]]) -> CSVIssue {
        func at(_ device: Int, _ position: Int, _ reason: String) -> CSVIssue {
            let entry = parsed[device][position]
            return CSVIssue(row: device + 1, column: entry.column, cell: entry.cell, reason: reason)
        }
        func place(_ device: Int, _ position: Int) -> String { "row \(device + 1), column \(parsed[device][position].column)" }
        switch problem {
        case let .outOfRange(_, device, position, _), let .wrongDevice(_, device, position, _),
             let .conflictingBackward(_, device, position, _):
            return at(device, position, problem.description)
        case let .duplicate(action, device, position, firstDevice, firstPosition):
            return at(device, position, "\(action) is duplicated: it already appears at \(place(firstDevice, firstPosition))")
        case let .outOfOrder(action, device, position, waitsFor, later):
            return at(device, position, "\(action) comes before \(waitsFor) (\(place(device, later))), which it waits for: move \(waitsFor) earlier")
        case let .missing(action, device, why):
            return CSVIssue(row: device + 1, column: nil, cell: "", reason: "\(action) is missing (\(why))")
        case let .splitAcrossReplicas(microbatch, replicas):
            return CSVIssue(row: 1, column: nil, cell: "", reason: "micro-batch \(microbatch) appears in replicas \(replicas); a micro-batch flows through one replica")
        case let .deadlock(waits):
            let first = waits[0]
            let position = parsed[first.device].firstIndex { $0.action == first.action }!
            let cycle = waits.map { wait in
                let here = parsed[wait.device].firstIndex { $0.action == wait.action }!
                return "row \(wait.device + 1) waits at \(wait.action) (\(place(wait.device, here))) for \(wait.waitsFor) on row \(wait.otherDevice + 1)"
            }.joined(separator: "; ")
            return at(first.device, position, "deadlock: \(cycle) — reorder one of these rows so the awaited action comes first")
        }
    }

    private static func trimmed(_ cell: Substring) -> Substring {
        var cell = cell.drop { $0 == " " || $0 == "\t" }
        while let last = cell.last, last == " " || last == "\t" { cell = cell.dropLast() }
        if cell.count >= 2, cell.first == "\"", cell.last == "\"" { cell = cell.dropFirst().dropLast() }
        return cell
    }
}
