import Schedule

/// A prediction set against a measurement of the same schedule, action by action: makespan error,
/// per-device busy, idle and bubble-ratio errors, and the distribution of per-action start and end
/// errors with the worst actions named. `stagecraft compare` prints it; `summary` is the
/// `TimelineComparison` the HTML report draws.
///
/// Actions join on (replica, stage, micro-batch, op). Both timelines count from their iteration's
/// start (the simulator's from 0, the executor's from the moment every device thread was ready), so
/// times are compared as recorded, without shifting either. Every error is predicted − measured:
/// positive means the prediction is late (or long).
public struct RunComparison: Sendable {
    /// The prediction (usually a simulated run).
    public let predicted: Timeline
    /// The measurement (usually an executed run).
    public let measured: Timeline
    /// Per device: busy and idle time and bubble ratio in both runs.
    public let devices: [Device]
    /// Every matched action with its errors, in the predicted run's action order.
    public let actions: [ActionError]
    /// How the measured iterations varied, when the measurement summarises several: every error is
    /// then set against it (see `makespanWithinNoise`).
    public let spread: MeasurementSpread?

    /// One device's busy and idle time (ns) and bubble ratio (idle / makespan) in both runs.
    public struct Device: Sendable, Hashable {
        public var device: Int
        public var predictedBusy: Int64
        public var measuredBusy: Int64
        public var predictedIdle: Int64
        public var measuredIdle: Int64
        public var predictedBubble: Double
        public var measuredBubble: Double

        /// Predicted − measured bubble ratio, in ratio points (0.02 = two percentage points).
        public var bubbleError: Double { predictedBubble - measuredBubble }
        /// (predicted − measured) / measured busy time; 0 when nothing was measured.
        public var busyError: Double {
            measuredBusy == 0 ? 0 : Double(predictedBusy - measuredBusy) / Double(measuredBusy)
        }
        /// (predicted − measured) / measured idle time; 0 when the measurement has no idle time.
        public var idleError: Double {
            measuredIdle == 0 ? 0 : Double(predictedIdle - measuredIdle) / Double(measuredIdle)
        }
    }

    /// One action found in both runs.
    public struct ActionError: Sendable, Hashable {
        public var action: Action
        public var device: Int
        public var predictedStart: Int64
        public var predictedEnd: Int64
        public var measuredStart: Int64
        public var measuredEnd: Int64

        /// Predicted − measured start, ns.
        public var startError: Int64 { predictedStart - measuredStart }
        /// Predicted − measured end, ns.
        public var endError: Int64 { predictedEnd - measuredEnd }
        /// Predicted − measured duration, ns.
        public var durationError: Int64 { (predictedEnd - predictedStart) - (measuredEnd - measuredStart) }
    }

    /// Compares two timelines of the same schedule; throws `ComparisonError.differentSchedules` when
    /// their devices or their actions (per device, in order) differ. `predictedName` and
    /// `measuredName` name the runs in that error (e.g. "run 3").
    /// `spread` is the measurement's (one per device and per action of the same schedule), or nil.
    public init(predicted: Timeline, measured: Timeline, spread: MeasurementSpread? = nil, predictedName: String = "the prediction",
                measuredName: String = "the measurement") throws(ComparisonError) {
        try Self.checkSameSchedule(predicted.schedule, measured.schedule, predictedName, measuredName)
        self.predicted = predicted
        self.measured = measured
        let schedule = predicted.schedule
        if let spread, spread.busy.count != schedule.deviceCount || spread.startQ1.count != schedule.actions.count {
            throw .spreadMismatch(measuredName, detail: "its spread covers \(spread.busy.count) devices and \(spread.startQ1.count) actions, "
                                  + "the schedule has \(schedule.deviceCount) and \(schedule.actions.count)")
        }
        self.spread = spread
        let predictedMakespan = predicted.makespan, measuredMakespan = measured.makespan
        devices = (0..<schedule.deviceCount).map { d in
            let pb = predicted.busy(device: d), mb = measured.busy(device: d)
            return Device(device: d, predictedBusy: pb, measuredBusy: mb,
                          predictedIdle: predictedMakespan - pb, measuredIdle: measuredMakespan - mb,
                          predictedBubble: predictedMakespan > 0 ? Double(predictedMakespan - pb) / Double(predictedMakespan) : 0,
                          measuredBubble: measuredMakespan > 0 ? Double(measuredMakespan - mb) / Double(measuredMakespan) : 0)
        }
        // Same actions in the same positions (checked above), so ids match one to one.
        var list: [ActionError] = []
        list.reserveCapacity(schedule.actions.count)
        for d in 0..<schedule.deviceCount {
            for id in schedule.actionRange(of: d) {
                list.append(ActionError(action: schedule.actions[id], device: d,
                                        predictedStart: predicted.start[id], predictedEnd: predicted.end[id],
                                        measuredStart: measured.start[id], measuredEnd: measured.end[id]))
            }
        }
        actions = list
    }

    // MARK: Headline numbers

    public var predictedMakespan: Int64 { predicted.makespan }
    public var measuredMakespan: Int64 { measured.makespan }

    /// (predicted − measured) / measured makespan.
    public var makespanError: Double {
        measuredMakespan == 0 ? 0 : Double(predictedMakespan - measuredMakespan) / Double(measuredMakespan)
    }

    /// Predicted − measured bubble ratio of the whole run (Σ idle / (devices × makespan)), in points.
    public var bubbleError: Double { predicted.bubbleRatio - measured.bubbleRatio }

    /// The largest per-device bubble error in absolute value (signed), in ratio points.
    public var worstDeviceBubbleError: Double {
        devices.map(\.bubbleError).max { abs($0) < abs($1) } ?? 0
    }

    /// Whether the predicted makespan lies within the quartiles of the measured iterations' makespans —
    /// no further from their median than half the measured iterations are; nil without a spread.
    public var makespanWithinNoise: Bool? { spread.map { $0.makespan.contains(Double(predictedMakespan)) } }

    /// Whether device `device`'s predicted bubble ratio lies within the quartiles of its measured one.
    public func bubbleWithinNoise(device: Int) -> Bool? { spread.map { $0.bubble[device].contains(devices[device].predictedBubble) } }

    /// Share of actions whose predicted start lies within the quartiles of their measured starts.
    public var startWithinNoise: Double? {
        guard let spread, !actions.isEmpty else { return nil }
        let inside = predicted.start.indices.filter { predicted.start[$0] >= spread.startQ1[$0] && predicted.start[$0] <= spread.startQ3[$0] }
        return Double(inside.count) / Double(actions.count)
    }

    /// Signed start errors (ns): min, median, p90, p99, max, means.
    public var startError: ErrorDistribution { ErrorDistribution(samples: actions.map(\.startError)) }
    /// Signed end errors (ns).
    public var endError: ErrorDistribution { ErrorDistribution(samples: actions.map(\.endError)) }
    /// Absolute start errors (ns): their median, p90 and max are the headline per-action numbers.
    public var absoluteStartError: ErrorDistribution {
        ErrorDistribution(samples: actions.map { Int64($0.startError.magnitude) })
    }
    /// Absolute end errors (ns).
    public var absoluteEndError: ErrorDistribution {
        ErrorDistribution(samples: actions.map { Int64($0.endError.magnitude) })
    }

    /// `value` ns as a fraction of the measured makespan.
    public func ofMakespan(_ value: Int64) -> Double {
        measuredMakespan == 0 ? 0 : Double(value) / Double(measuredMakespan)
    }

    /// The `count` actions with the largest absolute start or end error, worst first (ties: action order).
    public func worstActions(_ count: Int = 5) -> [ActionError] {
        func worst(_ a: ActionError) -> UInt64 { max(a.startError.magnitude, a.endError.magnitude) }
        return Array(actions.enumerated().sorted { lhs, rhs in
            let l = worst(lhs.element), r = worst(rhs.element)
            return l != r ? l > r : lhs.offset < rhs.offset
        }.prefix(max(0, count)).map(\.element))
    }

    /// The value the HTML report renders.
    public var summary: TimelineComparison {
        TimelineComparison(predictedMakespan: predictedMakespan, measuredMakespan: measuredMakespan,
                           devices: devices.map { .init(device: $0.device, predicted: $0.predictedBubble, measured: $0.measuredBubble) },
                           startError: startError, endError: endError, matchedActions: actions.count, unmatchedActions: 0)
    }

    // MARK: Checks

    private static func checkSameSchedule(_ a: Schedule, _ b: Schedule, _ nameA: String, _ nameB: String) throws(ComparisonError) {
        func shape(_ s: Schedule) -> String {
            "'\(s.name)' (\(s.deviceCount) devices, \(s.stageCount) stages × \(s.replicaCount) replica(s), \(s.microbatchCount) micro-batches, \(s.actions.count) actions)"
        }
        func refuse(_ detail: String) -> ComparisonError {
            .differentSchedules(first: nameA, second: nameB, firstSchedule: shape(a), secondSchedule: shape(b), detail: detail)
        }
        guard a.deviceCount == b.deviceCount, a.stageCount == b.stageCount, a.replicaCount == b.replicaCount,
              a.microbatchCount == b.microbatchCount, a.actions.count == b.actions.count else {
            throw refuse("their parameters differ")
        }
        for d in 0..<a.deviceCount {
            let listA = a.actions(on: d), listB = b.actions(on: d)
            guard listA.count == listB.count else {
                throw refuse("device \(d) runs \(listA.count) actions in \(nameA) and \(listB.count) in \(nameB)")
            }
            for (position, (x, y)) in zip(listA, listB).enumerated() where x != y {
                throw refuse("device \(d)'s action \(position) is \(x) in \(nameA) and \(y) in \(nameB)")
            }
        }
    }
}

/// Why two runs cannot be compared.
public enum ComparisonError: Error, CustomStringConvertible, Equatable {
    /// The runs are of different schedules (or different orders of the same actions).
    case differentSchedules(first: String, second: String, firstSchedule: String, secondSchedule: String, detail: String)
    /// The measurement's spread does not fit its schedule.
    case spreadMismatch(String, detail: String)

    public var description: String {
        switch self {
        case let .differentSchedules(first, second, firstSchedule, secondSchedule, detail):
            "cannot compare \(first) and \(second): they are runs of different schedules — \(first) is \(firstSchedule), "
                + "\(second) is \(secondSchedule); \(detail). Compare a prediction and a measurement of the same schedule "
                + "(same family, devices, micro-batches and chunks), e.g. the two runs 'stagecraft run --predict' records."
        case let .spreadMismatch(name, detail):
            "cannot compare against \(name): \(detail). The stored measurement is damaged; measure the schedule again with 'stagecraft run'."
        }
    }
}
