import Schedule

/// Durations and fixed costs read off measured timelines: per (op, stage) the durations of its warm
/// actions (the device's previous action was on the same stage) and, apart, of its cold ones (first on
/// the device, or after another stage's action: see `CostModel.coldStart`); the hand-off latency of every action that waited for another device (its start minus the
/// end of that predecessor); the gap of every action that did not wait (its start minus the end of the
/// device's previous action, or minus the iteration start for a device's first action).
struct TimingSamples {
    /// Durations (ns) at `op.rawValue * stageCount + stage`.
    var durations: [[Int64]]
    /// Durations of cold actions, indexed like `durations`.
    var coldDurations: [[Int64]]
    var handOffs: [Int64] = []
    var gaps: [Int64] = []
    let stageCount: Int

    init(stageCount: Int) {
        self.stageCount = stageCount
        durations = [[Int64]](repeating: [], count: Op.allCases.count * stageCount)
        coldDurations = durations
    }

    /// Adds every action of `timeline` (whose schedule `dependencies` describes).
    mutating func add(_ timeline: Timeline, _ dependencies: Dependencies) {
        let schedule = timeline.schedule
        let device = { (id: Int) in schedule.device(atIndex: id) }
        for d in 0..<schedule.deviceCount {
            var previousEnd: Int64 = 0
            var previous: Action?
            for id in schedule.actionRange(of: d) {
                let action = schedule.actions[id]
                let cold = action.op != .gradSync && (previous.map { $0.stage != action.stage || $0.replica != action.replica } ?? true)
                let slot = Int(action.op.rawValue) * stageCount + action.stage
                if cold {
                    coldDurations[slot].append(timeline.end[id] - timeline.start[id])
                } else {
                    durations[slot].append(timeline.end[id] - timeline.start[id])
                }
                previous = action
                var crossReady: Int64 = -1
                for predecessor in dependencies.predecessors(of: id) where device(Int(predecessor)) != d {
                    crossReady = max(crossReady, timeline.end[Int(predecessor)])
                }
                // A gradient sync waits on a lock, not on a hand-off: its wait is not a transfer.
                if action.op != .gradSync {
                    if crossReady > previousEnd {
                        handOffs.append(timeline.start[id] - crossReady)
                    } else {
                        gaps.append(timeline.start[id] - previousEnd)
                    }
                }
                previousEnd = timeline.end[id]
            }
        }
    }

    /// The durations of warm actions of `op` on `stage`.
    func durations(_ op: Op, stage: Int) -> [Int64] { durations[Int(op.rawValue) * stageCount + stage] }

    /// The durations of cold actions of `op` on `stage`.
    func coldDurations(_ op: Op, stage: Int) -> [Int64] { coldDurations[Int(op.rawValue) * stageCount + stage] }

    /// Per stage: how much longer a cold action takes than the warm mean of its op — the interquartile
    /// mean over every op with both kinds of samples; 0 where there are none.
    func coldStart() -> [Double] {
        (0..<stageCount).map { stage in
            var extra: [Int64] = []
            for op in Op.allCases where op != .gradSync {
                guard let warm = Self.trimmedMean(durations(op, stage: stage)) else { continue }
                extra += coldDurations(op, stage: stage).map { $0 - Int64(warm.rounded()) }
            }
            return max(0, Self.trimmedMean(extra) ?? 0)
        }
    }

    /// The mean of the middle half of `samples` (the interquartile mean: robust to preemptions by other
    /// processes, closer to the mean than the median for skewed durations); nil when empty.
    static func trimmedMean(_ samples: [Int64]) -> Double? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let cut = sorted.count / 4
        let kept = sorted[cut..<(sorted.count - cut)]
        return kept.reduce(0.0) { $0 + Double($1) } / Double(kept.count)
    }

    /// The median of `samples`; nil when empty.
    static func median(_ samples: [Int64]) -> Double? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? Double(sorted[middle]) : (Double(sorted[middle - 1]) + Double(sorted[middle])) / 2
    }
}
