import Schedule
import Simulator
import Testing
@testable import Tune

@Suite("StageSplit")
struct StageSplitTests {
    @Test("each stage's work and bytes are shared by its parts; boundary tensors are the stage's own")
    func splitsPerStageValues() {
        var model = CostModel(forward: .perStage([100, 300]), backward: .perStage([200, 600]))
        model.activationBytes = .perStage([40, 80])
        model.weightBytes = .perStage([1000, 3000])
        model.transferBytes = .perStage([64, 128])
        model.checkpointBytes = .uniform(16)
        model.latency = 7
        let fine = StageSplit.split(model, parts: 2)
        #expect(fine.forward == .perStage([50, 50, 150, 150]))
        #expect(fine.backward == .perStage([100, 100, 300, 300]))
        #expect(fine.activationBytes == .perStage([20, 20, 40, 40]))
        #expect(fine.weightBytes == .perStage([500, 500, 1500, 1500]))
        #expect(fine.transferBytes == .perStage([64, 64, 128, 128]))
        #expect(fine.checkpointBytes == .uniform(16))
        #expect(fine.latency == 7)
        #expect(StageSplit.split(model, parts: 1) == model)
    }

    @Test("a uniform model's split prices the interleaved schedule at half a stage's work per action")
    func uniformSplitSimulates() throws {
        let model = CostModel(forward: .uniform(1000), backward: .uniform(2000))
        let fine = StageSplit.split(model, parts: 2)
        #expect(fine.forward == .uniform(500))
        let schedule = try ScheduleFamily.interleaved.make(devices: 2, microbatches: 4, chunks: 2)
        let simulation = try Simulator(costModel: fine).run(schedule)
        // Every device does the work of one full stage per micro-batch: 4 × (1000 + 2000).
        #expect(simulation.timeline.busy(device: 0) == 12_000)
    }
}
