/// How one metric of one case moved against the baseline.
public struct MetricComparison: Equatable, Sendable {
    public enum Verdict: String, Sendable {
        /// Within the tolerance.
        case pass
        /// Worse by more than the tolerance.
        case regressed
        /// Better by more than the tolerance: the baseline may be updated.
        case improved
    }

    public let metric: Metric
    public let baseline: Double
    public let current: Double
    /// The growth the tolerance allows.
    public let allowance: Double
    public let verdict: Verdict

    /// current − baseline.
    public var change: Double { current - baseline }
    /// The change as a fraction of the baseline; nil when the baseline is 0.
    public var relativeChange: Double? { baseline != 0 ? change / abs(baseline) : nil }
}

/// One case checked: every metric compared, or why it could not run.
public struct CaseComparison: Equatable, Sendable {
    public let name: String
    public let metrics: [MetricComparison]
    /// Why the case could not be run or compared; nil when it ran.
    public let error: String?
    /// The cost-model fields that differ from those the baseline was saved with.
    public var changedCosts: [String] = []
    /// A measured case: how many runs the current values come from.
    public var measuredRuns: Int?

    public var regressed: Bool { metrics.contains { $0.verdict == .regressed } }
    public var improved: Bool { !regressed && metrics.contains { $0.verdict == .improved } }

    public init(name: String, metrics: [MetricComparison], error: String? = nil) {
        self.name = name
        self.metrics = metrics
        self.error = error
    }

    /// Compares `current` with the saved `baseline` metric by metric under `tolerance`.
    public static func compare(name: String, baseline: CaseResults, current: CaseResults,
                               tolerance: (Metric) -> Tolerance) -> CaseComparison {
        var metrics: [MetricComparison] = []
        for metric in Metric.allCases {
            guard let old = baseline.value(metric), let new = current.value(metric) else { continue }
            let allowance = tolerance(metric).allowance(from: old)
            let verdict: MetricComparison.Verdict = new - old > allowance ? .regressed : old - new > allowance ? .improved : .pass
            metrics.append(MetricComparison(metric: metric, baseline: old, current: new, allowance: allowance, verdict: verdict))
        }
        return CaseComparison(name: name, metrics: metrics)
    }
}

/// A whole check: every case's comparison, and the exit status for a CI system.
public struct BaselineCheck: Sendable {
    public let baseline: String
    public let cases: [CaseComparison]
    public let seconds: Double

    public init(baseline: String, cases: [CaseComparison], seconds: Double) {
        self.baseline = baseline
        self.cases = cases
        self.seconds = seconds
    }

    /// 0 when every case passed, 1 when one regressed, 2 when one could not run (that wins: a check that
    /// did not run every case proves nothing).
    public var exitCode: Int32 {
        if cases.contains(where: { $0.error != nil }) { return 2 }
        return cases.contains(where: \.regressed) ? 1 : 0
    }

    public var regressed: [CaseComparison] { cases.filter(\.regressed) }
    public var failedToRun: [CaseComparison] { cases.filter { $0.error != nil } }
}
