import Schedule
import Simulator

/// A makespan (the simulator's `timeline.makespan`, ns) that no schedule can beat for given costs on a
/// given placement, whatever its order, its micro-batch interleaving or its memory.
///
/// Durations are the simulator's (`CostTable`: per stage, working-set and device-speed factors of the
/// stage's device applied); cold starts, contention and memory budgets are ignored — they only ever add
/// time or forbid orders — so the bound holds for every budget. `hop(s)`, the least gap between an
/// action of stage s and one of stage s ± 1 waiting for it, is the transfer `latency + transferBytes /
/// bandwidth` across devices and the dispatch on one device (a device starts an action at the earliest
/// `dispatch` after its previous one ends, and its data arrives a transfer after its producer ends).
/// A backward is the cheaper of `B` and `I` + `W`; the input-gradient chain uses the cheaper of `B`
/// and `I`. With m micro-batches, for every device d holding the stages S_d, lowest s₀:
///
/// - fill_d = Σ_{s<s₀} (F_s + hop(s)): its first action is a forward of s₀ (every action of its stages
///   waits for one), which waits for the forward prefix;
/// - work_d = m · Σ_{s∈S_d} (F_s + backward_s) + (2m|S_d| − 1) · dispatch;
/// - drain_d = max(0, chain_d − deferrable_d): after d's last input gradient of s₀ only weight
///   gradients remain on d (every other action of d precedes it), while the input gradient still
///   runs down the chain_d = Σ_{0<s<s₀} (I_s + hop(s)) + hop(0) + (I_0 + dispatch + W_0) of the lower
///   stages; d's weight gradients, deferrable_d = m · Σ_{s∈S_d} (W_s + dispatch), can overlap it;
///
/// and makespan ≥ fill_d + work_d + drain_d. Also makespan ≥ the critical path of one micro-batch:
/// all forwards, then all input gradients back to stage 0 and its weight gradient, with the hops.
/// The bound is the largest of these. Under uniform costs F = I = W on the looped placement with
/// m ≥ p it is (3m + p − 1)·F, which ZB-H1 reaches.
public enum MakespanLowerBound {
    /// The bound for `microbatches` micro-batches on `placement` (one replica), with `costModel`
    /// holding `placement.stageCount` stages.
    public static func makespan(placement: Placement, microbatches: Int, costModel: CostModel) throws(SynthesisError) -> Int64 {
        guard microbatches >= 1 else { throw .invalidParameter("micro-batches", microbatches, "need at least 1 micro-batch") }
        return makespan(costs: try SynthesisCosts(model: costModel, placement: placement), microbatches: microbatches)
    }

    /// The least bound over `placements` for `devices` devices, each priced by cutting the p-stage
    /// `baseCosts` into its stages (`SynthesisPlacement.costModel(base:)`): a makespan no schedule on
    /// any of them can beat.
    public static func best(devices: Int, microbatches: Int, baseCosts: CostModel,
                            placements: [SynthesisPlacement] = SynthesisPlacement.synthesized) throws(SynthesisError) -> Int64 {
        guard devices >= 1 else { throw .invalidParameter("devices", devices, "need at least 1 device") }
        var best = Int64.max
        for shape in placements {
            let placement: Placement
            do { placement = try shape.placement(devices: devices) } catch {
                throw .invalidParameter("chunks", shape.chunks, error.description)
            }
            best = min(best, try makespan(placement: placement, microbatches: microbatches, costModel: shape.costModel(base: baseCosts)))
        }
        return best
    }

    /// The bound for resolved costs (see the type's documentation).
    static func makespan(costs: SynthesisCosts, microbatches m: Int) -> Int64 {
        let stages = costs.stageCount, m64 = Int64(m), dispatch = costs.dispatch
        // Forward prefix before each stage, and the input-gradient chain from each stage to the end.
        var fill = [Int64](repeating: 0, count: stages)
        for s in 1..<max(stages, 1) { fill[s] = fill[s - 1] + costs.forward[s - 1] + costs.hop(s - 1) }
        var chain = [Int64](repeating: 0, count: stages)
        if stages > 1 { chain[1] = costs.hop(0) + costs.fullBackward(0) }
        for s in stride(from: 2, to: stages, by: 1) { chain[s] = chain[s - 1] + costs.hop(s - 1) + costs.inputGradient(s - 1) }

        var bound: Int64 = 0
        for device in 0..<costs.deviceCount {
            let held = (0..<stages).filter { costs.placement.device(stage: $0) == device }
            guard let lowest = held.first else { continue }
            let work = m64 * held.reduce(0) { $0 + costs.forward[$1] + costs.fullBackward($1) } + (2 * m64 * Int64(held.count) - 1) * dispatch
            let deferrable = m64 * held.reduce(0) { $0 + costs.weightGrad[$1] + dispatch }
            bound = max(bound, fill[lowest] + work + max(0, chain[lowest] - deferrable))
        }
        // One micro-batch: forwards up, input gradients down (the last stage's follows its forward on
        // its own device), stage 0's backward complete.
        let last = stages - 1
        let path = fill[last] + costs.forward[last] + dispatch
            + (stages > 1 ? costs.inputGradient(last) + chain[last] : costs.fullBackward(0))
        return max(bound, path)
    }
}
