/// What one device does once: an op on one micro-batch of one (replica, stage).
///
/// Stored compactly (12 bytes) because schedules of millions of actions are simulated; the public
/// accessors are plain `Int`s.
public struct Action: Hashable, Sendable, Comparable, CustomStringConvertible {
    private let stageIndex: Int32
    private let microbatchIndex: Int32
    private let replicaIndex: UInt16
    /// What the action does.
    public let op: Op

    /// - Parameters:
    ///   - op: what the action does.
    ///   - stage: the virtual stage index (0 is the first stage of the model).
    ///   - microbatch: the micro-batch; 0 for per-stage actions such as `gradSync`.
    ///   - replica: which copy of the stage (0 except in bidirectional schedules such as Chimera).
    public init(_ op: Op, stage: Int, microbatch: Int = 0, replica: Int = 0) {
        precondition(stage >= 0 && stage <= Int(Int32.max), "stage out of range")
        precondition(microbatch >= 0 && microbatch <= Int(Int32.max), "microbatch out of range")
        precondition(replica >= 0 && replica <= Int(UInt16.max), "replica out of range")
        self.op = op
        self.stageIndex = Int32(stage)
        self.microbatchIndex = Int32(op.isPerMicrobatch ? microbatch : 0)
        self.replicaIndex = UInt16(replica)
    }

    /// The virtual stage index.
    public var stage: Int { Int(stageIndex) }
    /// The micro-batch index (0 for per-stage actions).
    public var microbatch: Int { Int(microbatchIndex) }
    /// The replica of the stage (0 except for bidirectional schedules).
    public var replica: Int { Int(replicaIndex) }

    /// PyTorch's action string (`0F1`: stage 0, forward, micro-batch 1; `3REDUCE_GRAD`), with `@r`
    /// appended for replica r > 0 — an extension PyTorch has no counterpart for.
    public var description: String {
        var text = String(stage) + op.token
        if op.isPerMicrobatch { text += String(microbatch) }
        if replica > 0 { text += "@" + String(replica) }
        return text
    }

    /// Orders by replica, stage, micro-batch, then op: a stable order for reports and sets.
    public static func < (lhs: Action, rhs: Action) -> Bool {
        (lhs.replicaIndex, lhs.stageIndex, lhs.microbatchIndex, lhs.op.rawValue)
            < (rhs.replicaIndex, rhs.stageIndex, rhs.microbatchIndex, rhs.op.rawValue)
    }
}
