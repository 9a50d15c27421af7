import Simulator

/// Why no schedule could be synthesized or bounded. Every case says what was wrong and how to fix it.
public enum SynthesisError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A parameter is out of its range: (name, value, why).
    case invalidParameter(String, Int, String)
    /// The cost model does not fit the placement (per-stage lists of another length, bad values).
    case invalidCostModel(CostModelError)
    /// The placement has replicas (Chimera), which neither synthesis nor the lower bound handles.
    case replicatedPlacement(replicas: Int)
    /// No schedule fits `budget` bytes per device; `needed` is the least peak memory (weights
    /// included) of any schedule the synthesizer can build: one micro-batch at a time.
    case budgetTooSmall(budget: Int64, needed: Int64)
    /// The order found does not validate (a bug in the synthesizer, reported rather than returned).
    case invalidSchedule(String)

    public var description: String {
        switch self {
        case let .invalidParameter(name, value, why):
            return "invalid \(name) \(value): \(why)"
        case let .invalidCostModel(error):
            return error.description
        case let .replicatedPlacement(replicas):
            return "the placement holds \(replicas) replicas of every stage; synthesis and the lower bound take one replica (no Chimera)"
        case let .budgetTooSmall(budget, needed):
            return "no schedule fits a memory budget of \(budget) bytes per device: even one micro-batch at a time needs \(needed) bytes "
                + "(weights plus one micro-batch's activations on the fullest device); raise the budget to \(needed) bytes or more, "
                + "or spread the model over more devices"
        case let .invalidSchedule(why):
            return "the synthesized schedule does not validate: \(why)"
        }
    }
}
