/// What one action does. The raw values are the tokens of PyTorch's `torch.distributed.pipelining`
/// action strings (`0F1`, `2I0`, `2W0`, `0B3`, `1REDUCE_GRAD`), so the text form needs no second table.
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

    /// The token used in action strings and CSV cells.
    public var token: String {
        switch self {
        case .forward: "F"
        case .backward: "B"
        case .inputGrad: "I"
        case .weightGrad: "W"
        case .gradSync: "REDUCE_GRAD"
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
