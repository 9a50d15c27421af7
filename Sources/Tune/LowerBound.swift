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
///
/// With a memory budget (bytes per device, weights included, as `timeline.peakMemory` counts them) the
/// start of a device can bind too. Before the earliest time first_d at which an input gradient of one
/// of its stages can start (one micro-batch's forwards up to the last stage, then its input gradients
/// down to that stage), a device can only run forwards, and, no backward having freed anything, the
/// forwards it starts hold Σ activation ≤ budget − weights_d. So it is busy at most ahead_d before
/// first_d, the most F_s + dispatch that forwards of that total activation can take (each micro-batch
/// having run a prefix of the device's stages, m micro-batches at most; see `forwardTime`), and
/// fill_d above becomes max(fill_d, first_d − ahead_d). This holds for schedules without activation
/// recompute (a recomputed forward holds only its checkpoint) that stay within the budget.
public enum MakespanLowerBound {
    /// The bound for `microbatches` micro-batches on `placement` (one replica), with `costModel`
    /// holding `placement.stageCount` stages; with `memoryBudget`, for schedules without recompute
    /// whose peak stays within it.
    public static func makespan(placement: Placement, microbatches: Int, costModel: CostModel,
                                memoryBudget: Int64? = nil) throws(SynthesisError) -> Int64 {
        guard microbatches >= 1 else { throw .invalidParameter("micro-batches", microbatches, "need at least 1 micro-batch") }
        return makespan(costs: try SynthesisCosts(model: costModel, placement: placement), microbatches: microbatches, memoryBudget: memoryBudget)
    }

    /// The least bound over `placements` for `devices` devices, each priced by cutting the p-stage
    /// `baseCosts` into its stages (`SynthesisPlacement.costModel(base:)`): a makespan no schedule on
    /// any of them can beat.
    public static func best(devices: Int, microbatches: Int, baseCosts: CostModel,
                            placements: [SynthesisPlacement] = SynthesisPlacement.synthesized,
                            memoryBudget: Int64? = nil) throws(SynthesisError) -> Int64 {
        guard devices >= 1 else { throw .invalidParameter("devices", devices, "need at least 1 device") }
        var best = Int64.max
        for shape in placements {
            let placement: Placement
            do { placement = try shape.placement(devices: devices) } catch {
                throw .invalidParameter("chunks", shape.chunks, error.description)
            }
            best = min(best, try makespan(placement: placement, microbatches: microbatches, costModel: shape.costModel(base: baseCosts),
                                          memoryBudget: memoryBudget))
        }
        return best
    }

    /// The bound for resolved costs (see the type's documentation).
    static func makespan(costs: SynthesisCosts, microbatches m: Int, memoryBudget: Int64? = nil) -> Int64 {
        let stages = costs.stageCount, m64 = Int64(m), dispatch = costs.dispatch
        // Forward prefix before each stage, and the input-gradient chain from each stage to the end.
        var fill = [Int64](repeating: 0, count: stages)
        for s in 1..<max(stages, 1) { fill[s] = fill[s - 1] + costs.forward[s - 1] + costs.hop(s - 1) }
        var chain = [Int64](repeating: 0, count: stages)
        if stages > 1 { chain[1] = costs.hop(0) + costs.fullBackward(0) }
        for s in stride(from: 2, to: stages, by: 1) { chain[s] = chain[s - 1] + costs.hop(s - 1) + costs.inputGradient(s - 1) }
        // Earliest start of an input gradient (B or I) of each stage: one micro-batch's forwards to the
        // last stage, then its input gradients down.
        var firstInput = [Int64](repeating: 0, count: stages)
        if stages > 0 { firstInput[stages - 1] = fill[stages - 1] + costs.forward[stages - 1] + dispatch }
        for s in stride(from: stages - 2, through: 0, by: -1) {
            firstInput[s] = firstInput[s + 1] + costs.inputGradient(s + 1) + costs.hop(s)
        }

        var bound: Int64 = 0
        for device in 0..<costs.deviceCount {
            let held = (0..<stages).filter { costs.placement.device(stage: $0) == device }
            guard let lowest = held.first else { continue }
            let work = m64 * held.reduce(0) { $0 + costs.forward[$1] + costs.fullBackward($1) } + (2 * m64 * Int64(held.count) - 1) * dispatch
            let deferrable = m64 * held.reduce(0) { $0 + costs.weightGrad[$1] + dispatch }
            var start = fill[lowest]
            if let memoryBudget {
                let first = held.map { firstInput[$0] }.min() ?? 0
                start = max(start, first - forwardTime(of: held, costs: costs, microbatches: m, activationBytes: memoryBudget - costs.weights[device]))
            }
            bound = max(bound, start + work + max(0, chain[lowest] - deferrable))
        }
        // One micro-batch: forwards up, input gradients down (the last stage's follows its forward on
        // its own device), stage 0's backward complete.
        let last = stages - 1
        let path = fill[last] + costs.forward[last] + dispatch
            + (stages > 1 ? costs.inputGradient(last) + chain[last] : costs.fullBackward(0))
        return max(bound, path)
    }

    /// The most time forwards of `held`'s stages (F_s + dispatch each) can take while together holding
    /// at most `activationBytes`, m micro-batches at most. A micro-batch's forward on one of the device's
    /// stages waits for its forwards on the device's lower stages, so each micro-batch has run a prefix
    /// of them: x_K micro-batches the first K stages (time T_K, bytes B_K), Σ x_K ≤ m, Σ x_K·B_K ≤ the
    /// bytes. The linear relaxation's optimum, an upper bound on the forwards' time, lies on a vertex
    /// with at most two prefixes in use; every vertex is tried.
    static func forwardTime(of held: [Int], costs: SynthesisCosts, microbatches m: Int, activationBytes: Int64) -> Int64 {
        let budget = Double(max(0, activationBytes)), count = Double(m)
        var prefixes: [(time: Double, bytes: Double)] = []
        var time = 0.0, bytes = 0.0
        for stage in held {
            time += Double(costs.forward[stage] + costs.dispatch)
            bytes += Double(costs.activation[stage])
            prefixes.append((time, bytes))
        }
        var best = 0.0
        for (i, one) in prefixes.enumerated() {
            best = max(best, one.time * (one.bytes > 0 ? min(count, budget / one.bytes) : count))
            for other in prefixes[(i + 1)...] where other.bytes != one.bytes {
                // Both constraints tight: x₁ + x₂ = m, x₁·B₁ + x₂·B₂ = bytes.
                let first = (budget - count * other.bytes) / (one.bytes - other.bytes), second = count - first
                if first >= 0 && second >= 0 { best = max(best, first * one.time + second * other.time) }
            }
        }
        return Int64(best.rounded(.up))
    }
}
