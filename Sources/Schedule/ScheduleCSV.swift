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

    /// The actions of one cell (`0F1`, `(0F3;7B1)OVERLAP_F_B`, `1SEND_F2`): the compute actions in order
    /// and the kinds skipped; throws the reason a cell cannot be read.
    public static func actions(inCell cell: String) throws(CSVIssue) -> (compute: [Action], skipped: [String]) {
        var compute: [Action] = [], skipped: [String] = []
        do {
            for token in try ActionToken.parseCell(cell[...]) {
                switch token {
                case let .compute(action): compute.append(action)
                case let .skipped(kind): skipped.append(kind)
                }
            }
        } catch {
            throw CSVIssue(row: 1, column: 1, cell: cell, reason: error.reason)
        }
        return (compute, skipped)
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
        var rows: [[CSVText.Cell]]
        do {
            rows = try CSVText(text).rows
        } catch {
            throw .csv([CSVIssue(row: error.row, column: error.column, cell: "\"",
                                 reason: "a quoted cell is never closed; end it with a double quote (\"\") before the next comma")])
        }
        while let last = rows.last, last.allSatisfy({ trimmed($0.text[...]).isEmpty }) { rows.removeLast() }
        guard !rows.isEmpty else { throw .csv([CSVIssue(row: 1, column: nil, cell: "", reason: "the file has no rows; write one row of actions per device")]) }

        var issues: [CSVIssue] = []
        var skipped: [String: Int] = [:]
        // Per device: the actions and the (column, cell) each came from.
        var parsed = [[(action: Action, column: Int, cell: String)]](repeating: [], count: rows.count)
        for (rowIndex, row) in rows.enumerated() {
            for rawCell in row {
                let cell = String(trimmed(rawCell.text[...]))
                if cell.isEmpty { continue }
                do {
                    for token in try ActionToken.parseCell(cell[...]) {
                        switch token {
                        case let .compute(action): parsed[rowIndex].append((action, rawCell.column, cell))
                        case let .skipped(kind): skipped[kind, default: 0] += 1
                        }
                    }
                } catch {
                    issues.append(CSVIssue(row: rowIndex + 1, column: rawCell.column, cell: cell, reason: error.reason))
                }
            }
        }
        guard issues.isEmpty else { throw .csv(issues) }

        let all = parsed.flatMap { $0 }
        guard !all.isEmpty else { throw .csv([CSVIssue(row: 1, column: nil, cell: "", reason: "the file has no compute actions (F, B, I, W, R)")]) }
        let stageCount = stages ?? (all.map(\.action.stage).max()! + 1)
        let microbatchCount = microbatches ?? (all.map(\.action.microbatch).max()! + 1)
        let replicaCount = all.map(\.action.replica).max()! + 1
        if let shifted = shiftedForwards(parsed) { throw .csv([shifted]) }

        // Every stage of every replica has actions and runs every micro-batch's forward: counts beyond the
        // actions present cannot be right, and a stray large index must not size the tables below.
        /// The cell holding the largest `key`.
        func largest(_ key: (Action) -> Int) -> (row: Int, column: Int, cell: String) {
            var best = (key: Int.min, row: 1, column: 1, cell: "")
            for (device, entries) in parsed.enumerated() {
                for entry in entries where key(entry.action) > best.key {
                    best = (key(entry.action), device + 1, entry.column, entry.cell)
                }
            }
            return (best.row, best.column, best.cell)
        }
        let (stageSlots, stageOverflow) = stageCount.multipliedReportingOverflow(by: replicaCount)
        if stageOverflow || stageSlots > all.count {
            let at = largest { $0.stage * 65_536 + $0.replica }
            throw .csv([CSVIssue(row: at.row, column: at.column, cell: at.cell,
                                 reason: "\(stageCount) stage(s)\(replicaCount > 1 ? " × \(replicaCount) replicas" : "") cannot all appear in \(all.count) action(s); stages are numbered 0, 1, 2, … without gaps")])
        }
        let (forwardSlots, forwardOverflow) = stageCount.multipliedReportingOverflow(by: microbatchCount)
        if forwardOverflow || forwardSlots > all.count {
            let at = largest(\.microbatch)
            throw .csv([CSVIssue(row: at.row, column: at.column, cell: at.cell,
                                 reason: "\(microbatchCount) micro-batch(es) through \(stageCount) stage(s) need \(forwardOverflow ? "more" : "\(forwardSlots)") forwards but the file has \(all.count) action(s); micro-batches are numbered 0, 1, 2, … without gaps")])
        }

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

    /// PyTorch's `Schedule1F1B` (torch 2.8 to at least 2.13) numbers the last rank's forwards one too high:
    /// with m = 8 it writes `3F1 … 3F8` next to `3B0 … 3B7`, and PyTorch's own `_load_csv` refuses the file.
    /// Such a stage (forwards 1…n, backwards 0…n−1) is named as that off-by-one rather than as missing actions.
    private static func shiftedForwards(_ parsed: [[(action: Action, column: Int, cell: String)]]) -> CSVIssue? {
        for (device, entries) in parsed.enumerated() {
            var forwards: [Int: [Int]] = [:], backwards: [Int: [Int]] = [:]
            for entry in entries {
                let key = entry.action.stage * 65_536 + entry.action.replica
                if entry.action.op == .forward { forwards[key, default: []].append(entry.action.microbatch) }
                if entry.action.op.producesInputGrad { backwards[key, default: []].append(entry.action.microbatch) }
            }
            for (key, forward) in forwards.sorted(by: { $0.key < $1.key }) {
                guard let backward = backwards[key], forward.count == backward.count, forward.min() == 1, backward.min() == 0,
                      Set(forward) == Set(backward.map { $0 + 1 }) else { continue }
                let first = entries.first { $0.action.op == .forward && $0.action.stage * 65_536 + $0.action.replica == key }!
                let stage = first.action.stage
                return CSVIssue(row: device + 1, column: first.column, cell: first.cell,
                                reason: "stage \(stage)'s forwards are numbered 1–\(forward.count) but its backwards 0–\(forward.count - 1): an off-by-one in the forwards' micro-batch numbers, as PyTorch's Schedule1F1B writes for its last rank (torch 2.8–2.13; PyTorch's own _load_csv refuses it too). Number \(stage)F\(forward.min()!)…\(stage)F\(forward.max()!) as \(stage)F0…\(stage)F\(forward.count - 1), or export the schedule from Stagecraft: stagecraft schedule export --schedule 1f1b")
            }
        }
        return nil
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
        return cell
    }
}
