/// Many measured iterations of one schedule summarised as one typical iteration, with how much they
/// varied — what a prediction is compared against on a machine whose speed drifts.
///
/// The discard rule (stated, and the same for every run): the first iteration is dropped when at
/// least 4 ran (it is cold: buffers are touched for the first time); then every iteration whose
/// makespan lies above Tukey's upper fence, Q3 + 1.5·IQR of the remaining makespans, is dropped as
/// disturbed (another process took its core). The rest are kept.
///
/// The typical timeline takes, per action, the median start and the median end over the kept
/// iterations (the mean of the two middle values for an even count, rounded down). It keeps the
/// schedule's order: a median is monotone, so every relation that holds in each iteration — an
/// action ends after it starts, a device's next action starts after its previous one ends, an
/// action starts after its predecessors on other devices end — holds between the medians too.
public struct MeasuredIterations: Sendable {
    /// Why an iteration was left out.
    public enum Discard: String, Sendable, Hashable, Codable {
        /// The first of four or more iterations.
        case cold
        /// Its makespan lies above Q3 + 1.5·IQR of the others.
        case disturbed
    }

    /// The rule in words, as printed and stored with the run.
    public static let rule = "the first iteration dropped when 4 or more ran (cold); then every iteration with makespan above Q3 + 1.5·IQR (disturbed)"

    /// The schedule all iterations ran.
    public let schedule: Schedule
    /// Number of iterations measured.
    public let iterationCount: Int
    /// Indices (0-based, into the measured iterations) of the iterations kept, in order.
    public let kept: [Int]
    /// Indices of the iterations dropped, with why.
    public let discarded: [(index: Int, reason: Discard)]
    /// The typical iteration: per action the median start and end over the kept iterations.
    public let typical: Timeline
    /// How the kept iterations varied: makespan, per-device busy time and bubble, per-action quartiles.
    public let spread: MeasurementSpread

    /// Summarises `timelines` (at least one, all of `schedule`'s shape, in the order they ran).
    public init(_ timelines: [Timeline]) {
        precondition(!timelines.isEmpty, "at least one measured iteration")
        let schedule = timelines[0].schedule
        self.schedule = schedule
        iterationCount = timelines.count
        var candidates = Array(timelines.indices)
        var dropped: [(index: Int, reason: Discard)] = []
        if timelines.count >= 4 {
            dropped.append((0, .cold))
            candidates.removeFirst()
        }
        let makespans = candidates.map { Double(timelines[$0].makespan) }
        let quartiles = Spread(makespans)
        let fence = quartiles.q3 + 1.5 * (quartiles.q3 - quartiles.q1)
        var keep: [Int] = []
        for index in candidates {
            if Double(timelines[index].makespan) > fence { dropped.append((index, .disturbed)) } else { keep.append(index) }
        }
        kept = keep
        discarded = dropped
        let chosen = keep.map { timelines[$0] }
        let actionCount = schedule.actions.count
        var medianStart = [Int64](repeating: 0, count: actionCount), medianEnd = medianStart
        var sq1 = medianStart, sq3 = medianStart, eq1 = medianStart, eq3 = medianStart
        var column = [Int64](repeating: 0, count: chosen.count)
        for id in 0..<actionCount {
            for (k, timeline) in chosen.enumerated() { column[k] = timeline.start[id] }
            (medianStart[id], sq1[id], sq3[id]) = Self.middle(&column)
            for (k, timeline) in chosen.enumerated() { column[k] = timeline.end[id] }
            (medianEnd[id], eq1[id], eq3[id]) = Self.middle(&column)
        }
        let memory = chosen.map(\.peakMemory).first { !$0.isEmpty } ?? []
        typical = Timeline(schedule: schedule, start: medianStart, end: medianEnd,
                           peakMemory: memory.indices.map { d in chosen.map { $0.peakMemory.count > d ? $0.peakMemory[d] : 0 }.max() ?? 0 })
        spread = MeasurementSpread(
            iterations: timelines.count, kept: keep.count, makespan: Spread(chosen.map(\.makespan)),
            busy: (0..<schedule.deviceCount).map { d in Spread(chosen.map { $0.busy(device: d) }) },
            bubble: (0..<schedule.deviceCount).map { d in
                Spread(chosen.map { t in t.makespan > 0 ? Double(t.idle(device: d)) / Double(t.makespan) : 0 })
            },
            startQ1: sq1, startQ3: sq3, endQ1: eq1, endQ3: eq3)
    }

    /// The median (rounded down) and quartiles (rounded to the nearest ns) of `values`, sorted in place.
    private static func middle(_ values: inout [Int64]) -> (median: Int64, q1: Int64, q3: Int64) {
        values.sort()
        let n = values.count
        let median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) >> 1  // floor of the mean
        let sorted = values.map(Double.init)
        return (median, Int64(Spread.quantile(sorted, 0.25).rounded()), Int64(Spread.quantile(sorted, 0.75).rounded()))
    }
}

/// How much a measurement varied over the iterations it summarises — stored with an executed run, and
/// printed next to every error of a comparison.
public struct MeasurementSpread: Sendable, Hashable {
    /// Iterations measured, and kept by the discard rule of `MeasuredIterations`.
    public var iterations: Int
    public var kept: Int
    /// Makespans of the kept iterations (ns).
    public var makespan: Spread
    /// Per device: busy time (ns) and bubble ratio (idle / makespan).
    public var busy: [Spread]
    public var bubble: [Spread]
    /// Per action id: quartiles of its start and end (ns from the iteration's start).
    public var startQ1: [Int64], startQ3: [Int64], endQ1: [Int64], endQ3: [Int64]

    public init(iterations: Int, kept: Int, makespan: Spread, busy: [Spread], bubble: [Spread],
                startQ1: [Int64], startQ3: [Int64], endQ1: [Int64], endQ3: [Int64]) {
        self.iterations = iterations
        self.kept = kept
        self.makespan = makespan
        self.busy = busy
        self.bubble = bubble
        self.startQ1 = startQ1
        self.startQ3 = startQ3
        self.endQ1 = endQ1
        self.endQ3 = endQ3
    }
}
