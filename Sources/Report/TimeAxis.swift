/// A time axis with a readable scale: ticks at a "nice" step (1, 2 or 5 times a power of ten
/// nanoseconds) and labels in the largest unit (ns, µs, ms or s) the axis reaches, with the decimals
/// the step needs.
public struct TimeAxis: Sendable, Hashable {
    /// The time the axis ends at, in nanoseconds (it starts at 0).
    public let extent: Int64
    /// Distance between ticks, in nanoseconds.
    public let step: Int64
    /// The unit of tick labels: `ns`, `µs`, `ms` or `s`.
    public let unit: String
    /// Nanoseconds per label unit (1, 1e3, 1e6 or 1e9).
    public let unitScale: Int64

    /// An axis over `0...extent` with about `targetTicks` intervals (never fewer than 1 tick step).
    public init(extent: Int64, targetTicks: Int = 10) {
        self.extent = max(extent, 1)
        let raw = Double(self.extent) / Double(max(targetTicks, 1))
        var power: Int64 = 1
        while Double(power) * 10 <= raw && power < Int64.max / 100 { power *= 10 }
        let multiplier: Int64 = raw <= Double(power) ? 1 : raw <= Double(power) * 2 ? 2 : raw <= Double(power) * 5 ? 5 : 10
        step = max(1, power * multiplier)
        // The unit of the axis' end, so that labels read `0 0.5 1 1.5 ms` rather than `0 500 1000 1500 µs`.
        let end = (self.extent + step - 1) / step * step
        (unit, unitScale) = end >= 1_000_000_000 ? ("s", 1_000_000_000)
            : end >= 1_000_000 ? ("ms", 1_000_000) : end >= 1_000 ? ("µs", 1_000) : ("ns", 1)
    }

    /// Tick positions from 0 to the last step at or after `extent` (so the axis covers every action).
    public var ticks: [Int64] {
        let count = (extent + step - 1) / step
        return (0...count).map { $0 * step }
    }

    /// The time the drawn axis ends at: the last tick.
    public var end: Int64 { ticks.last ?? extent }

    /// A tick's label in the axis unit, with as many decimals as the step needs (`0`, `2.5`, `10`).
    public func label(_ time: Int64) -> String {
        var decimals = 0, scale = unitScale
        while step % scale != 0 && decimals < 6 {
            decimals += 1
            scale /= 10
        }
        return Formatting.fixed(Double(time) / Double(unitScale), decimals: decimals)
    }
}
