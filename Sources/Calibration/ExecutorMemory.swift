import Executor
import Simulator

/// The memory part of a cost model for an executor: the buffers `ThreadedExecutor` counts, per
/// virtual stage, in the terms `CostModel` uses. With A = micro-batch rows × hidden × 4 bytes and k
/// the stage's layers: a forward holds (k + 1)·A (the input and every layer's output) until its `W`
/// or `B`; an `I` holds k·A (every layer's output gradient) until its `W`, and while it runs, on every
/// stage but the first, the A of the input gradient it sends; a forward whose micro-batch is
/// recomputed keeps only its input's A (the checkpoint) until the recompute; the weights and weight
/// gradients, 2·k·(hidden² + hidden)·4 bytes, are held all the time. A simulation with these values predicts the
/// executor's `Timeline.peakMemory` exactly, for any schedule (both follow the action order only).
public enum ExecutorMemory {
    /// Sets `activationBytes`, `gradientBytes`, `transientBytes`, `checkpointBytes` and `weightBytes` of `model` for
    /// `executor`'s configuration.
    public static func apply(to model: inout CostModel, layersPerStage: [Int], microbatchRows: Int, hidden: Int) {
        let unit = Double(microbatchRows) * Double(hidden) * 4
        let layers = layersPerStage.map(Double.init)
        model.activationBytes = .perStage(layers.map { ($0 + 1) * unit })
        model.gradientBytes = .perStage(layers.map { $0 * unit })
        model.transientBytes = .perStage(layers.indices.map { $0 == 0 ? 0 : unit })
        model.checkpointBytes = .uniform(unit)
        model.weightBytes = .perStage(layers.map { 2 * $0 * (Double(hidden) * Double(hidden) + Double(hidden)) * 4 })
    }

    /// `apply(to:…)` for a built executor.
    public static func apply(to model: inout CostModel, executor: some PipelineExecutor) {
        apply(to: &model, layersPerStage: executor.layersPerStage, microbatchRows: executor.microbatchRows, hidden: executor.model.hidden)
    }
}
