import Schedule
import Simulator

/// A cost model read off one recorded timeline — Stagecraft's own executed run or a PyTorch run
/// imported from its profiler trace — so that other schedules of the same model on the same machine can
/// be predicted from it (`stagecraft calibrate --from-run`).
///
/// - Durations: per op and stage, the median of that op's actions on that stage (`F`, `B`, `I`, `W`,
///   `R`, `REDUCE_GRAD`). A stage's missing op is derived as the simulator would (`B` = `I` + `W`; `I`
///   and `W` as halves of `B` are left to the simulator's defaults).
/// - Hand-off latency: the mean gap between the end of an action's last-finishing predecessor on
///   another device and its start, over the actions that waited for it (their device had finished its
///   previous action earlier). Transfers are inside it; bandwidth is left unlimited.
/// - Dispatch: the mean gap between two back-to-back actions of a device that waited for nothing.
/// - Why means for the gaps: the simulator adds them to every hand-off and every action, so what it needs
///   is their expected value, stalls included. Gaps are skewed: in a PyTorch run on CPU (gloo, one core
///   per rank) most are 0.2–0.4 ms, but a transfer the sender's busy core has not yet pushed out holds
///   its receiver for up to a whole action (3–12 ms). The median drops those stalls: in
///   `experiments/pytorch/run.sh` every cost model then predicted short, 2 of 12 predictions within 5%;
///   with the mean, 9 and 10 of 12 in two runs.
public enum TimelineFit {
    public struct Result: Sendable {
        /// Settable so that a caller that measured the link itself (an MPI run's ping-pong) can put it in.
        public var costModel: CostModel
        /// Actions measured per op token.
        public var samples: [String: Int]
        public var handOffSamples: Int
        public var dispatchSamples: Int
    }

    public static func fit(_ timeline: Timeline) -> Result {
        let schedule = timeline.schedule
        let dependencies = Dependencies(schedule: schedule)
        var durations: [Op: [[Int64]]] = [:]
        for (id, action) in schedule.actions.enumerated() {
            durations[action.op, default: Array(repeating: [], count: schedule.stageCount)][action.stage].append(timeline.end[id] - timeline.start[id])
        }
        func perStage(_ op: Op) -> StageValues? {
            guard let lists = durations[op] else { return nil }
            let medians = lists.map { $0.isEmpty ? nil : Spread($0).median }
            let known = medians.compactMap { $0 }
            guard !known.isEmpty else { return nil }
            // A stage without this op (e.g. a pipeline end) takes the median of the others.
            let fallback = Spread(known).median
            let values = medians.map { ($0 ?? fallback).rounded() }
            return Set(values).count == 1 ? .uniform(values[0]) : .perStage(values)
        }

        var handOffs: [Int64] = [], gaps: [Int64] = []
        for device in 0..<schedule.deviceCount {
            var previousEnd: Int64? = nil
            for id in schedule.actionRange(of: device) {
                let remote = dependencies.predecessors(of: id).map(Int.init).filter { schedule.device(atIndex: $0) != device }
                let ready = remote.map { timeline.end[$0] }.max()
                if let ready, ready >= (previousEnd ?? 0) {
                    handOffs.append(timeline.start[id] - ready)
                } else if let previousEnd {
                    gaps.append(timeline.start[id] - previousEnd)
                }
                previousEnd = timeline.end[id]
            }
        }

        var model = CostModel()
        let inputGrad = perStage(.inputGrad), weightGrad = perStage(.weightGrad)
        model.forward = perStage(.forward) ?? model.forward
        if let backward = perStage(.backward) {
            model.backward = backward
        } else if let inputGrad, let weightGrad {
            func expanded(_ values: StageValues) -> [Double] {
                values.values.count == 1 ? Array(repeating: values.values[0], count: schedule.stageCount) : values.values
            }
            model.backward = .perStage(zip(expanded(inputGrad), expanded(weightGrad)).map { $0 + $1 })
        }
        model.inputGrad = inputGrad
        model.weightGrad = weightGrad
        model.recompute = perStage(.recompute)
        model.gradSync = perStage(.gradSync) ?? model.gradSync
        model.latency = Self.mean(handOffs)
        model.dispatch = Self.mean(gaps)
        var samples: [String: Int] = [:]
        for (op, lists) in durations { samples[op.token] = lists.reduce(0) { $0 + $1.count } }
        return Result(costModel: model, samples: samples, handOffSamples: handOffs.count, dispatchSamples: gaps.count)
    }

    /// The mean of `gaps` in ns, rounded, never negative; 0 when there are none.
    static func mean(_ gaps: [Int64]) -> Double {
        guard !gaps.isEmpty else { return 0 }
        return max(0, (Double(gaps.reduce(0, +)) / Double(gaps.count)).rounded())
    }
}
