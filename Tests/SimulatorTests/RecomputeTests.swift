import Schedule
import Testing
@testable import Simulator

/// Activation recompute in the simulator: its duration and the memory it frees.
struct RecomputeTests {
    /// A recompute waits only for its own forward, so on every device but the last it runs while the
    /// device would wait for the next stage's gradient: the idle time stays 1F1B's (p − 1)(F + B) and
    /// only the busy time grows, by m·R.
    @Test("1F1B with recompute: makespan = m(F + R + B) + (p − 1)(F + B); R defaults to the forward's duration")
    func makespan() throws {
        for (p, m) in [(1, 1), (2, 1), (2, 5), (3, 3), (4, 8), (5, 3), (8, 16)] {
            let schedule = try ScheduleFamily.oneFOneB.make(devices: p, microbatches: m).recomputingActivations()
            let plain = try Simulator(costModel: CostModel(forward: .uniform(3), backward: .uniform(5))).run(schedule)
            #expect(plain.timeline.makespan == Int64(m) * (3 + 3 + 5) + Int64(p - 1) * (3 + 5), "p=\(p) m=\(m)")
            let costed = try Simulator(costModel: CostModel(forward: .uniform(3), backward: .uniform(5), recompute: .uniform(2))).run(schedule)
            #expect(costed.timeline.makespan == Int64(m) * (3 + 2 + 5) + Int64(p - 1) * (3 + 5), "p=\(p) m=\(m)")
            for d in 0..<p { #expect(costed.timeline.idle(device: d) == Int64(p - 1) * (3 + 5)) }
        }
    }

    @Test("1F1B with recompute holds checkpoints, not activations: device d peaks at (min(p − d, m) − 1)·C + A")
    func memory() throws {
        let (a, c): (Int64, Int64) = (100, 7)
        let model = CostModel(activationBytes: .uniform(Double(a)), checkpointBytes: .uniform(Double(c)))
        for (p, m) in [(1, 3), (2, 5), (4, 8), (4, 2), (8, 16)] {
            let schedule = try ScheduleFamily.oneFOneB.make(devices: p, microbatches: m)
            let without = try Simulator(costModel: model).run(schedule)
            let with = try Simulator(costModel: model).run(schedule.recomputingActivations())
            for d in 0..<p {
                let held = Int64(min(p - d, m))
                #expect(without.peakActivationBytes[d] == held * a)
                #expect(with.peakActivationBytes[d] == (held - 1) * c + a, "p=\(p) m=\(m) d=\(d)")
            }
        }
    }

    @Test("GPipe with recompute: m checkpoints at the turn instead of m activations")
    func gpipeMemory() throws {
        let model = CostModel(activationBytes: .uniform(50), checkpointBytes: .uniform(5))
        let schedule = try ScheduleFamily.gpipe.make(devices: 3, microbatches: 6).recomputingActivations()
        // At the first recompute: 6 checkpoints, one of them restored to its activations.
        let peak: Int64 = 5 * 5 + 50
        #expect(try Simulator(costModel: model).run(schedule).peakActivationBytes == [peak, peak, peak])
    }

    @Test("a checkpoint larger than the activations is refused, naming both fields")
    func checkpointAboveActivations() throws {
        let schedule = try ScheduleFamily.oneFOneB.make(devices: 2, microbatches: 2)
        let model = CostModel(activationBytes: .perStage([10, 10]), checkpointBytes: .perStage([5, 11]))
        #expect {
            try Simulator(costModel: model).run(schedule)
        } throws: { error in
            guard case let .invalidCostModel(inner) = error as? SimulationError else { return false }
            return inner == .checkpointLargerThanActivations(stage: 1, checkpoint: 11, activations: 10)
                && "\(inner)".contains("'checkpointBytes' (--checkpoint-bytes) at stage 1")
        }
    }

    @Test("the JSON form keeps the recompute fields")
    func json() throws {
        let model = CostModel(recompute: .perStage([1, 2]), checkpointBytes: .uniform(64))
        let decoded = try CostModel.decode(json: try model.encodedJSON())
        #expect(decoded == model)
        #expect(CostModel.Field.recompute.option == "--recompute-time")
    }
}
