/// How a measured quantity varied over iterations: its median, quartiles and a 95% confidence
/// interval of the median. Values in the quantity's own unit (nanoseconds, or a ratio).
public struct Spread: Sendable, Hashable, Codable {
    /// Number of values it summarises.
    public var count: Int
    public var median: Double
    /// First and third quartiles (linear interpolation between order statistics).
    public var q1: Double
    public var q3: Double
    /// The 95% confidence interval of the median, from order statistics (distribution-free: ranks
    /// n/2 ± 1.96·√n/2, rounded outwards); the whole range below 6 values.
    public var ciLow: Double
    public var ciHigh: Double

    public init(count: Int, median: Double, q1: Double, q3: Double, ciLow: Double, ciHigh: Double) {
        self.count = count
        self.median = median
        self.q1 = q1
        self.q3 = q3
        self.ciLow = ciLow
        self.ciHigh = ciHigh
    }

    /// The spread of `values` (all zero when empty).
    public init<C: Collection>(_ values: C) where C.Element: BinaryInteger {
        self.init(sorted: values.map(Double.init).sorted())
    }

    /// The spread of `values` (all zero when empty).
    public init<C: Collection>(_ values: C) where C.Element == Double {
        self.init(sorted: values.sorted())
    }

    private init(sorted: [Double]) {
        let n = sorted.count
        guard n > 0 else {
            self.init(count: 0, median: 0, q1: 0, q3: 0, ciLow: 0, ciHigh: 0)
            return
        }
        let half = 1.96 * Double(n).squareRoot() / 2
        let low = max(1, Int((Double(n) / 2 - half).rounded(.down)))
        let high = min(n, Int((Double(n) / 2 + 1 + half).rounded(.up)))
        let ci = n < 6 ? (sorted[0], sorted[n - 1]) : (sorted[low - 1], sorted[high - 1])
        self.init(count: n, median: Self.quantile(sorted, 0.5), q1: Self.quantile(sorted, 0.25), q3: Self.quantile(sorted, 0.75),
                  ciLow: ci.0, ciHigh: ci.1)
    }

    /// The `q` quantile of sorted values, interpolating linearly between order statistics.
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let position = q * Double(sorted.count - 1)
        let below = Int(position.rounded(.down)), above = min(sorted.count - 1, below + 1)
        return sorted[below] + (sorted[above] - sorted[below]) * (position - Double(below))
    }

    /// The interquartile range over the median (0.04 = 4%); 0 when the median is 0.
    public var relativeIQR: Double { median != 0 ? (q3 - q1) / median : 0 }

    /// Whether `value` lies within the interquartile range: no further from the median than half the
    /// measured values are. The noise verdict of a prediction.
    public func contains(_ value: Double) -> Bool { value >= q1 && value <= q3 }
}
