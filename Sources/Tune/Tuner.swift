import Foundation
import Schedule
import Simulator

/// `stagecraft tune`: simulates every candidate of a search space, discards those over the memory
/// budget, ranks the rest by throughput and marks the frontier of throughput against memory.
///
/// Each candidate's schedule is built once and priced by `pricing` (a fixed cost model cut for chunked
/// placements, or a transformer re-derived per micro-batch size and layer split); synthesized ones come
/// from `Synthesizer` under the same budget. Every result carries the lower bound of its micro-batch
/// count and costs (`MakespanLowerBound`), so its distance from the best possible is known.
public struct Tuner: Sendable {
    public let devices: Int
    public let space: TuneSpace
    public let pricing: any CandidatePricing
    /// Peak memory allowed per device (bytes, weights included); nil: no limit.
    public let memoryBudget: Int64?
    /// Schedules of more actions are skipped (see `ScheduleSize`).
    public var actionLimit = ScheduleSize.defaultActionLimit

    public init(devices: Int, space: TuneSpace, pricing: any CandidatePricing, memoryBudget: Int64?) {
        self.devices = devices
        self.space = space
        self.pricing = pricing
        self.memoryBudget = memoryBudget
    }

    /// Evaluates every candidate; `progress(done, total)` is called as they complete.
    public func run(progress: (Int, Int) -> Void = { _, _ in }) throws(TuneError) -> TuneOutcome {
        guard devices >= 1 else { throw .invalidSpace("need at least 1 device") }
        guard !space.microbatchCounts.isEmpty else { throw .invalidSpace("no micro-batch count to try") }
        guard !space.families.isEmpty || space.synthesize else { throw .invalidSpace("no schedule family to try and no synthesis") }
        if let bad = space.microbatchCounts.first(where: { $0 < 1 }) { throw .invalidSpace("micro-batch count \(bad): give counts of at least 1") }
        if let bad = space.chunkCounts.first(where: { $0 < 1 }) { throw .invalidSpace("chunk count \(bad): give counts of at least 1") }
        let candidates = space.candidates(withLayerSplits: pricing.splitsLayers)
        var evaluation = Evaluation(tuner: self)
        let started = DispatchTime.now().uptimeNanoseconds
        var results: [CandidateResult] = []
        var skipped: [(candidate: Candidate, reason: String)] = []
        results.reserveCapacity(candidates.count)
        var synthesized = 0, synthesisNanoseconds: UInt64 = 0
        for (index, candidate) in candidates.enumerated() {
            let before = candidate.family == nil ? DispatchTime.now().uptimeNanoseconds : 0
            do {
                results.append(try evaluation.evaluate(candidate))
                if candidate.family == nil { synthesized += 1 }
            } catch {
                skipped.append((candidate, error.description))
            }
            if candidate.family == nil { synthesisNanoseconds += DispatchTime.now().uptimeNanoseconds - before }
            progress(index + 1, candidates.count)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        guard !results.isEmpty else { throw .nothingEvaluated(skipped.prefix(3).map { "\($0.candidate.label): \($0.reason)" }) }
        var ranked = results.filter(\.withinBudget)
        let over = results.filter { !$0.withinBudget }.sorted { $0.maxPeakMemory < $1.maxPeakMemory }
        if ranked.isEmpty, let budget = memoryBudget, let least = over.first {
            throw .overBudget(budget: budget, smallest: least.maxPeakMemory, candidate: least.candidate.label, evaluated: results.count)
        }
        ranked.sort(by: Self.ranksBefore)
        Self.markFrontier(&ranked)
        return TuneOutcome(ranked: ranked, overBudget: over, skipped: skipped, evaluated: results.count, seconds: seconds,
                           synthesized: synthesized, synthesisSeconds: Double(synthesisNanoseconds) / 1e9)
    }

    /// Higher throughput first; then less memory.
    static func ranksBefore(_ a: CandidateResult, _ b: CandidateResult) -> Bool {
        if a.throughput != b.throughput { return a.throughput > b.throughput }
        return a.maxPeakMemory < b.maxPeakMemory
    }

    /// Marks the candidates no other beats in both throughput and memory, and says why each ranks.
    static func markFrontier(_ ranked: inout [CandidateResult]) {
        let byMemory = ranked.indices.sorted {
            ranked[$0].maxPeakMemory != ranked[$1].maxPeakMemory ? ranked[$0].maxPeakMemory < ranked[$1].maxPeakMemory
                : ranked[$0].throughput > ranked[$1].throughput
        }
        var best = -Double.infinity
        var previous: Int?
        for index in byMemory where ranked[index].throughput > best {
            best = ranked[index].throughput
            ranked[index].onFrontier = true
            if let previous {
                let gain = ranked[index].throughput / ranked[previous].throughput - 1
                ranked[index].reason = "frontier: \(percent(gain)) throughput for \(TuneText.bytes(ranked[index].maxPeakMemory - ranked[previous].maxPeakMemory)) more memory than \(ranked[previous].candidate.label)"
            } else {
                ranked[index].reason = "frontier: least memory of all candidates within the budget"
            }
            previous = index
        }
        if ranked.count > 1 {
            let gain = ranked[0].throughput / ranked[1].throughput - 1
            let memory = ranked[0].maxPeakMemory < ranked[1].maxPeakMemory ? "less memory than" : "listed before"
            ranked[0].reason = gain > 0
                ? "fastest within the budget: \(percent(gain)) throughput over \(ranked[1].candidate.label)"
                : "fastest within the budget, tied with \(ranked[1].candidate.label) and \(memory) it"
        } else if !ranked.isEmpty {
            ranked[0].reason = "the only candidate within the budget"
        }
    }

    static func percent(_ fraction: Double) -> String {
        (fraction >= 0 ? "+" : "") + String(format: "%.2f", fraction * 100) + "%"
    }
}

/// One run's caches: schedules by knobs, cost models by stage count and micro-batches (and resolved
/// for each placement), lower bounds.
private struct Evaluation {
    let tuner: Tuner
    var costs: [CostKey: CostModel] = [:]
    var placed: [PlacedKey: PlacedCosts] = [:]
    var bounds: [BoundKey: Int64] = [:]
    /// The last schedule built, without and with recompute: candidates come in the order family,
    /// micro-batches, chunks, recompute, split, so neighbours share it.
    var lastBuilt: (key: ScheduleKey, plain: Schedule, recomputed: Schedule?)?

    struct ScheduleKey: Equatable { let family: ScheduleFamily; let microbatches, chunks: Int }

    /// What a candidate's cost model depends on; `microbatches` is 0 when the pricing ignores it.
    struct CostKey: Hashable { let stages, microbatches: Int; let recompute: Bool; let split: LayerSplit? }
    struct PlacedKey: Hashable { let costs: CostKey; let placement: Placement }
    struct BoundKey: Hashable { let microbatches: Int; let split: LayerSplit?; let memoryBudget: Int64? }

    init(tuner: Tuner) { self.tuner = tuner }

    /// `model` (the candidate's, from `costModel`) resolved for `placement`, once per model and placement.
    mutating func placedCosts(_ model: CostModel, _ candidate: Candidate, _ placement: Placement) throws(SimulationError) -> PlacedCosts {
        let key = PlacedKey(costs: costKey(stages: placement.stageCount, candidate), placement: placement)
        if let cached = placed[key] { return cached }
        let resolved = try Simulator(costModel: model).placed(on: placement)
        placed[key] = resolved
        return resolved
    }

    /// What the candidate's cost model depends on.
    func costKey(stages: Int, _ candidate: Candidate) -> CostKey {
        CostKey(stages: stages, microbatches: tuner.pricing.dependsOnMicrobatchCount ? candidate.microbatches : 0,
                recompute: candidate.recompute, split: candidate.layerSplit)
    }

    mutating func costModel(stages: Int, _ candidate: Candidate) throws(TuneError) -> CostModel {
        let key = costKey(stages: stages, candidate)
        if let cached = costs[key] { return cached }
        let model = try tuner.pricing.costModel(devices: tuner.devices, stages: stages, microbatches: candidate.microbatches,
                                                recompute: candidate.recompute, layerSplit: candidate.layerSplit)
        costs[key] = model
        return model
    }

    /// The lower bound for the candidate's micro-batch count and layer split: the least over the
    /// placements tune tries (looped with each chunk count, and the V shape), each priced as its
    /// candidates are; for a candidate without recompute within the budget, the bound under the budget
    /// (which a recomputing or over-budget one may beat).
    mutating func lowerBound(_ candidate: Candidate, withinBudget: Bool) throws(TuneError) -> Int64 {
        let budget = !candidate.recompute && withinBudget ? tuner.memoryBudget : nil
        let key = BoundKey(microbatches: candidate.microbatches, split: candidate.layerSplit, memoryBudget: budget)
        if let cached = bounds[key] { return cached }
        var plain = candidate
        plain.recompute = false
        let p = tuner.devices
        let shapes = Set(SynthesisPlacement.synthesized + tuner.space.chunkCounts.map { SynthesisPlacement.looped(chunks: $0) })
            .sorted { $0.description < $1.description }
        var bound = Int64.max
        for shape in shapes {
            do {
                let placement = try shape.placement(devices: p)
                let costs = try costModel(stages: placement.stageCount, plain)
                bound = min(bound, try MakespanLowerBound.makespan(placement: placement, microbatches: candidate.microbatches, costModel: costs,
                                                                   memoryBudget: budget))
            } catch {
                continue  // a placement these costs cannot price bounds nothing
            }
        }
        guard bound < .max else { throw .invalidCosts("no lower bound: the costs price none of the placements") }
        bounds[key] = bound
        return bound
    }

    /// The family's schedule for the candidate, built once for its neighbours.
    mutating func schedule(_ family: ScheduleFamily, _ candidate: Candidate) throws(ScheduleError) -> Schedule {
        let key = ScheduleKey(family: family, microbatches: candidate.microbatches, chunks: candidate.chunks)
        if lastBuilt?.key != key {
            lastBuilt = (key, try family.make(devices: tuner.devices, microbatches: candidate.microbatches, chunks: candidate.chunks,
                                              actionLimit: tuner.actionLimit), nil)
        }
        guard var built = lastBuilt else { throw .invalidParameter("micro-batches", candidate.microbatches, "no schedule was built") }
        guard candidate.recompute else { return built.plain }
        if built.recomputed == nil {
            built.recomputed = built.plain.recomputingActivations()
            lastBuilt = built
        }
        return built.recomputed ?? built.plain
    }

    mutating func evaluate(_ candidate: Candidate) throws(TuneError) -> CandidateResult {
        let p = tuner.devices, m = candidate.microbatches
        let schedule: Schedule, model: CostModel, simulation: Simulation
        if let family = candidate.family {
            do {
                schedule = try self.schedule(family, candidate)
            } catch {
                throw .candidate(error.description)
            }
            model = try costModel(stages: schedule.stageCount, candidate)
            do {
                simulation = try Simulator.run(Dependencies(schedule: schedule), costs: try placedCosts(model, candidate, schedule.placement))
            } catch {
                throw .candidate(error.description)
            }
        } else {
            // Every placement the synthesizer tries is priced as tune prices its candidates.
            var models: [SynthesisPlacement: CostModel] = [:]
            for shape in SynthesisPlacement.synthesized {
                guard let placement = try? shape.placement(devices: p) else { continue }
                models[shape] = try? costModel(stages: placement.stageCount, candidate)
            }
            do {
                let result = try Synthesizer.synthesize(devices: p, microbatches: m, memoryBudget: tuner.memoryBudget) { models[$0] }
                (schedule, model, simulation) = (result.schedule, result.costModel, result.simulation)
            } catch {
                throw .candidate("synthesis: \(error.description)")
            }
        }
        let timeline = simulation.timeline
        let peak = timeline.peakMemory, makespan = simulation.makespan, busy = simulation.busy.reduce(0, +)
        let bubble = makespan > 0 ? 1 - Double(busy) / (Double(p) * Double(makespan)) : 0
        let iteration = max(simulation.iterationTime, 1)
        let perSecond = Double(m) * 1e9 / Double(iteration)
        let samples = tuner.pricing.samplesPerMicrobatch(microbatches: m)
        let layers = tuner.pricing.layersPerStage(devices: p, stages: schedule.stageCount, microbatches: m, recompute: candidate.recompute,
                                                  layerSplit: candidate.layerSplit)
        let withinBudget = tuner.memoryBudget.map { (peak.max() ?? 0) <= $0 } ?? true
        return CandidateResult(
            candidate: candidate, stages: schedule.stageCount, chunks: schedule.chunkCount, layersPerStage: layers,
            makespan: makespan, iterationTime: simulation.iterationTime, bubbleRatio: bubble,
            peakMemory: peak, microbatchesPerSecond: perSecond, samplesPerSecond: samples.map { Double($0) * perSecond },
            withinBudget: withinBudget, lowerBound: try lowerBound(candidate, withinBudget: withinBudget),
            synthesized: candidate.family == nil ? schedule : nil)
    }
}
