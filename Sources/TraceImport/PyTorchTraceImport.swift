import Schedule

/// A pipeline run read from the `torch.profiler` traces of its ranks: the schedule the ranks ran (validated
/// like a schedule file) and one `Timeline` per profiled step, all on one clock.
///
/// - Actions: `torch.distributed.pipelining` wraps every action of its multi-stage runtime in a range
///   named `PP:<action>` (`PP:0F3`, `PP:2I1`, `PP:(0F3;3B1)OVERLAP_F_B`; the communication kinds are
///   skipped and counted); `ScheduleGPipe` marks `Forward i` / `Backward i` on the rank's one stage.
///   `Schedule1F1B` marks nothing (torch 2.13): run its order through the runtime to trace it. An
///   overlapped pair's range is split evenly between its two actions (the trace does not time them apart).
/// - Iterations: the `ProfilerStep#N` ranges; every step must run the same actions in the same order. A
///   rank may give several files, profiling windows of one run (they are told apart by the rank each file
///   names); their steps are taken together.
/// - Clocks: ranks on one host share its clock (the trace's `ts`). Ranks on several hosts are aligned
///   from the schedule itself: an action waiting for another rank's action starts after it ends, which
///   bounds each neighbouring pair's offset from both sides; the offset is the middle of those bounds and
///   half their width its uncertainty.
/// - Waits: PyTorch's range of an action includes waiting for its input (a posted receive is waited for
///   inside the action; GPipe's `Forward i` holds its receive). The action's start is taken as its first
///   operator's (`cpu_op` or `kernel` event) and never before its input from another rank was ready, so
///   durations are compute, not waiting.
public struct PyTorchTraceImport: Sendable {
    public let schedule: Schedule
    /// One timeline per profiled step, times from the step's first action.
    public let iterations: [Timeline]
    /// Communication and sharding ranges skipped, by kind, over all steps.
    public let skipped: [String: Int]
    /// `PP ranges` or `Forward/Backward ranges`.
    public let format: String
    /// Per rank, the offset added to its clock (ns), and the largest uncertainty of an offset; nil when
    /// the ranks share one host's clock.
    public let offsets: [Int64]
    public let offsetUncertainty: Int64?
    /// Actions whose range began before their input from another rank was ready: PyTorch's range then
    /// includes the wait (GPipe's `Forward i` holds its receive; the runtime waits for a posted receive
    /// inside the compute action). Their start is taken as the moment the input was ready.
    public let waitsInside: Int
    /// Action ranges whose first operator began after the range did (the runtime waiting for a posted
    /// receive before computing): the action's start is taken as its first operator's.
    public let idleStarts: Int

    public init(traces: [ProfilerTrace], name: String) throws(TraceImportError) {
        guard !traces.isEmpty else { throw .noActions("give one trace file per rank") }
        let files = try Self.filesPerRank(traces)

        // Per rank: its steps, each the list of (cell, start, duration) inside it.
        var usesPP = false, usesForwardBackward = false
        var skipped: [String: Int] = [:]
        var perRank: [[[(actions: [Action], start: Int64, duration: Int64)]]] = []
        var idle = 0
        for (rank, rankFiles) in files.enumerated() {
            let ranges = rankFiles.flatMap { file in file.ranges.map { (file: file.path, range: $0) } }.sorted { $0.range.start < $1.range.start }
            // Operator starts, sorted: an action computes from its first operator on.
            let operatorStarts = ranges.filter { $0.range.category == "cpu_op" || $0.range.category == "kernel" }.map(\.range.start)
            let steps = ranges.map(\.range).filter { $0.name.hasPrefix("ProfilerStep#") }
            let windows = steps.isEmpty ? [(Int64.min, Int64.max)] : steps.map { ($0.start, $0.start + $0.duration) }
            for (earlier, later) in zip(windows, windows.dropFirst()) where later.0 < earlier.1 {
                throw .inconsistent("rank \(rank)'s profiled steps overlap in time (\(rankFiles.map(\.path).joined(separator: ", "))): "
                                    + "give each profiling window once")
            }
            var rankSteps = [[(actions: [Action], start: Int64, duration: Int64)]](repeating: [], count: windows.count)
            for (path, range) in ranges {
                var actions: [Action] = []
                if range.name.hasPrefix("PP:") {
                    let cell = String(range.name.dropFirst(3))
                    let parsed: (compute: [Action], skipped: [String])
                    do { parsed = try ScheduleCSV.actions(inCell: cell) } catch {
                        throw .invalidSchedule("\(path): range '\(range.name)': \(error.reason)")
                    }
                    for kind in parsed.skipped { skipped[kind, default: 0] += 1 }
                    actions = parsed.compute
                    usesPP = true
                } else if let microbatch = Self.number(after: "Forward ", in: range.name) {
                    actions = [Action(.forward, stage: rank, microbatch: microbatch)]
                    usesForwardBackward = true
                } else if let microbatch = Self.number(after: "Backward ", in: range.name) {
                    actions = [Action(.backward, stage: rank, microbatch: microbatch)]
                    usesForwardBackward = true
                }
                guard !actions.isEmpty, let step = windows.firstIndex(where: { range.start >= $0.0 && range.start < $0.1 }) else { continue }
                let end = range.start + range.duration
                var start = range.start
                if let first = Self.firstAtOrAfter(range.start, in: operatorStarts), first > start, first < end {
                    start = first
                    idle += 1
                }
                rankSteps[step].append((actions, start, end - start))
            }
            perRank.append(rankSteps)
        }
        guard usesPP || usesForwardBackward else {
            throw .noActions("no 'PP:<action>' or 'Forward i'/'Backward i' ranges. torch.distributed.pipelining marks actions only in its "
                             + "multi-stage runtime and ScheduleGPipe; Schedule1F1B (torch 2.13) marks none: load its order into "
                             + "_PipelineScheduleRuntime (e.g. from 'stagecraft schedule export') to trace it")
        }
        guard !(usesPP && usesForwardBackward) else {
            throw .inconsistent("the files mix 'PP:' ranges and 'Forward i' ranges; give the traces of one run")
        }
        let stepCount = perRank[0].count
        guard perRank.allSatisfy({ $0.count == stepCount }) else {
            throw .inconsistent("the ranks profiled different numbers of steps (\(perRank.map(\.count))); profile the same steps on every rank")
        }

        // The schedule: the first step's actions per rank, read as a schedule file (validated).
        let rows = perRank.map { steps in steps[0].flatMap(\.actions).map(\.description).joined(separator: ",") }
        let schedule: Schedule
        do {
            schedule = try ScheduleCSV.parse(rows.joined(separator: "\n") + "\n", name: name).schedule
        } catch {
            throw .invalidSchedule(error.description)
        }
        for step in 1..<max(stepCount, 1) {
            for (rank, steps) in perRank.enumerated() where steps[step].flatMap(\.actions) != steps[0].flatMap(\.actions) {
                throw .inconsistent("rank \(rank) ran different actions in step \(step + 1) than in step 1; import steps of one schedule")
            }
        }

        // Raw times per step, indexed like schedule.actions (device by device, in order).
        var starts = [[Int64]](repeating: [], count: stepCount), ends = [[Int64]](repeating: [], count: stepCount)
        for step in 0..<stepCount {
            for rank in 0..<perRank.count {
                for entry in perRank[rank][step] {
                    let share = entry.duration / Int64(entry.actions.count)
                    for index in entry.actions.indices {
                        starts[step].append(entry.start + Int64(index) * share)
                        ends[step].append(entry.start + Int64(index + 1) * share)
                    }
                }
            }
        }

        let hosts = Set(traces.compactMap(\.host))
        let dependencies = Dependencies(schedule: schedule)
        var offsets = [Int64](repeating: 0, count: schedule.deviceCount)
        var uncertainty: Int64?
        if hosts.count > 1 || traces.contains(where: { $0.host == nil }) && files.count > 1 {
            (offsets, uncertainty) = Self.alignClocks(schedule: schedule, dependencies: dependencies, starts: starts, ends: ends)
        }
        var waited = 0
        var timelines: [Timeline] = []
        for step in 0..<stepCount {
            var start = starts[step].indices.map { starts[step][$0] + offsets[schedule.device(atIndex: $0)] }
            let end = ends[step].indices.map { ends[step][$0] + offsets[schedule.device(atIndex: $0)] }
            // A range that begins before its input from another rank is ready includes the wait for it.
            for id in schedule.actions.indices {
                let ready = dependencies.predecessors(of: id).map(Int.init)
                    .filter { schedule.device(atIndex: $0) != schedule.device(atIndex: id) }.map { end[$0] }.max()
                if let ready, ready > start[id] {
                    start[id] = min(ready, end[id])
                    waited += 1
                }
            }
            let origin = start.min() ?? 0
            timelines.append(Timeline(schedule: schedule, start: start.map { $0 - origin }, end: end.map { $0 - origin }))
        }
        self.schedule = schedule
        self.iterations = timelines
        self.skipped = skipped
        self.format = usesPP ? "PP ranges" : "Forward/Backward ranges"
        self.offsets = offsets
        self.offsetUncertainty = uncertainty
        self.waitsInside = waited
        self.idleStarts = idle
    }

    /// The files of each rank, rank 0 first. A rank may have several files (profiling windows of one run:
    /// torch.profiler's `schedule(..., repeat=N)` writes one per cycle); they are told apart by the rank in
    /// each file. Files without a rank are taken one per rank, in the order given.
    static func filesPerRank(_ traces: [ProfilerTrace]) throws(TraceImportError) -> [[ProfilerTrace]] {
        let files: [[ProfilerTrace]]
        if traces.allSatisfy({ $0.rank != nil }) {
            let byRank = Dictionary(grouping: traces) { $0.rank! }
            let count = (byRank.keys.max() ?? -1) + 1
            guard byRank.keys.allSatisfy({ $0 >= 0 }), byRank.count == count else {
                throw .inconsistent("the files hold ranks \(byRank.keys.sorted()); give the files of every rank 0…\(max(count, 1) - 1)")
            }
            files = (0..<count).map { byRank[$0]! }
        } else {
            let ranks = traces.enumerated().map { $0.element.rank ?? $0.offset }
            guard Set(ranks).count == ranks.count, Set(ranks) == Set(0..<ranks.count) else {
                throw .inconsistent("the files hold ranks \(ranks.sorted()) (files without a rank are taken in order); give one file per "
                                    + "rank 0…\(ranks.count - 1), each once")
            }
            files = zip(ranks, traces).sorted { $0.0 < $1.0 }.map { [$0.1] }
        }
        if let world = traces.compactMap(\.worldSize).first, world != files.count {
            throw .inconsistent("the run had \(world) ranks but the files hold \(files.count); give every rank's file")
        }
        return files
    }

    /// The first of `sorted` at or after `time` (binary search).
    private static func firstAtOrAfter(_ time: Int64, in sorted: [Int64]) -> Int64? {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < time { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count ? sorted[low] : nil
    }

    /// `Forward 12` → 12.
    private static func number(after prefix: String, in name: String) -> Int? {
        guard name.hasPrefix(prefix) else { return nil }
        return Int(name.dropFirst(prefix.count))
    }

    /// Offsets of each device's clock from device 0's, chained over neighbouring devices d − 1, d: an
    /// action on b waiting for one on a gives o_b − o_a ≥ end_a − start_b (lower bound), one on a waiting
    /// for b gives the upper bound; the offset is the middle, its uncertainty half the width (summed
    /// along the chain).
    static func alignClocks(schedule: Schedule, dependencies: Dependencies, starts: [[Int64]], ends: [[Int64]]) -> ([Int64], Int64) {
        let p = schedule.deviceCount
        var lower = [[Int64]](repeating: [Int64](repeating: .min, count: p), count: p)
        for step in starts.indices {
            for id in schedule.actions.indices {
                let b = schedule.device(atIndex: id)
                for predecessor in dependencies.predecessors(of: id) {
                    let a = schedule.device(atIndex: Int(predecessor))
                    guard a != b else { continue }
                    lower[a][b] = max(lower[a][b], ends[step][Int(predecessor)] - starts[step][id])
                }
            }
        }
        var offsets = [Int64](repeating: 0, count: p)
        var uncertainty: Int64 = 0, accumulated: Int64 = 0
        for d in 1..<max(p, 1) {
            let low = lower[d - 1][d], high = lower[d][d - 1] == .min ? Int64.max : -lower[d][d - 1]
            let relative: Int64
            switch (low == .min, high == .max) {
            case (false, false): relative = low / 2 + high / 2
                accumulated += max(0, (high - low) / 2)
            case (false, true): relative = low
            case (true, false): relative = high
            case (true, true): relative = 0
            }
            offsets[d] = offsets[d - 1] + relative
            uncertainty = max(uncertainty, accumulated)
        }
        return (offsets, uncertainty)
    }
}
