/// The size of a schedule too large to build: how many actions, what they would cost in memory, and the
/// limit the user can raise.
public struct ScheduleSize: Equatable, Sendable, CustomStringConvertible {
    /// Actions built by default at most: 10 M actions take about 4 GiB while simulated and recorded.
    public static let defaultActionLimit = 10_000_000
    /// Bytes per action while a schedule is built, simulated and its timeline recorded (measured: peak
    /// resident memory of `simulate --db` on 1 M actions, 410 MB).
    public static let bytesPerAction = 400

    /// What was asked for, e.g. "interleaved with 4 devices, 8 micro-batches and 10 chunks per device".
    public let what: String
    /// The number of actions; nil when it does not even fit in a 64-bit integer.
    public let actions: Int?
    public let limit: Int

    public init(what: String, actions: Int?, limit: Int) {
        self.what = what
        self.actions = actions
        self.limit = limit
    }

    public var description: String {
        let count = actions.map { "\(grouped($0)) actions, about \(memory($0)) of memory to simulate and record" }
            ?? "more actions than a 64-bit integer counts"
        return "\(what) has \(count); the limit is \(grouped(limit)) actions. Use fewer devices, micro-batches or chunks, or raise the limit with --max-actions"
    }

    private func memory(_ actions: Int) -> String {
        let bytes = Double(actions) * Double(Self.bytesPerAction)
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = bytes, unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return "\((value * 10).rounded() / 10) \(units[unit])"
    }

    private func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return text
    }
}
