import Schedule

/// Durations and fixed costs read off measured timelines: per (op, stage) the durations of its warm
/// actions (the device's previous action was on the same stage) and, apart, of its cold ones (after
/// another stage's action: see `CostModel.coldStart`), of the device's first (`CostModel.firstAction`)
/// and of its first of each other op kind (`CostModel.firstOfOp`);
/// the hand-off latency of
/// every action that waited for another device (its start minus the end of that predecessor); the gap
/// of every action that did not wait (its start minus the end of the device's previous action, or
/// minus the iteration start for a device's first action).
///
/// Durations are kept per iteration, and estimated robustly (`estimate`): the mean within each
/// iteration — a makespan is a sum of durations, so it follows their mean, skew included — then the
/// median of those means over the iterations, which a burst of preemption in a few iterations, or a
/// slow phase of the machine shorter than half of them, cannot move.
struct TimingSamples {
    /// Per slot (`op.rawValue * stageCount + stage`): the mean duration (ns) in each iteration that had one.
    private(set) var warmMeans: [[Double]]
    /// The same for cold actions, first actions, and first actions of their op (not the device's first).
    private(set) var coldMeans: [[Double]]
    private(set) var firstMeans: [[Double]]
    private(set) var firstOfOpMeans: [[Double]]
    /// Per slot: how many actions were measured (warm, cold, first).
    private(set) var warmCounts: [Int]
    private(set) var coldCounts: [Int]
    private(set) var firstCounts: [Int]
    private(set) var firstOfOpCounts: [Int]
    var handOffs: [Int64] = []
    var gaps: [Int64] = []
    let stageCount: Int

    init(stageCount: Int) {
        self.stageCount = stageCount
        warmMeans = [[Double]](repeating: [], count: Op.allCases.count * stageCount)
        coldMeans = warmMeans
        firstMeans = warmMeans
        firstOfOpMeans = warmMeans
        warmCounts = [Int](repeating: 0, count: warmMeans.count)
        coldCounts = warmCounts
        firstCounts = warmCounts
        firstOfOpCounts = warmCounts
    }

    /// Adds one iteration's `timeline` (whose schedule `dependencies` describes); durations only of
    /// the ops in `durationsOf` (all when nil), hand-offs and gaps of every action.
    mutating func add(_ timeline: Timeline, _ dependencies: Dependencies, durationsOf: Set<Op>? = nil) {
        let schedule = timeline.schedule
        let device = { (id: Int) in schedule.device(atIndex: id) }
        var warmSum = [Double](repeating: 0, count: warmMeans.count), coldSum = warmSum, firstSum = warmSum, opFirstSum = warmSum
        var warmN = [Int](repeating: 0, count: warmMeans.count), coldN = warmN, firstN = warmN, opFirstN = warmN
        for d in 0..<schedule.deviceCount {
            var previousEnd: Int64 = 0
            var previous: Action?
            var opsSeen: UInt8 = 0
            for id in schedule.actionRange(of: d) {
                let action = schedule.actions[id]
                let first = action.op != .gradSync && previous == nil
                let firstOfOp = !first && action.op != .gradSync && opsSeen & (1 << action.op.rawValue) == 0
                opsSeen |= 1 << action.op.rawValue
                let cold = action.op != .gradSync && (previous.map { $0.stage != action.stage || $0.replica != action.replica } ?? false)
                let slot = Int(action.op.rawValue) * stageCount + action.stage
                if durationsOf?.contains(action.op) ?? true {
                    let duration = Double(timeline.end[id] - timeline.start[id])
                    if first {
                        firstSum[slot] += duration; firstN[slot] += 1
                    } else if firstOfOp {
                        opFirstSum[slot] += duration; opFirstN[slot] += 1
                    } else if cold {
                        coldSum[slot] += duration; coldN[slot] += 1
                    } else {
                        warmSum[slot] += duration; warmN[slot] += 1
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
        for slot in warmSum.indices {
            if warmN[slot] > 0 { warmMeans[slot].append(warmSum[slot] / Double(warmN[slot])); warmCounts[slot] += warmN[slot] }
            if coldN[slot] > 0 { coldMeans[slot].append(coldSum[slot] / Double(coldN[slot])); coldCounts[slot] += coldN[slot] }
            if firstN[slot] > 0 { firstMeans[slot].append(firstSum[slot] / Double(firstN[slot])); firstCounts[slot] += firstN[slot] }
            if opFirstN[slot] > 0 {
                firstOfOpMeans[slot].append(opFirstSum[slot] / Double(opFirstN[slot]))
                firstOfOpCounts[slot] += opFirstN[slot]
            }
        }
    }

    private func slot(_ op: Op, _ stage: Int) -> Int { Int(op.rawValue) * stageCount + stage }

    /// The robust duration of warm actions of `op` on `stage` (see the type's comment); nil when none ran.
    func warm(_ op: Op, stage: Int) -> Double? { Self.median(warmMeans[slot(op, stage)]) }

    /// The robust duration of cold actions of `op` on `stage`; nil when none ran.
    func cold(_ op: Op, stage: Int) -> Double? { Self.median(coldMeans[slot(op, stage)]) }

    /// The robust duration of first actions of `op` on `stage`; nil when none ran.
    func first(_ op: Op, stage: Int) -> Double? { Self.median(firstMeans[slot(op, stage)]) }

    /// Actions of `op` measured, warm and cold, over all stages.
    func count(_ op: Op) -> Int {
        (0..<stageCount).reduce(0) {
            $0 + warmCounts[slot(op, $1)] + coldCounts[slot(op, $1)] + firstCounts[slot(op, $1)] + firstOfOpCounts[slot(op, $1)]
        }
    }

    /// Per stage: how much longer a cold action (after another stage's) takes than a warm one of its
    /// op — see `extra`.
    func coldStart() -> [Double] { extra(coldMeans, coldCounts) }

    /// Per stage: how much longer a device's first action takes than a warm one of its op — its weights
    /// left the caches while the optimizer step or another program ran — see `extra`.
    func firstAction() -> [Double] { extra(firstMeans, firstCounts) }

    /// Per op token: how much longer a device's first action of that op (not its very first action)
    /// takes than a warm one — per stage with both kinds, the difference of the estimates, averaged over
    /// the stages weighted by their first-of-op samples; ops without such samples are left out.
    func firstOfOp() -> [String: Double] {
        var extras: [String: Double] = [:]
        for op in Op.allCases where op != .gradSync {
            var total = 0.0, count = 0
            for stage in 0..<stageCount {
                let n = firstOfOpCounts[slot(op, stage)]
                guard n > 0, let warm = warm(op, stage: stage), let value = Self.median(firstOfOpMeans[slot(op, stage)]) else { continue }
                total += (value - warm) * Double(n)
                count += n
            }
            if count > 0 { extras[op.token] = max(0, total / Double(count)) }
        }
        return extras
    }

    /// Per stage: per op with samples of the kind and at least a fifth of its samples warm, the kind's
    /// estimate minus the warm one; averaged over those ops weighted by their samples of the kind; 0
    /// where there are none.
    private func extra(_ means: [[Double]], _ counts: [Int]) -> [Double] {
        (0..<stageCount).map { stage in
            var total = 0.0, count = 0
            for op in Op.allCases where op != .gradSync {
                let n = counts[slot(op, stage)], warmN = warmCounts[slot(op, stage)]
                // A handful of warm samples is no baseline (in interleaved 1F1B the few warm B of the
                // first stage are the drain's, which differ).
                guard n > 0, warmN * 5 >= n + warmN, let warm = warm(op, stage: stage),
                      let value = Self.median(means[slot(op, stage)]) else { continue }
                total += (value - warm) * Double(n)
                count += n
            }
            return count > 0 ? max(0, total / Double(count)) : 0
        }
    }

    /// The median of `samples`; nil when empty.
    static func median<T: BinaryInteger>(_ samples: [T]) -> Double? { median(samples.map(Double.init)) }

    /// The median of `samples`; nil when empty.
    static func median(_ samples: [Double]) -> Double? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
