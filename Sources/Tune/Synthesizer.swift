import Schedule
import Simulator

/// A schedule built for given costs and a memory budget, with its simulation and a lower bound.
public struct SynthesisResult: Sendable {
    /// The schedule, named `synth`: F, I, W and B actions only, one replica, every micro-batch complete.
    public let schedule: Schedule
    /// The cost model of the schedule's stages: the base model, or it cut by `StageSplit` into the
    /// schedule's 2p stages (V shape, two chunks per device).
    public let costModel: CostModel
    /// The schedule simulated under `costModel`.
    public let simulation: Simulation
    /// A makespan no schedule on the placements the synthesizer considers can beat within the budget
    /// (`MakespanLowerBound.best` over `SynthesisPlacement.synthesized`, with the budget).
    public let lowerBound: Int64
    /// Where the order started from before the local search: `list` (the list scheduler),
    /// `sequential`, or a handcrafted family's name.
    public let origin: String
}

/// Builds a new pipeline schedule for given stage costs and a memory budget, after the zero-bubble
/// paper's automatic scheduling (Qi et al., "Zero Bubble Pipeline Parallelism", ICLR 2024, §3):
/// backwards split into input (`I`) and weight (`W`) gradients, as many warm-up forwards as memory
/// allows, weight gradients placed into the bubbles — here a list scheduler with the simulator's cost
/// semantics (`SynthesisListScheduler`) over a few policies and activation limits, on the looped
/// placement, the V shape and the looped placement with two chunks, then a local search on the
/// per-device orders re-simulated with `Simulator` (`SynthesisSearch`). The search also starts from
/// every handcrafted family that fits the budget (all but Chimera, renamed `synth`), so the result is
/// never worse than any of them.
public enum Synthesizer {
    /// Simulations the local search may spend (p = 8, m = 32: about 0.4 s in release on one core).
    public static let defaultEvaluationLimit = 6000

    /// The best schedule found for `devices` devices and `microbatches` micro-batches.
    ///
    /// - Parameters:
    ///   - baseCosts: costs of p stages, one per device (per-stage lists of p values, or uniform); the
    ///     2p stages of the V shape and of two chunks per device are priced with
    ///     `StageSplit.split(baseCosts, parts: 2)`.
    ///   - memoryBudget: bytes per device, compared with `timeline.peakMemory` (weights included);
    ///     nil for no limit.
    ///   - evaluationLimit: simulations the local search may spend.
    /// - Throws: `SynthesisError.budgetTooSmall` naming the least memory needed when no schedule fits.
    public static func synthesize(devices: Int, microbatches: Int, baseCosts: CostModel, memoryBudget: Int64?,
                                  evaluationLimit: Int = defaultEvaluationLimit) throws(SynthesisError) -> SynthesisResult {
        try synthesize(devices: devices, microbatches: microbatches, memoryBudget: memoryBudget, evaluationLimit: evaluationLimit) {
            $0.costModel(base: baseCosts)
        }
    }

    /// The same with each placement priced by `costs` (e.g. a transformer's layers split over its stages
    /// rather than p stages cut in parts); a placement it returns nil for is not tried.
    public static func synthesize(devices: Int, microbatches: Int, memoryBudget: Int64?, evaluationLimit: Int = defaultEvaluationLimit,
                                  costs pricing: (SynthesisPlacement) -> CostModel?) throws(SynthesisError) -> SynthesisResult {
        guard devices >= 1 else { throw .invalidParameter("devices", devices, "need at least 1 device") }
        guard microbatches >= 1 else { throw .invalidParameter("micro-batches", microbatches, "need at least 1 micro-batch") }
        if let memoryBudget, memoryBudget < 0 { throw .invalidParameter("memory budget", Int(memoryBudget), "must not be negative") }
        var searches: [SynthesisPlacement: SynthesisSearch] = [:]
        var lowerBound = Int64.max
        for shape in SynthesisPlacement.synthesized {
            let placement: Placement
            do { placement = try shape.placement(devices: devices) } catch { throw .invalidParameter("devices", devices, error.description) }
            guard let model = pricing(shape) else { continue }
            let costs = try SynthesisCosts(model: model, placement: placement)
            lowerBound = min(lowerBound, MakespanLowerBound.makespan(costs: costs, microbatches: microbatches, memoryBudget: memoryBudget))
            // A model SynthesisCosts accepts places on its placement; one that did not would price nothing.
            guard let placed = try? Simulator(costModel: model).placed(on: placement) else { continue }
            searches[shape] = SynthesisSearch(placedCosts: placed, costs: costs, microbatches: microbatches,
                                              memoryBudget: memoryBudget, evaluationsLeft: 0)
        }

        guard !searches.isEmpty else { throw .invalidParameter("placements", 0, "the costs price none of the placements") }

        var evaluated: [(shape: SynthesisPlacement, origin: String, result: SynthesisSearch.Evaluated)] = []
        for candidate in candidates(devices: devices, microbatches: microbatches, searches: searches, memoryBudget: memoryBudget) {
            guard let search = searches[candidate.shape], let result = search.evaluate(candidate.lists) else { continue }
            evaluated.append((candidate.shape, candidate.origin, result))
        }
        let fitting = evaluated.filter { searches[$0.shape]?.fits($0.result) ?? false }
            .sorted { $0.result.beats($1.result) || (!$1.result.beats($0.result) && $0.result.peak < $1.result.peak) }
        guard !fitting.isEmpty else {
            throw .budgetTooSmall(budget: memoryBudget ?? 0, needed: evaluated.map(\.result.peak).min() ?? 0)
        }

        // Local search from the best start of each placement, best first, sharing the evaluations.
        var starts: [(shape: SynthesisPlacement, origin: String, result: SynthesisSearch.Evaluated)] = []
        for entry in fitting where !starts.contains(where: { $0.shape == entry.shape }) { starts.append(entry) }
        var best = fitting[0]
        var left = evaluationLimit
        let searched = starts.prefix(3)
        for (index, start) in searched.enumerated() where best.result.makespan > lowerBound {
            guard var search = searches[start.shape] else { continue }
            let share = left / (searched.count - index)
            search.evaluationsLeft = share
            let improved = search.improve(start.result, lowerBound: lowerBound)
            left -= share - search.evaluationsLeft
            if improved.beats(best.result) { best = (start.shape, start.origin, improved) }
        }

        guard let model = searches[best.shape]?.placedCosts.costModel else {
            throw .invalidParameter("placements", 0, "the chosen placement \(best.shape) has no cost model")
        }
        let schedule = Schedule(name: "synth", placement: best.result.simulation.timeline.schedule.placement,
                                microbatchCount: microbatches, actionsByDevice: best.result.lists)
        // Validated like any schedule a user gives: complete, one backward form, no deadlock.
        do { try schedule.validate() } catch { throw .invalidSchedule(error.description) }
        return SynthesisResult(schedule: schedule, costModel: model,
                               simulation: best.result.simulation, lowerBound: lowerBound, origin: best.origin)
    }

    /// The orders to start from: the handcrafted families, and on every placement one micro-batch at a
    /// time and the list scheduler under every policy and activation limit.
    private static func candidates(devices p: Int, microbatches m: Int, searches: [SynthesisPlacement: SynthesisSearch],
                                   memoryBudget: Int64?) -> [SynthesisCandidate] {
        var result = SynthesisSeeds.families(devices: p, microbatches: m)
        for shape in SynthesisPlacement.synthesized {
            guard let costs = searches[shape]?.costs else { continue }
            result.append(SynthesisSeeds.sequential(shape: shape, placement: costs.placement, microbatches: m))
            for limits in activationLimits(costs: costs, memoryBudget: memoryBudget) {
                let scheduler = SynthesisListScheduler(costs: costs, microbatches: m, activationLimit: limits)
                for policy in policies(shape: shape, devices: p, stages: costs.stageCount, microbatches: m) {
                    guard let lists = scheduler.run(policy) else { continue }
                    result.append(SynthesisCandidate(shape: shape, lists: lists, origin: "list"))
                }
            }
        }
        return result
    }

    /// Per device, the activation bytes a list-scheduling pass may hold: the budget's, and p
    /// micro-batches' (1F1B's memory) where that is tighter — a pass under less memory warms up less
    /// and is sometimes the faster one.
    private static func activationLimits(costs: SynthesisCosts, memoryBudget: Int64?) -> [[Int64]] {
        let devices = costs.deviceCount
        let budget = costs.weights.map { weights in memoryBudget.map { $0 - weights } ?? .max }
        let perMicrobatch = (0..<devices).map { device in
            (0..<costs.stageCount).filter { costs.placement.device(stage: $0) == device }.reduce(Int64(0)) { $0 + costs.activation[$1] }
        }
        let tighter = (0..<devices).map { min(budget[$0], Int64(devices) * perMicrobatch[$0]) }
        return tighter == budget ? [budget] : [budget, tighter]
    }

    /// The list scheduler's policies: warm-up depths (stage forwards ahead of their input gradients:
    /// 1F1B's and ZB-H2's with one stage per device, ZB-V's and interleaved 1F1B's with two, and the
    /// memory's alone) times the order choices.
    private static func policies(shape: SynthesisPlacement, devices p: Int, stages: Int, microbatches m: Int) -> [SynthesisPolicy] {
        let unlimited = [Int](repeating: stages * m, count: p)
        let leads: [[Int]] = shape.chunks == 1
            ? [(0..<p).map { p - $0 }, (0..<p).map { 2 * (p - $0) - 1 }, unlimited]
            : [(0..<p).map { 2 * (p - $0) }, (0..<p).map { 2 * (p - $0) + 1 }, (0..<p).map { 2 * (p - $0 - 1) + p + 1 },
               Array(repeating: 2 * p, count: p), unlimited]
        var result: [SynthesisPolicy] = []
        for lead in leads {
            for inputFirst in [true, false] {
                for laterStageFirst in shape.chunks > 1 ? [true, false] : [true] {
                    for fillOnlyFitting in [false, true] {
                        result.append(SynthesisPolicy(forwardLead: lead, inputFirst: inputFirst,
                                                      laterStageFirst: laterStageFirst, fillOnlyFitting: fillOnlyFitting))
                    }
                }
            }
        }
        return result
    }
}
