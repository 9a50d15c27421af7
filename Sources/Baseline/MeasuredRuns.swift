import Schedule

extension CaseResults {
    /// A measured case's result over its runs (each a `stagecraft run`'s typical iteration). This
    /// machine's noise only ever slows a run down: another process takes a core for seconds, and a
    /// pipeline of device threads handing off to each other loses far more than one thread computing
    /// would show (a speed probe of single-device runs scaled that away worse than it helped). So the
    /// makespan compared is the fastest run's and the bubble the least; both stay within a few percent
    /// between checks where the medians of five runs moved by up to 40%. The quartiles of the runs'
    /// makespans (`Spread`) show the spread; the peak memory is the largest. `runs` must not be empty.
    public init(summarizing runs: [CaseResults]) {
        let spread = Spread(runs.map(\.makespanNs))
        self.init(makespanNs: runs.map(\.makespanNs).min() ?? 0, iterationNs: nil, bubbleRatio: runs.map(\.bubbleRatio).min() ?? 0,
                  peakMemoryBytes: runs.map(\.peakMemoryBytes).max() ?? 0, makespanQ1Ns: Int64(spread.q1.rounded()),
                  makespanQ3Ns: Int64(spread.q3.rounded()), runs: runs.count)
    }
}
