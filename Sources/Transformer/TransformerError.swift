/// Why a transformer cost model could not be derived. Every case says what was wrong and how to fix it.
public enum TransformerError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidModel(String)
    case invalidHardware(String)
    /// The layers cannot be split into the pipeline's stages as asked.
    case invalidSplit(String)
    /// A description file could not be read or a preset name is unknown.
    case unreadable(String)
    /// Per device: what it holds and what it has; only devices that do not fit are listed.
    case doesNotFit([MemoryShortfall])

    public var description: String {
        switch self {
        case let .invalidModel(why): return "invalid model: \(why)"
        case let .invalidHardware(why): return "invalid hardware: \(why)"
        case let .invalidSplit(why): return "cannot split the model into the pipeline's stages: \(why)"
        case let .unreadable(why): return why
        case let .doesNotFit(shortfalls):
            return "the model does not fit in device memory:\n" + shortfalls.map { "  - \($0)" }.joined(separator: "\n")
                + "\nUse more pipeline stages, fewer micro-batches in flight, activation recompute (--recompute, --selective-recompute), tensor parallelism (--tensor-parallel), "
                + "a smaller micro-batch, or a device with more memory."
        }
    }
}

/// One device whose memory need exceeds its capacity.
public struct MemoryShortfall: Equatable, Sendable, CustomStringConvertible {
    public let device: Int
    /// Weights, gradients and optimizer state of its stages.
    public let modelStateBytes: Double
    /// Peak activations (from the simulated schedule; 0 when only the model state was checked).
    public let activationBytes: Double
    public let capacityBytes: Double

    public var description: String {
        func gb(_ bytes: Double) -> String { "\((bytes / 1e9 * 10).rounded() / 10) GB" }
        return "device \(device) needs \(gb(modelStateBytes + activationBytes)) (model state \(gb(modelStateBytes))"
            + (activationBytes > 0 ? ", peak activations \(gb(activationBytes))" : "") + ") but has \(gb(capacityBytes))"
    }
}
