import Schedule

/// One measured training (or inference) iteration.
public struct IterationResult: Sendable {
    /// 0-based iteration number over the executor's lifetime.
    public let iteration: Int
    /// The loss of the full batch before this iteration's step: Σ (y − t)² / (batch × hidden).
    public let loss: Double
    /// When every action ran, ns from the iteration's start (monotonic clock), with the peak bytes
    /// per device: weights and weight gradients plus the peak of activations and activation gradients
    /// (see `ThreadedExecutor` for what is counted).
    public let timeline: Timeline
    /// From the iteration's start until the last device finished its actions and its SGD step, in ns.
    public let stepTime: Int64
}
