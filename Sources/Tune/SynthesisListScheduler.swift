import Schedule

/// The choices of one list-scheduling pass (`SynthesisListScheduler`).
struct SynthesisPolicy: Hashable, Sendable {
    /// Per device, the most micro-batch-stages whose forward has run but whose input gradient has
    /// not: the warm-up depth (the memory budget caps it too).
    var forwardLead: [Int]
    /// Whether a ready input gradient goes before a ready forward (else the forward goes first).
    var inputFirst: Bool
    /// Whether, among ready actions of one kind, the device's later stage goes first (V shape: the
    /// way back up before the way down).
    var laterStageFirst: Bool
    /// Whether a weight gradient fills a gap only when it ends before the next known arrival of a
    /// forward or input gradient (else any gap is filled, possibly delaying that arrival's action).
    var fillOnlyFitting: Bool
}

/// A list scheduler with the simulator's cost semantics in the loop: devices take decisions in time
/// order; each runs, when free, the best ready action — input gradient (`I`) and forward (`F`) first,
/// weight gradients (`W`) into the gaps or when memory runs out — with forwards admitted only while
/// the device's activations stay within its budget, leaving room for the micro-batch to come back.
/// The zero-bubble paper's automatic scheduling heuristic (Qi et al., "Zero Bubble Pipeline
/// Parallelism", ICLR 2024, §3) in this form: warm-up forwards as memory allows, then I, F, W
/// with weight gradients placed into bubbles. Backwards are always split into `I` and `W`; forwards and
/// input gradients of a stage run in micro-batch order.
struct SynthesisListScheduler {
    let costs: SynthesisCosts
    let microbatches: Int
    /// Per device: the activation bytes it may hold (budget minus weights; `Int64.max` without budget).
    let activationLimit: [Int64]

    /// Each device's order, or nil when the pass gets stuck (memory too tight for its choices).
    func run(_ policy: SynthesisPolicy) -> [[Action]]? {
        let devices = costs.deviceCount, stages = costs.stageCount, m = microbatches
        let placement = costs.placement
        let held = (0..<devices).map { device in
            let list = (0..<stages).filter { placement.device(stage: $0) == device }
            return policy.laterStageFirst ? list.reversed() : list
        }
        // Room a forward of stage s must leave on its device: the same micro-batch's forwards on the
        // device's later stages and one input gradient's bytes, so it can always come back.
        let reserve = (0..<stages).map { s in
            let device = placement.device(stage: s)
            let later = held[device].filter { $0 > s }
            return later.reduce(0) { $0 + costs.activation[$1] } + (held[device].map { costs.gradient[$0] + costs.transient[$0] }.max() ?? 0)
        }
        var forwardEnd = [Int64](repeating: -1, count: stages * m), inputEnd = forwardEnd
        var nextForward = [Int](repeating: 0, count: stages), nextInput = nextForward
        var free = [Int64](repeating: 0, count: devices), wake = [Int64](repeating: costs.dispatch, count: devices)
        var live = [Int64](repeating: 0, count: devices), lead = [Int](repeating: 0, count: devices)
        var pendingWeights = [[Action]](repeating: [], count: devices), pendingHead = [Int](repeating: 0, count: devices)
        var remaining = held.map { 3 * m * $0.count }
        var lists = [[Action]](repeating: [], count: devices)
        for device in 0..<devices { lists[device].reserveCapacity(remaining[device]) }

        /// When forward j of stage s could start its inputs, nil while its producer has not started.
        func forwardArrival(_ s: Int, _ j: Int) -> Int64? {
            guard s > 0 else { return 0 }
            let end = forwardEnd[(s - 1) * m + j]
            return end < 0 ? nil : end + costs.transfer[s - 1]
        }
        func inputArrival(_ s: Int, _ j: Int) -> Int64? {
            let own = forwardEnd[s * m + j]
            guard own >= 0 else { return nil }
            guard s + 1 < stages else { return own }
            let next = inputEnd[(s + 1) * m + j]
            return next < 0 ? nil : max(own, next + costs.transfer[s])
        }

        while true {
            var device = -1
            for d in 0..<devices where remaining[d] > 0 && wake[d] < .max && (device < 0 || wake[d] < wake[device]) { device = d }
            guard device >= 0 else { break }
            let d = device
            let now = max(wake[d], free[d] + costs.dispatch)
            let limit = activationLimit[d]
            var chosen: (action: Action, arrival: Int64)?
            var nextArrival = Int64.max
            var forwardBlockedByMemory = false
            func consider(_ op: Op) {
                for s in held[d] where chosen == nil {
                    let j = op == .forward ? nextForward[s] : nextInput[s]
                    guard j < m else { continue }
                    if op == .forward {
                        guard lead[d] < policy.forwardLead[d] else { continue }
                        guard live[d] + costs.activation[s] + reserve[s] <= limit else { forwardBlockedByMemory = true; continue }
                    } else {
                        guard live[d] + costs.gradient[s] + costs.transient[s] <= limit else { continue }
                    }
                    guard let arrival = op == .forward ? forwardArrival(s, j) : inputArrival(s, j) else { continue }
                    if arrival <= now {
                        chosen = (Action(op, stage: s, microbatch: j), arrival)
                    } else {
                        nextArrival = min(nextArrival, arrival)
                    }
                }
            }
            if policy.inputFirst { consider(.inputGrad); consider(.forward) } else { consider(.forward); consider(.inputGrad) }
            if chosen == nil, pendingHead[d] < pendingWeights[d].count {
                let weight = pendingWeights[d][pendingHead[d]]
                let fits = now + costs.weightGrad[weight.stage] <= nextArrival
                if fits || !policy.fillOnlyFitting || forwardBlockedByMemory {
                    chosen = (weight, 0)
                    pendingHead[d] += 1
                }
            }
            guard let (action, arrival) = chosen else {
                wake[d] = nextArrival  // .max: until another device's action ends
                continue
            }
            let start = max(free[d] + costs.dispatch, arrival)
            let s = action.stage, j = action.microbatch
            let end: Int64
            switch action.op {
            case .forward:
                end = start + costs.forward[s]
                forwardEnd[s * m + j] = end
                nextForward[s] += 1
                live[d] += costs.activation[s]
                lead[d] += 1
            case .inputGrad:
                end = start + costs.inputGrad[s]
                inputEnd[s * m + j] = end
                nextInput[s] += 1
                live[d] += costs.gradient[s]
                lead[d] -= 1
                pendingWeights[d].append(Action(.weightGrad, stage: s, microbatch: j))
            default:
                end = start + costs.weightGrad[s]
                live[d] -= costs.activation[s] + costs.gradient[s]
            }
            lists[d].append(action)
            remaining[d] -= 1
            free[d] = end
            wake[d] = end + costs.dispatch
            // Idle devices look again when this action ends: it may be what they wait for.
            for other in 0..<devices where other != d && free[other] <= end && wake[other] > end { wake[other] = end }
        }
        return remaining.allSatisfy { $0 == 0 } ? lists : nil
    }
}
