import Schedule
import Testing
@testable import Simulator

/// Peak memory: activations held from forward to the backward that frees them, plus weights.
struct MemoryTests {
    static let grid: [(p: Int, m: Int)] = [(1, 1), (2, 5), (4, 2), (4, 4), (4, 9), (8, 3), (8, 32)]

    @Test("1F1B holds min(p − d, m) micro-batches on device d — min(p, m) on device 0")
    func oneFOneB() throws {
        for (p, m) in Self.grid {
            let model = CostModel(forward: .uniform(1), backward: .uniform(2), activationBytes: .uniform(10))
            let simulation = try simulate(.oneFOneB, devices: p, microbatches: m, model)
            #expect(simulation.timeline.peakMemory[0] == Int64(10 * min(p, m)), "p=\(p) m=\(m)")
            for d in 0..<p {
                #expect(simulation.peakActivationBytes[d] == Int64(10 * min(p - d, m)), "p=\(p) m=\(m) d=\(d)")
            }
        }
    }

    @Test("GPipe holds all m micro-batches on every device")
    func gpipe() throws {
        for (p, m) in Self.grid {
            let model = CostModel(activationBytes: .uniform(3))
            let simulation = try simulate(.gpipe, devices: p, microbatches: m, model)
            #expect(simulation.timeline.peakMemory == [Int64](repeating: Int64(3 * m), count: p), "p=\(p) m=\(m)")
        }
    }

    @Test("Weights count once per stage held; Chimera holds two replicas per device")
    func weights() throws {
        let weights = StageValues.perStage([100, 200, 300, 400])
        let plain = try simulate(.oneFOneB, devices: 4, microbatches: 4, CostModel(weightBytes: weights))
        #expect(plain.weightBytes == [100, 200, 300, 400])
        #expect(plain.timeline.peakMemory == [100, 200, 300, 400])
        let chimera = try simulate(.chimera, devices: 4, microbatches: 4, CostModel(weightBytes: weights))
        // Device d holds stage d (down pipeline) and stage 3 − d (up pipeline).
        #expect(chimera.weightBytes == [500, 500, 500, 500])
    }

    @Test("Per-stage activation sizes: each device counts its own stage's size")
    func perStageActivations() throws {
        let model = CostModel(activationBytes: .perStage([1, 10, 100]))
        let simulation = try simulate(.gpipe, devices: 3, microbatches: 4, model)
        #expect(simulation.timeline.peakMemory == [4, 40, 400])
    }

    @Test("Split backward: I frees nothing, W frees the micro-batch's activations")
    func splitBackward() throws {
        // One device, one stage: F0 F1 I0 W0 I1 W1. Peak is two micro-batches, reached before I0.
        // Order F0 I0 F1 W0 …: still two (I0 frees nothing); order F0 I0 W0 F1 I1 W1: one.
        let placement = try Placement.looped(devices: 1, chunks: 1)
        func peak(_ list: [Action]) throws -> Int64 {
            let schedule = Schedule(name: "split", placement: placement, microbatchCount: 2, actionsByDevice: [list])
            return try Simulator(costModel: CostModel(activationBytes: .uniform(5))).run(schedule).timeline.peakMemory[0]
        }
        #expect(try peak([.init(.forward, stage: 0, microbatch: 0), .init(.inputGrad, stage: 0, microbatch: 0),
                          .init(.forward, stage: 0, microbatch: 1), .init(.weightGrad, stage: 0, microbatch: 0),
                          .init(.inputGrad, stage: 0, microbatch: 1), .init(.weightGrad, stage: 0, microbatch: 1)]) == 10)
        #expect(try peak([.init(.forward, stage: 0, microbatch: 0), .init(.inputGrad, stage: 0, microbatch: 0),
                          .init(.weightGrad, stage: 0, microbatch: 0), .init(.forward, stage: 0, microbatch: 1),
                          .init(.inputGrad, stage: 0, microbatch: 1), .init(.weightGrad, stage: 0, microbatch: 1)]) == 5)
    }
}
