import Schedule
import Simulator
import Testing
@testable import Tune

/// `MakespanLowerBound`: hand-computed values, the uniform formula that ZB-H1 reaches, and never above
/// any family's simulated makespan.
struct LowerBoundTests {
    /// Two stages: F = [100, 200], I = [100, 200], W = [50, 50], B = I + W, 10 ns per transfer.
    private func twoStages(dispatch: Double = 0) -> CostModel {
        CostModel(forward: .perStage([100, 200]), backward: .perStage([150, 250]), inputGrad: .perStage([100, 200]),
                  weightGrad: .perStage([50, 50]), latency: 10, dispatch: dispatch)
    }

    @Test("two stages, three micro-batches: device 1's fill, work and drain")
    func handComputed() throws {
        let placement = try Placement.looped(devices: 2, chunks: 1)
        // Device 1: fill 100 + 10, work 3 · (200 + 250), drain max(0, 10 + 150 − 3 · 50) = 10.
        #expect(try MakespanLowerBound.makespan(placement: placement, microbatches: 3, costModel: twoStages()) == 1470)
        // Dispatch 5: work 3 · (200 + min(250, 200 + 5 + 50)) + 5 · 5 dispatches; the drain is covered by
        // 3 · (50 + 5) of deferrable weight gradients.
        #expect(try MakespanLowerBound.makespan(placement: placement, microbatches: 3, costModel: twoStages(dispatch: 5)) == 110 + 1375)
        // One micro-batch: the critical path 110 + 200 + 200 + 10 + 150 beats device 1's 110 + 450 + 10.
        #expect(try MakespanLowerBound.makespan(placement: placement, microbatches: 1, costModel: twoStages()) == 670)
        for family in [ScheduleFamily.zeroBubbleH1, .oneFOneB, .gpipe] {
            let schedule = try family.make(devices: 2, microbatches: 3)
            #expect(try Simulator(costModel: twoStages()).run(schedule).timeline.makespan >= 1470)
        }
    }

    @Test("uniform F = I = W on the looped placement, m ≥ p: (3m + p − 1)·F, reached by ZB-H1", arguments: [1, 2, 3, 4, 6])
    func uniformZeroBubbleH1(devices p: Int) throws {
        let model = CostModel(forward: .uniform(1000), backward: .uniform(2000), inputGrad: .uniform(1000), weightGrad: .uniform(1000))
        for m in [p, p + 1, 2 * p + 3] {
            let bound = try MakespanLowerBound.makespan(placement: .looped(devices: p, chunks: 1), microbatches: m, costModel: model)
            #expect(bound == Int64(3 * m + p - 1) * 1000)
            let schedule = try ScheduleFamily.zeroBubbleH1.make(devices: p, microbatches: m)
            #expect(try Simulator(costModel: model).run(schedule).timeline.makespan == bound)
        }
    }

    @Test("the bound, without a budget and under each schedule's own peak, never exceeds any family's or a synthesized schedule's makespan on random cost models")
    func neverAboveFamilies() throws {
        var generator = SeededGenerator(seed: 15)
        for _ in 0..<16 {
            let p = Int.random(in: 1...4, using: &generator), m = Int.random(in: 1...9, using: &generator)
            let base = randomSynthesisModel(stages: p, using: &generator)
            for family in ScheduleFamily.allCases where family != .chimera {
                let chunks = family.fixedChunks ?? 2
                // Interleaved needs m to be a multiple of p.
                guard let schedule = try? family.make(devices: p, microbatches: m, chunks: chunks) else { continue }
                let model = StageSplit.split(base, parts: chunks)
                let timeline = try Simulator(costModel: model).run(schedule).timeline
                let makespan = timeline.makespan, peak = try #require(timeline.peakMemory.max())
                let bound = try MakespanLowerBound.makespan(placement: schedule.placement, microbatches: m, costModel: model)
                #expect(bound <= makespan, "\(family.rawValue) p=\(p) m=\(m): bound \(bound) > makespan \(makespan)")
                #expect(try MakespanLowerBound.best(devices: p, microbatches: m, baseCosts: base,
                                                    placements: [.looped(chunks: 1), .vShape, .looped(chunks: 2)]) <= makespan)
                // The tightest budget the schedule fits: its own peak.
                let budgeted = try MakespanLowerBound.makespan(placement: schedule.placement, microbatches: m, costModel: model, memoryBudget: peak)
                #expect(budgeted <= makespan, "\(family.rawValue) p=\(p) m=\(m): bound \(budgeted) > makespan \(makespan) at its peak \(peak)")
            }
            if let free = try? Synthesizer.synthesize(devices: p, microbatches: m, baseCosts: base, memoryBudget: nil, evaluationLimit: 200) {
                let peak = try #require(free.simulation.timeline.peakMemory.max())
                let bound = try MakespanLowerBound.best(devices: p, microbatches: m, baseCosts: base, memoryBudget: peak)
                #expect(bound <= free.simulation.timeline.makespan, "synth p=\(p) m=\(m)")
            }
        }
    }

    @Test("under a budget, a device that must wait for its first input gradient with too few forwards in memory idles")
    func memoryBound() throws {
        // Looped ×2 over 2 devices, 4 stages: F = I = W = 100 on stages 0, 1, 3 and 200 on stage 2 (device 0's
        // second), 1000 bytes of activations a forward, weights 0. Device 0's first input gradient (of stage 2)
        // can start after the forwards 100 + 100 + 200 + 100 and the last stage's I 100: at 600.
        let model = CostModel(forward: .perStage([100, 100, 200, 100]), backward: .perStage([200, 200, 400, 200]),
                              inputGrad: .perStage([100, 100, 200, 100]), weightGrad: .perStage([100, 100, 200, 100]),
                              activationBytes: .uniform(1000))
        let placement = try Placement.looped(devices: 2, chunks: 2)
        // Without a budget device 0 works 4 · ((100 + 200) + (200 + 400)) = 3600 from 0 and bounds the makespan.
        #expect(try MakespanLowerBound.makespan(placement: placement, microbatches: 4, costModel: model) == 3600)
        // 3000 bytes: x micro-batches through stage 0 alone (100 ns, 1000 bytes) and y through stages 0 and 2
        // (300 ns, 2000 bytes) take at most 450 ns (the relaxation's y = 1.5) before 600, so device 0 idles at
        // least 150: 3750.
        #expect(try MakespanLowerBound.makespan(placement: placement, microbatches: 4, costModel: model, memoryBudget: 3000) == 3750)
        // With room for every forward it could run by then (4 · 300 ≥ 600), the budget binds nothing.
        #expect(try MakespanLowerBound.makespan(placement: placement, microbatches: 4, costModel: model, memoryBudget: 8000) == 3600)
    }

    @Test("best is the least bound over the placements; replicas and wrong lists are refused")
    func bestAndErrors() throws {
        let model = CostModel(forward: .uniform(1000), backward: .uniform(2000), inputGrad: .uniform(1000), weightGrad: .uniform(1000))
        // V shape: device 3 waits 3 half-stage forwards, then works 3 · 8 · 1000.
        #expect(try MakespanLowerBound.best(devices: 4, microbatches: 8, baseCosts: model, placements: [.vShape]) == 24_000 + 1500)
        #expect(try MakespanLowerBound.best(devices: 4, microbatches: 8, baseCosts: model) == 24_000 + 1500)
        #expect(try MakespanLowerBound.best(devices: 4, microbatches: 8, baseCosts: model, placements: [.looped(chunks: 1)]) == 27_000)
        #expect(throws: SynthesisError.replicatedPlacement(replicas: 2)) {
            try MakespanLowerBound.makespan(placement: .chimera(devices: 2), microbatches: 2, costModel: model)
        }
        var wrong = model
        wrong.forward = .perStage([1, 2, 3])
        #expect(throws: SynthesisError.invalidCostModel(.wrongLength(.forward, count: 3, stages: 2))) {
            try MakespanLowerBound.makespan(placement: .looped(devices: 2, chunks: 1), microbatches: 2, costModel: wrong)
        }
    }
}

/// A cost model of `stages` stages with random durations, transfers, dispatch and device speeds.
func randomSynthesisModel(stages: Int, using generator: inout SeededGenerator) -> CostModel {
    func list(_ range: ClosedRange<Double>) -> StageValues {
        .perStage((0..<stages).map { _ in Double.random(in: range, using: &generator).rounded() })
    }
    let inputGrad = list(100...900), weightGrad = list(50...900)
    return CostModel(forward: list(100...1000), backward: .perStage(zip(inputGrad.values, weightGrad.values).map { $0 + $1 }),
                     inputGrad: inputGrad, weightGrad: weightGrad,
                     latency: Double.random(in: 0...100, using: &generator).rounded(), bandwidth: 1e9, transferBytes: list(0...100),
                     activationBytes: list(1000...5000), weightBytes: list(10_000...20_000), gradientBytes: list(0...500),
                     transientBytes: list(0...300), dispatch: Double.random(in: 0...20, using: &generator).rounded(),
                     coldStart: list(0...30),
                     deviceSpeed: (0..<stages).map { _ in Double.random(in: 0.8...1.3, using: &generator) })
}
