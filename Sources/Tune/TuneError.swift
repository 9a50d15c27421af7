import Foundation

/// Why `tune` cannot answer; every message says what to change.
public enum TuneError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The knobs leave no candidate (no family, no micro-batch count, …).
    case invalidSpace(String)
    /// The costs cannot price the candidates.
    case invalidCosts(String)
    /// Every candidate needs more memory than the budget; `smallest` is the least any needs (bytes per
    /// device, the most loaded device's peak), `candidate` the one that needs it.
    case overBudget(budget: Int64, smallest: Int64, candidate: String, evaluated: Int)
    /// One candidate cannot be built or priced (it is skipped, the others go on).
    case candidate(String)
    /// No candidate could be evaluated; the reasons of the first few.
    case nothingEvaluated([String])

    public var description: String {
        switch self {
        case let .invalidSpace(why): "nothing to tune: \(why)"
        case let .invalidCosts(why): "cannot price the candidates: \(why)"
        case let .candidate(why): why
        case let .overBudget(budget, smallest, candidate, evaluated):
            "all \(evaluated) candidate(s) need more than the memory budget of \(TuneText.bytes(budget)) per device; the least any needs is \(TuneText.bytes(smallest)) (\(candidate)): raise --memory-budget to at least that, or let tune try what holds less (--recompute both, more chunks, more devices)"
        case let .nothingEvaluated(reasons):
            "no candidate could be evaluated: " + reasons.joined(separator: "; ")
        }
    }
}

/// Number formatting shared by the messages and the CLI's tables.
public enum TuneText {
    /// Bytes in the largest unit that keeps a number ≥ 1 (decimal units, as the hardware data sheets).
    public static func bytes(_ value: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var amount = Double(value), unit = 0
        while amount >= 1000, unit < units.count - 1 { amount /= 1000; unit += 1 }
        return unit == 0 ? "\(value) B" : String(format: "%.2f", amount) + " " + units[unit]
    }
}
