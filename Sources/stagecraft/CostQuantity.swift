import Simulator

/// Reads the numbers of `stagecraft simulate`'s cost options: durations, byte counts and bandwidths
/// with optional units, alone (every stage) or as a comma-separated list (one per virtual stage).
///
/// - Durations: `1.5ms`, `250us` (or `µs`), `40ns`, `2s`; a bare number is nanoseconds.
/// - Sizes: `512`, `64KiB`, `1.5MiB`, `2GiB`, `10MB` (decimal: kB/KB, MB, GB, TB; binary: KiB, MiB, GiB, TiB);
///   a bare number is bytes.
/// - Bandwidths: a size per second in bytes (`25GB/s`, `900GiB/s`); a bare number is bytes per second.
enum CostQuantity {
    enum Kind {
        case duration, bytes, bandwidth

        var example: String {
            switch self {
            case .duration: "a duration such as 1.5ms, 250us, 40ns or 1000 (nanoseconds)"
            case .bytes: "a size such as 4096, 64KiB, 1.5MiB or 2GB (bytes)"
            case .bandwidth: "a bandwidth such as 25GB/s, 900GiB/s or 1e9 (bytes per second)"
            }
        }
    }

    private static let durationUnits: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9)]
    private static let sizeUnits: [(String, Double)] = [
        ("KiB", 1_024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776),
        ("kB", 1e3), ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("B", 1),
    ]

    /// One value in the option's base unit (ns, bytes, bytes per second), or nil if it does not parse.
    static func value(_ text: Substring, _ kind: Kind) -> Double? {
        var text = text.trimmingCharacters(in: " ")
        if kind == .bandwidth, text.hasSuffix("/s") { text = text.dropLast(2) }
        let units = kind == .duration ? durationUnits : sizeUnits
        // Longest unit first so that "ms" is not read as "s" and "MiB" not as "B".
        for (unit, scale) in units.sorted(by: { $0.0.count > $1.0.count }) where text.hasSuffix(unit) {
            return Double(text.dropLast(unit.count).trimmingCharacters(in: " ")).map { $0 * scale }
        }
        return Double(text)
    }

    /// A uniform value or a per-stage list.
    static func stageValues(_ text: String, _ kind: Kind, option: String) throws -> StageValues {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        var values: [Double] = []
        for part in parts {
            guard let value = value(part, kind) else {
                throw CommandError("\(option) '\(text)': cannot read '\(part)'; expected \(kind.example), "
                                   + "or a comma-separated list of them, one per stage")
            }
            try requireNonNegative(value, part, kind, option: option)
            values.append(value)
        }
        return values.count == 1 ? .uniform(values[0]) : .perStage(values)
    }

    /// A negative duration, size or bandwidth has its own message: the parser would otherwise only say
    /// "below zero" in the base unit.
    private static func requireNonNegative(_ value: Double, _ part: Substring, _ kind: Kind, option: String) throws {
        guard value < 0 else { return }
        let noun = switch kind { case .duration: "a duration"; case .bytes: "a size"; case .bandwidth: "a bandwidth" }
        throw CommandError("\(option) '\(part)' is negative: \(noun) cannot be below zero; expected \(kind.example)")
    }

    /// A single value (latency, bandwidth).
    static func single(_ text: String, _ kind: Kind, option: String) throws -> Double {
        guard let value = value(text[...], kind) else {
            throw CommandError("\(option) '\(text)': expected \(kind.example)")
        }
        try requireNonNegative(value, text[...], kind, option: option)
        return value
    }
}

private extension Substring {
    func trimmingCharacters(in set: Character) -> Substring {
        var text = self
        while text.first == set { text = text.dropFirst() }
        while text.last == set { text = text.dropLast() }
        return text
    }
}

private extension String {
    func trimmingCharacters(in set: Character) -> Substring { self[...].trimmingCharacters(in: set) }
}
