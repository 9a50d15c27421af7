/// A cost model of a finer split made coarser: stages merged `factor` at a time, so one calibration at
/// the finest split serves every schedule whose stages are groups of its stages (interleaved v = 2
/// calibrates 2p stages; GPipe, 1F1B and Chimera use p stages of two of them each).
///
/// A merged stage's durations (F, B, I, W, R, gradient sum, optimizer step) and bytes held are the sums
/// of its fine stages'; the bytes sent forward are those at its last fine stage's boundary; the
/// transient and checkpoint bytes (its input's) those of its first fine stage. Latency, dispatch and
/// bandwidth are unchanged. The sums leave out the copy of a tensor between two fine stages that a
/// merged stage does not make (a micro-batch's activation, rows × hidden × 4 bytes: microseconds
/// against milliseconds of compute).
public enum StageMerge {
    /// `model`'s per-stage values merged into `stages` stages; throws when its stage count is not a
    /// multiple of `stages`.
    public static func merge(_ model: CostModel, into stages: Int) throws(CostModelError) -> CostModel {
        guard case let .perStage(forward) = model.forward else { return model }
        let fine = forward.count
        guard stages >= 1, fine % stages == 0 else {
            throw .cannotMerge(stages: fine, into: stages)
        }
        let factor = fine / stages
        guard factor > 1 else { return model }
        func combine(_ values: StageValues, _ pick: ([Double]) -> Double, uniformFactor: Double) -> StageValues {
            switch values {
            case let .uniform(value): return .uniform(value * uniformFactor)
            case let .perStage(list):
                guard list.count == fine else { return values }
                return .perStage((0..<stages).map { pick(Array(list[($0 * factor)..<(($0 + 1) * factor)])) })
            }
        }
        let sum: ([Double]) -> Double = { $0.reduce(0, +) }
        let k = Double(factor)
        var merged = model
        merged.forward = combine(model.forward, sum, uniformFactor: k)
        merged.backward = combine(model.backward, sum, uniformFactor: k)
        merged.inputGrad = model.inputGrad.map { combine($0, sum, uniformFactor: k) }
        merged.weightGrad = model.weightGrad.map { combine($0, sum, uniformFactor: k) }
        merged.gradSync = combine(model.gradSync, sum, uniformFactor: k)
        merged.optimizerStep = combine(model.optimizerStep, sum, uniformFactor: k)
        merged.activationBytes = combine(model.activationBytes, sum, uniformFactor: k)
        merged.gradientBytes = combine(model.gradientBytes, sum, uniformFactor: k)
        merged.weightBytes = combine(model.weightBytes, sum, uniformFactor: k)
        merged.transferBytes = combine(model.transferBytes, { $0.last ?? 0 }, uniformFactor: 1)
        merged.transientBytes = combine(model.transientBytes, { $0.first ?? 0 }, uniformFactor: 1)
        merged.recompute = model.recompute.map { combine($0, sum, uniformFactor: k) }
        merged.coldStart = combine(model.coldStart, sum, uniformFactor: k)
        // A merged stage's first action is its first fine stage's.
        merged.firstAction = model.firstAction.map { combine($0, { $0.first ?? 0 }, uniformFactor: 1) }
        merged.checkpointBytes = combine(model.checkpointBytes, { $0.first ?? 0 }, uniformFactor: 1)
        return merged
    }
}
