import Schedule
import Testing
@testable import Simulator

/// Durations of I, W, gradient sync and optimizer step.
struct CostTests {
    private func oneDevice(_ ops: [Op]) throws -> Schedule {
        Schedule(name: "one", placement: try .looped(devices: 1, chunks: 1), microbatchCount: 1,
                 actionsByDevice: [ops.map { Action($0, stage: 0, microbatch: 0) }])
    }

    @Test("I and W take their own durations; absent, I = ⌊B/2⌋ and W = B − I")
    func splitBackward() throws {
        let schedule = try oneDevice([.forward, .inputGrad, .weightGrad])
        let explicit = CostModel(forward: .uniform(1), backward: .uniform(100), inputGrad: .uniform(3), weightGrad: .uniform(4))
        let timeline = try Simulator(costModel: explicit).run(schedule).timeline
        #expect(timeline.start == [0, 1, 4] && timeline.end == [1, 4, 8])
        let derived = try Simulator(costModel: CostModel(forward: .uniform(1), backward: .uniform(5))).run(schedule).timeline
        #expect(derived.end == [1, 3, 6])
    }

    @Test("Chimera: every gradSync lasts gradSync; the optimizer step follows each device's last action")
    func gradSyncAndOptimizer() throws {
        let model = CostModel(forward: .uniform(1), backward: .uniform(1), gradSync: .uniform(5), optimizerStep: .uniform(2))
        let simulation = try simulate(.chimera, devices: 4, microbatches: 4, model)
        let timeline = simulation.timeline
        let syncs = timeline.schedule.actions.indices.filter { timeline.schedule.actions[$0].op == .gradSync }
        #expect(syncs.count == 8)
        for id in syncs { #expect(timeline.end[id] - timeline.start[id] == 5) }
        // Each device holds two stages, so its optimizer step is 2 × 2 ns after its last action.
        for d in 0..<4 {
            let last = timeline.schedule.actionRange(of: d).map { timeline.end[$0] }.max() ?? 0
            #expect(simulation.optimizerEnd[d] == last + 4)
        }
        #expect(simulation.iterationTime == timeline.makespan + 4)
    }

    @Test("Per-stage durations: GPipe with the slowest stage dominating")
    func perStageDurations() throws {
        // GPipe, 3 devices: forward chain of micro-batch 0 (1 + 5), then device 1's m forwards and m backwards
        // (it is the bottleneck), then the backward of the last micro-batch on device 0.
        let model = CostModel(forward: .perStage([1, 5, 1]), backward: .perStage([1, 5, 1]))
        for m in [1, 3, 6] {
            let makespan = try simulate(.gpipe, devices: 3, microbatches: m, model).timeline.makespan
            // F0(0) = 1, then device 1 runs m forwards (5m), device 2 needs F1(m−1) then F2 + B2 of it (2),
            // device 1 then runs m backwards (5m) and device 0 one backward (1).
            #expect(makespan == Int64(1 + 5 * m + 2 + 5 * m + 1))
        }
    }
}
