/// When every action of a schedule ran (or is predicted to run), in nanoseconds, with the metrics
/// derived from it. Both executors produce it: the simulator from a cost model, the threaded executor
/// from a monotonic clock.
public struct Timeline: Sendable {
    /// The schedule whose actions are timed: action id i is `schedule.actions[i]`.
    public let schedule: Schedule
    /// Start of action id i, in nanoseconds from the start of the iteration.
    public var start: [Int64]
    /// End of action id i, in nanoseconds.
    public var end: [Int64]
    /// Peak bytes held per device (activations, gradients and weights as the producer counts them);
    /// empty when not measured.
    public var peakMemory: [Int64]

    public init(schedule: Schedule, start: [Int64], end: [Int64], peakMemory: [Int64] = []) {
        precondition(start.count == schedule.actions.count && end.count == schedule.actions.count, "one start and end per action")
        self.schedule = schedule
        self.start = start
        self.end = end
        self.peakMemory = peakMemory
    }

    /// Time from the earliest start to the latest end.
    public var makespan: Int64 {
        guard let first = start.min(), let last = end.max() else { return 0 }
        return last - first
    }

    /// The makespan and Σ busy over all devices, in one pass over the actions (for the bubble ratios,
    /// which need both).
    public var makespanAndTotalBusy: (makespan: Int64, busy: Int64) {
        start.withUnsafeBufferPointer { start in
            end.withUnsafeBufferPointer { end in
                guard !start.isEmpty else { return (0, 0) }
                var first = Int64.max, last = Int64.min, busy: Int64 = 0
                for id in 0..<start.count {
                    first = min(first, start[id])
                    last = max(last, end[id])
                    busy += end[id] - start[id]
                }
                return (last - first, busy)
            }
        }
    }

    /// Time device `device` spends running actions.
    public func busy(device: Int) -> Int64 {
        schedule.actionRange(of: device).reduce(0) { $0 + end[$1] - start[$1] }
    }

    /// Time device `device` spends idle within the makespan (its bubble).
    public func idle(device: Int) -> Int64 { makespan - busy(device: device) }

    /// Idle time over the time available: Σ idle / (devices × makespan). 0 is a perfect pipeline.
    public var bubbleRatio: Double {
        let (makespan, busy) = makespanAndTotalBusy
        let available = Double(makespan) * Double(schedule.deviceCount)
        return available > 0 ? Double(makespan * Int64(schedule.deviceCount) - busy) / available : 0
    }

    /// Idle time over ideal compute: Σ idle / Σ busy — the "bubble fraction" of the Megatron paper,
    /// (p − 1)/m for 1F1B under uniform costs.
    public var bubbleOverCompute: Double {
        let (makespan, busy) = makespanAndTotalBusy
        return busy > 0 ? Double(makespan * Int64(schedule.deviceCount) - busy) / Double(busy) : 0
    }
}
