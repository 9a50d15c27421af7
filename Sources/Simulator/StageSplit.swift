/// A cost model of p stages made finer: every stage cut into `parts` equal parts, so one cost model of a
/// model split over p devices also prices the schedules that hold several smaller stages per device
/// (interleaved and looped BFS with v chunks: p·v stages; ZB-V and DualPipeV: 2p). Stage s's part j is
/// stage s·parts + j. The inverse of `StageMerge`, and like it an assumption: a
/// stage's work and bytes spread evenly over its parts (true for a stack of equal layers cut between
/// layers).
///
/// Per part: durations (F, B, I, W, R, gradient sum, optimizer step), the bytes a micro-batch holds
/// (activations, activation gradients), the weights and the cold-start time (weights read again) are
/// the stage's divided by `parts`; the tensor sent to the next part, the transient input gradient, the
/// checkpointed input and the first-action time are the stage's own (the same hidden state crosses
/// every boundary of a layer stack). Latency, bandwidth, dispatch, working set and device speed are
/// unchanged.
public enum StageSplit {
    /// `model` with each of its stages cut into `parts` (per-stage lists get `parts` times as many values).
    public static func split(_ model: CostModel, parts: Int) -> CostModel {
        precondition(parts >= 1, "parts must be at least 1")
        guard parts > 1 else { return model }
        let k = Double(parts)
        func divided(_ values: StageValues) -> StageValues {
            switch values {
            case let .uniform(value): .uniform(value / k)
            case let .perStage(list): .perStage(list.flatMap { Array(repeating: $0 / k, count: parts) })
            }
        }
        func repeated(_ values: StageValues) -> StageValues {
            switch values {
            case .uniform: values
            case let .perStage(list): .perStage(list.flatMap { Array(repeating: $0, count: parts) })
            }
        }
        var fine = model
        fine.forward = divided(model.forward)
        fine.backward = divided(model.backward)
        fine.inputGrad = model.inputGrad.map(divided)
        fine.weightGrad = model.weightGrad.map(divided)
        fine.recompute = model.recompute.map(divided)
        fine.gradSync = divided(model.gradSync)
        fine.optimizerStep = divided(model.optimizerStep)
        fine.activationBytes = divided(model.activationBytes)
        fine.gradientBytes = divided(model.gradientBytes)
        fine.weightBytes = divided(model.weightBytes)
        fine.coldStart = divided(model.coldStart)
        fine.transferBytes = repeated(model.transferBytes)
        fine.transientBytes = repeated(model.transientBytes)
        fine.checkpointBytes = repeated(model.checkpointBytes)
        fine.firstAction = model.firstAction.map(repeated)
        return fine
    }
}
