/// How far a prediction is from a measurement of the same schedule, as the HTML report shows it.
/// A plain value: whoever compares the runs fills it in (the report only renders what it is given).
public struct TimelineComparison: Sendable, Hashable {
    /// Predicted makespan, in nanoseconds.
    public var predictedMakespan: Int64
    /// Measured makespan, in nanoseconds.
    public var measuredMakespan: Int64
    /// Per-device bubble ratios, predicted and measured.
    public var devices: [DeviceBubble]
    /// Start error (predicted − measured, ns) over the matched actions.
    public var startError: ErrorDistribution
    /// End error (predicted − measured, ns) over the matched actions.
    public var endError: ErrorDistribution
    /// Actions found in both runs (joined on replica, stage, micro-batch, op).
    public var matchedActions: Int
    /// Actions found in only one of the runs.
    public var unmatchedActions: Int

    public init(predictedMakespan: Int64, measuredMakespan: Int64, devices: [DeviceBubble],
                startError: ErrorDistribution, endError: ErrorDistribution,
                matchedActions: Int, unmatchedActions: Int = 0) {
        self.predictedMakespan = predictedMakespan
        self.measuredMakespan = measuredMakespan
        self.devices = devices
        self.startError = startError
        self.endError = endError
        self.matchedActions = matchedActions
        self.unmatchedActions = unmatchedActions
    }

    /// (predicted − measured) / measured; 0 when nothing was measured.
    public var makespanError: Double {
        measuredMakespan == 0 ? 0 : Double(predictedMakespan - measuredMakespan) / Double(measuredMakespan)
    }

    /// One device's bubble ratio (idle / makespan) in both runs.
    public struct DeviceBubble: Sendable, Hashable {
        /// The device.
        public var device: Int
        /// Predicted bubble ratio.
        public var predicted: Double
        /// Measured bubble ratio.
        public var measured: Double

        public init(device: Int, predicted: Double, measured: Double) {
            self.device = device
            self.predicted = predicted
            self.measured = measured
        }

        /// Predicted − measured, in ratio points (0.02 = two percentage points).
        public var error: Double { predicted - measured }
    }
}

/// The distribution of signed errors in nanoseconds: extremes, quantiles and means.
public struct ErrorDistribution: Sendable, Hashable {
    /// Number of samples.
    public var count: Int
    /// Smallest error.
    public var min: Int64
    /// Median.
    public var median: Int64
    /// 90th percentile.
    public var p90: Int64
    /// 99th percentile.
    public var p99: Int64
    /// Largest error.
    public var max: Int64
    /// Mean of the errors.
    public var mean: Double
    /// Mean of the absolute errors.
    public var meanAbsolute: Double

    public init(count: Int, min: Int64, median: Int64, p90: Int64, p99: Int64, max: Int64, mean: Double, meanAbsolute: Double) {
        self.count = count
        self.min = min
        self.median = median
        self.p90 = p90
        self.p99 = p99
        self.max = max
        self.mean = mean
        self.meanAbsolute = meanAbsolute
    }

    /// The distribution of `samples` (nearest-rank quantiles); all zero when there are none.
    public init(samples: [Int64]) {
        let sorted = samples.sorted()
        func quantile(_ q: Double) -> Int64 {
            guard !sorted.isEmpty else { return 0 }
            let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
            return sorted[Swift.min(Swift.max(rank, 0), sorted.count - 1)]
        }
        let total = sorted.reduce(0.0) { $0 + Double($1) }
        let absolute = sorted.reduce(0.0) { $0 + Double($1.magnitude) }
        let n = Double(Swift.max(sorted.count, 1))
        self.init(count: sorted.count, min: sorted.first ?? 0, median: quantile(0.5), p90: quantile(0.9),
                  p99: quantile(0.99), max: sorted.last ?? 0, mean: total / n, meanAbsolute: absolute / n)
    }
}
