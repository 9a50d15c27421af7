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

    /// Adds every action of `timeline` (whose schedule `dependencies` describes); durations only of the
    /// ops in `durationsOf` (all when nil), hand-offs and gaps of every action.
    mutating func add(_ timeline: Timeline, _ dependencies: Dependencies, durationsOf: Set<Op>? = nil) {
        let schedule = timeline.schedule
        let device = { (id: Int) in schedule.device(atIndex: id) }
        for d in 0..<schedule.deviceCount {
            var previousEnd: Int64 = 0
            var previous: Action?
            for id in schedule.actionRange(of: d) {
                let action = schedule.actions[id]
                let cold = action.op != .gradSync && (previous.map { $0.stage != action.stage || $0.replica != action.replica } ?? true)
                let slot = Int(action.op.rawValue) * stageCount + action.stage
                if durationsOf?.contains(action.op) ?? true {
                    if cold {
                        coldDurations[slot].append(timeline.end[id] - timeline.start[id])
                    } else {
                        durations[slot].append(timeline.end[id] - timeline.start[id])
                    }
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

    /// Per stage: how much longer a cold action takes than a warm one of its op — per op with at least
    /// a fifth of its samples of each kind, the cold trimmed mean minus the warm one; averaged
    /// over those ops weighted by their cold samples; 0 where there are none.
    func coldStart() -> [Double] {
        (0..<stageCount).map { stage in
            var total = 0.0, count = 0
            for op in Op.allCases where op != .gradSync {
                let cold = coldDurations(op, stage: stage), warmSamples = durations(op, stage: stage)
                // Only ops with a fair share of both kinds: a handful of warm samples is no baseline (in
                // interleaved 1F1B the few warm B of the first stage are the drain's, which differ).
                guard min(cold.count, warmSamples.count) * 5 >= cold.count + warmSamples.count,
                      let warm = Self.trimmedMean(warmSamples), let coldMean = Self.trimmedMean(cold) else { continue }
                total += (coldMean - warm) * Double(cold.count)
                count += cold.count
            }
            return count > 0 ? max(0, total / Double(count)) : 0
        }
    }

    /// The mean of `samples` without their slowest 2% (preemptions by other processes). Not a symmetric
    /// trim: durations are skewed to the right, and a makespan, a sum of durations, follows their mean
    /// (interquartile means, or dropping the slowest tenth, predicted makespans 2–3% short); nil when empty.
    static func trimmedMean(_ samples: [Int64]) -> Double? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let kept = sorted[0..<(sorted.count - sorted.count / 50)]
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
