import Schedule
import Simulator
import Testing
@testable import Tune

/// `Synthesizer`: valid, runnable schedules within the budget, at the lower bound where it is
/// reachable, never worse than the handcrafted families, and a clear error for an impossible budget.
struct SynthesisTests {
    /// Simulations the local search may spend in these (debug-build) tests.
    private let evaluations = 150

    /// F = I = W = 1000 ns; 1 MB of activations and 10 MB of weights per stage.
    private func uniform(devices p: Int) -> CostModel {
        CostModel(forward: .uniform(1000), backward: .uniform(2000), inputGrad: .uniform(1000), weightGrad: .uniform(1000),
                  activationBytes: .uniform(1_000_000), weightBytes: .uniform(10_000_000))
    }

    /// Checks what every result must be: valid, runnable on the executors (F, I, W, B only, one replica),
    /// priced by its own cost model, within the budget and not below the lower bound.
    private func checkResult(_ result: SynthesisResult, devices p: Int, microbatches m: Int, budget: Int64?) throws {
        let schedule = result.schedule
        try schedule.validate()
        #expect(schedule.name == "synth")
        #expect(schedule.deviceCount == p && schedule.microbatchCount == m && schedule.replicaCount == 1)
        #expect(schedule.actions.allSatisfy { [.forward, .inputGrad, .weightGrad, .backward].contains($0.op) })
        let simulation = try Simulator(costModel: result.costModel).run(schedule)
        #expect(simulation.timeline.makespan == result.simulation.timeline.makespan)
        #expect(simulation.timeline.peakMemory == result.simulation.timeline.peakMemory)
        if let budget { #expect(simulation.timeline.peakMemory.allSatisfy { $0 <= budget }) }
        #expect(simulation.timeline.makespan >= result.lowerBound)
    }

    @Test("valid and within the budget: heterogeneous stages, transfers, dispatch, p = 1 and m = 1")
    func validWithinBudget() throws {
        var generator = SeededGenerator(seed: 7)
        for (p, m) in [(1, 1), (1, 3), (2, 1), (2, 5), (3, 4), (4, 8), (5, 3)] {
            let model = randomSynthesisModel(stages: p, using: &generator)
            let unbounded = try Synthesizer.synthesize(devices: p, microbatches: m, baseCosts: model, memoryBudget: nil,
                                                       evaluationLimit: evaluations)
            try checkResult(unbounded, devices: p, microbatches: m, budget: nil)
            // Halfway between the least memory and the unbounded result's peak.
            let least = try #require(leastMemory(devices: p, microbatches: m, model: model))
            let budget = (least + (unbounded.simulation.timeline.peakMemory.max() ?? 0)) / 2
            let bounded = try Synthesizer.synthesize(devices: p, microbatches: m, baseCosts: model, memoryBudget: budget,
                                                     evaluationLimit: evaluations)
            try checkResult(bounded, devices: p, microbatches: m, budget: budget)
            #expect(bounded.simulation.timeline.makespan >= unbounded.lowerBound)
        }
    }

    @Test("uniform F = I = W with p micro-batches of memory: the lower bound exactly", arguments: [2, 4])
    func reachesBound(devices p: Int) throws {
        for m in [p, 2 * p] {
            let budget = Int64(10_000_000 + p * 1_000_000)
            let result = try Synthesizer.synthesize(devices: p, microbatches: m, baseCosts: uniform(devices: p), memoryBudget: budget,
                                                    evaluationLimit: evaluations)
            try checkResult(result, devices: p, microbatches: m, budget: budget)
            #expect(result.simulation.timeline.makespan == result.lowerBound)
            // At most ZB-H1's (3m + p − 1)·F on the looped placement; the V shape halves the fill.
            #expect(result.simulation.timeline.makespan <= Int64(3 * m + p - 1) * 1000)
            #expect(result.lowerBound == Int64(6 * m + p - 1) * 500)
        }
    }

    @Test("never worse than ZB-H1, 1F1B or ZB-V under their own peak memory")
    func neverWorseThanFamilies() throws {
        var generator = SeededGenerator(seed: 11)
        for (p, m) in [(3, 6), (4, 8)] {
            let model = randomSynthesisModel(stages: p, using: &generator)
            for family in [ScheduleFamily.zeroBubbleH1, .oneFOneB, .zeroBubbleV] {
                let chunks = family.fixedChunks ?? 1
                let simulation = try Simulator(costModel: StageSplit.split(model, parts: chunks))
                    .run(try family.make(devices: p, microbatches: m))
                let budget = try #require(simulation.timeline.peakMemory.max())
                let result = try Synthesizer.synthesize(devices: p, microbatches: m, baseCosts: model, memoryBudget: budget,
                                                        evaluationLimit: evaluations)
                try checkResult(result, devices: p, microbatches: m, budget: budget)
                #expect(result.simulation.timeline.makespan <= simulation.timeline.makespan, "\(family.rawValue)")
            }
        }
    }

    @Test("a budget below one micro-batch at a time is refused, naming the memory needed")
    func impossibleBudget() throws {
        let needed = try #require(leastMemory(devices: 3, microbatches: 4, model: uniform(devices: 3)))
        #expect(needed == 11_000_000)
        #expect(throws: SynthesisError.budgetTooSmall(budget: needed - 1, needed: needed)) {
            try Synthesizer.synthesize(devices: 3, microbatches: 4, baseCosts: uniform(devices: 3), memoryBudget: needed - 1)
        }
        #expect(SynthesisError.budgetTooSmall(budget: needed - 1, needed: needed).description.contains("raise the budget to 11000000 bytes"))
        let fits = try Synthesizer.synthesize(devices: 3, microbatches: 4, baseCosts: uniform(devices: 3), memoryBudget: needed,
                                              evaluationLimit: evaluations)
        try checkResult(fits, devices: 3, microbatches: 4, budget: needed)
    }

    @Test("parameters and cost models that cannot be served are refused")
    func badInput() {
        #expect(throws: SynthesisError.invalidParameter("devices", 0, "need at least 1 device")) {
            try Synthesizer.synthesize(devices: 0, microbatches: 4, baseCosts: CostModel(), memoryBudget: nil)
        }
        #expect(throws: SynthesisError.invalidParameter("micro-batches", 0, "need at least 1 micro-batch")) {
            try Synthesizer.synthesize(devices: 2, microbatches: 0, baseCosts: CostModel(), memoryBudget: nil)
        }
        #expect(throws: SynthesisError.invalidCostModel(.wrongLength(.forward, count: 3, stages: 2))) {
            try Synthesizer.synthesize(devices: 2, microbatches: 2, baseCosts: CostModel(forward: .perStage([1, 2, 3])), memoryBudget: nil)
        }
    }

    /// The least peak memory of any schedule the synthesizer builds: what its budget error names.
    private func leastMemory(devices p: Int, microbatches m: Int, model: CostModel) -> Int64? {
        do {
            _ = try Synthesizer.synthesize(devices: p, microbatches: m, baseCosts: model, memoryBudget: 0, evaluationLimit: 0)
            return 0
        } catch let SynthesisError.budgetTooSmall(_, needed) {
            return needed
        } catch {
            return nil
        }
    }
}
