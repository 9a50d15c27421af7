/// Text forms of numbers shared by the renderers: durations, byte counts, ratios and SVG coordinates.
/// Hand-rolled so that output is identical on every platform and locale.
enum Formatting {
    /// A duration with three significant digits in the largest fitting unit: `850 ns`, `12.3 µs`,
    /// `4.56 ms`, `1.20 s`.
    static func duration(_ nanoseconds: Int64) -> String {
        let sign = nanoseconds < 0 ? "-" : ""
        let magnitude = Double(nanoseconds.magnitude)
        if magnitude < 1_000 { return sign + String(nanoseconds.magnitude) + " ns" }
        let (value, unit): (Double, String) =
            magnitude < 1e6 ? (magnitude / 1e3, "µs") : magnitude < 1e9 ? (magnitude / 1e6, "ms") : (magnitude / 1e9, "s")
        let decimals = value < 10 ? 2 : value < 100 ? 1 : 0
        return sign + fixed(value, decimals: decimals) + " " + unit
    }

    /// Bytes in binary units: `512 B`, `1.50 KiB`, `2.00 GiB`.
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(count), index = 0
        while abs(value) >= 1024 && index < units.count - 1 {
            value /= 1024
            index += 1
        }
        return index == 0 ? "\(count) B" : fixed(value, decimals: 2) + " " + units[index]
    }

    /// A ratio as a percentage with one decimal: `27.3%`.
    static func percent(_ ratio: Double) -> String {
        fixed(ratio * 100, decimals: 1) + "%"
    }

    /// A signed percentage with one decimal: `+4.2%`, `-0.8%`.
    static func signedPercent(_ ratio: Double) -> String {
        let text = percent(ratio)
        return ratio >= 0 && !text.hasPrefix("-") ? "+" + text : text
    }

    /// A signed duration: `+1.20 ms`, `-850 ns`, `0 ns`.
    static func signedDuration(_ nanoseconds: Int64) -> String {
        nanoseconds > 0 ? "+" + duration(nanoseconds) : duration(nanoseconds)
    }

    /// An SVG coordinate: at most two decimals, no trailing zeros.
    static func coordinate(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let hundredths = Int64((value * 100).rounded())
        let whole = hundredths / 100, fraction = (hundredths % 100).magnitude
        let sign = hundredths < 0 && whole == 0 ? "-" : ""
        if fraction == 0 { return sign + String(whole) }
        let digits = fraction % 10 == 0 ? String(fraction / 10) : (fraction < 10 ? "0" : "") + String(fraction)
        return sign + String(whole) + "." + digits
    }

    /// `value` with exactly `decimals` decimals (0…6), rounded half away from zero.
    static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-∞" : "∞") }
        var scale: Double = 1
        for _ in 0..<max(0, min(decimals, 6)) { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e18 else { return String(value) }
        let integer = Int64(scaled), factor = Int64(scale)
        let sign = value < 0 && integer != 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(integer) }
        let fraction = String(integer % factor)
        return sign + String(integer / factor) + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }
}
