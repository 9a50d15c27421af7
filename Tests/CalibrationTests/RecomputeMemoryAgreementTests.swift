import Calibration
import Executor
import Schedule
import Simulator
import Testing

/// With activation recompute too, the simulator's predicted peak equals the executor's accounted
/// peak exactly (`ExecutorMemory` sets `checkpointBytes` to the stage input's size).
@Test("recompute: predicted peak = measured peak for the new families and 1F1B")
func recomputeMemoryAgrees() throws {
    let cases: [(ScheduleFamily, Int, Int, Int?, Int)] = [
        (.oneFOneB, 2, 4, nil, 5), (.gpipe, 3, 4, nil, 6), (.zeroBubbleH1, 3, 5, nil, 7), (.zeroBubbleH2, 2, 4, nil, 4),
        (.zeroBubbleV, 2, 4, nil, 9), (.dualPipeV, 2, 5, nil, 8), (.loopedBFS, 2, 3, 2, 8), (.chimera, 2, 4, nil, 4),
    ]
    for (family, p, m, v, layers) in cases {
        let schedule = try family.make(devices: p, microbatches: m, chunks: v).recomputingActivations()
        let executor = try ThreadedExecutor(schedule: schedule, model: MLPConfiguration(layers: layers, hidden: 8, batch: 3 * m))
        var model = CostModel(forward: .uniform(1_000), backward: .uniform(2_000))
        ExecutorMemory.apply(to: &model, executor: executor)
        let predicted = try Simulator(costModel: model).run(schedule).timeline.peakMemory
        for result in try executor.run(iterations: 2) {
            #expect(result.timeline.peakMemory == predicted, "\(family.rawValue)+recompute p=\(p) m=\(m)")
        }
    }
}
