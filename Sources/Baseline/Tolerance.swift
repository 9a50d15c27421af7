/// A metric a baseline compares. Every one is worse when it grows.
public enum Metric: String, CaseIterable, Sendable {
    case makespan = "makespan_ns"
    case iteration = "iteration_ns"
    case bubble = "bubble_ratio"
    case peakMemory = "peak_memory_bytes"

    /// How much a metric may grow before it counts as a regression, unless the baseline says otherwise.
    /// Simulated cases are deterministic, so their defaults only absorb rounding: 0.5% of a time, 0.2
    /// points of bubble, no memory at all. A measured case's fastest run (see `CaseResults`) still moves
    /// by a few percent between checks on a shared machine, its fast phases by more: 10% of a time, 5
    /// points of bubble.
    public func defaultTolerance(measured: Bool) -> Tolerance {
        switch (self, measured) {
        case (.makespan, false), (.iteration, false): Tolerance(relative: 0.005)
        case (.bubble, false): Tolerance(absolute: 0.002)
        case (.peakMemory, _): Tolerance(relative: 0)
        case (.makespan, true), (.iteration, true): Tolerance(relative: 0.10)
        case (.bubble, true): Tolerance(absolute: 0.05)
        }
    }

    /// How the metric prints.
    var unit: String {
        switch self {
        case .makespan, .iteration: "ns"
        case .bubble: "ratio"
        case .peakMemory: "bytes"
        }
    }
}

/// How far a metric may grow before it counts as a regression: `relative` (a fraction of the baseline
/// value) and/or `absolute` (in the metric's unit); with both, the larger allowance holds. A growth of
/// exactly the allowance passes.
public struct Tolerance: Codable, Equatable, Sendable {
    public var relative: Double?
    public var absolute: Double?

    public init(relative: Double? = nil, absolute: Double? = nil) {
        self.relative = relative
        self.absolute = absolute
    }

    /// The growth allowed from `baseline`.
    public func allowance(from baseline: Double) -> Double {
        max(relative.map { $0 * abs(baseline) } ?? 0, absolute ?? 0)
    }

    func check(metric: String, file: String) throws(BaselineError) {
        guard Metric(rawValue: metric) != nil else {
            throw .unreadable(file, "tolerance for '\(metric)': not a metric; the metrics are \(Metric.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard relative != nil || absolute != nil else {
            throw .unreadable(file, "tolerance for '\(metric)' gives neither \"relative\" nor \"absolute\"")
        }
        for (name, value) in [("relative", relative), ("absolute", absolute)] {
            if let value, !(value.isFinite && value >= 0) {
                throw .unreadable(file, "tolerance for '\(metric)': \(name) \(value) must be a finite number of at least 0")
            }
        }
    }
}
