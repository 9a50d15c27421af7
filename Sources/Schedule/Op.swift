/// What one action does. The tokens are those of PyTorch's `torch.distributed.pipelining` action
/// strings (`0F1`, `2I0`, `2W0`, `0B3`, `1REDUCE_GRAD`), so the text form needs no second table —
/// except recompute, which PyTorch has no action for: Stagecraft writes it `R` (`0R1`).
public enum Op: UInt8, CaseIterable, Sendable, Hashable, Comparable {
    /// Forward pass of one micro-batch through one stage; keeps what the backward needs.
    case forward
    /// Full backward: input gradient then weight gradient, in one action.
    case backward
    /// Backward with respect to the stage's input only (zero-bubble schedules split B into I + W).
    case inputGrad
    /// Backward with respect to the stage's weights only.
    case weightGrad
    /// Gradient synchronisation between the replicas of one stage (Chimera's two pipelines), summing
    /// their gradients once every micro-batch's weight gradient on every replica is done.
    case gradSync
    /// Activation recomputation: re-runs the forward of one micro-batch on one stage from the stage's
    /// input, which is all its forward kept, restoring what the backward (`B` or `I`) needs. Waits
    /// for its own forward; the backward then waits for it (see `Dependencies`).
    case recompute

    /// The token used in action strings and CSV cells.
    public var token: String {
        switch self {
        case .forward: "F"
        case .backward: "B"
        case .inputGrad: "I"
        case .weightGrad: "W"
        case .gradSync: "REDUCE_GRAD"
        case .recompute: "R"
        }
    }

    /// Whether the action belongs to one micro-batch (everything but the per-stage gradient sync).
    public var isPerMicrobatch: Bool { self != .gradSync }

    /// Whether the action computes the gradient with respect to the stage's input (B or I).
    public var producesInputGrad: Bool { self == .backward || self == .inputGrad }

    /// Whether the action completes the weight gradient of its micro-batch (B or W).
    public var completesWeightGrad: Bool { self == .backward || self == .weightGrad }

    public static func < (lhs: Op, rhs: Op) -> Bool { lhs.rawValue < rhs.rawValue }
}
