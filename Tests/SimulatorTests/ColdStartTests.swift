import Schedule
import Testing
@testable import Simulator

/// `coldStart`: an action after another stage's action, or first on its device, takes longer.
struct ColdStartTests {
    @Test("interleaved: every switch between the device's chunks, and its first action, pay the stage's cold start")
    func interleavedSwitches() throws {
        // One device, two chunks (stages 0 and 1), two micro-batches, F = 10, B = 20, cold start 3 / 5.
        let placement = try Placement.looped(devices: 1, chunks: 2)
        let list: [Action] = [.init(.forward, stage: 0, microbatch: 0), .init(.forward, stage: 0, microbatch: 1),
                              .init(.forward, stage: 1, microbatch: 0), .init(.forward, stage: 1, microbatch: 1),
                              .init(.backward, stage: 1, microbatch: 0), .init(.backward, stage: 1, microbatch: 1),
                              .init(.backward, stage: 0, microbatch: 0), .init(.backward, stage: 0, microbatch: 1)]
        let schedule = Schedule(name: "two chunks", placement: placement, microbatchCount: 2, actionsByDevice: [list])
        var model = uniform(forward: 10, backward: 20)
        model.coldStart = .perStage([3, 5])
        let timeline = try Simulator(costModel: model).run(schedule).timeline
        // Cold: 0F0 (first), 1F0 (after stage 0), 0B0 (after stage 1).
        #expect(timeline.end.enumerated().map { $1 - timeline.start[$0] } == [13, 10, 15, 10, 20, 20, 23, 20])
        #expect(timeline.makespan == 2 * 10 + 2 * 10 + 4 * 20 + 3 + 5 + 3)
    }

    @Test("1F1B on its own stage: only the first action is cold; round trip through JSON")
    func onlyFirst() throws {
        var model = uniform(forward: 10, backward: 20)
        model.coldStart = .uniform(7)
        let simulation = try simulate(.oneFOneB, devices: 1, microbatches: 3, model)
        #expect(simulation.timeline.makespan == 3 * 30 + 7)
        #expect(try CostModel.decode(json: try model.encodedJSON()) == model)
    }
}
