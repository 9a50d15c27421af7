import Calibration
import Executor
import Schedule
import Simulator
import Testing

/// The simulator's peak memory equals the executor's accounted peak exactly: both count the same
/// buffers in the same action order (see `ExecutorMemory`).
@Suite("Simulator and executor agree on memory")
struct MemoryAgreementTests {
    /// Every family, uneven layer splits included, plus a split backward (I then W) and inference.
    static let cases: [(ScheduleFamily, devices: Int, microbatches: Int, chunks: Int, layers: Int)] = [
        (.gpipe, 2, 4, 1, 4), (.oneFOneB, 2, 4, 1, 5), (.oneFOneB, 3, 5, 1, 7), (.interleaved, 2, 4, 2, 8),
        (.interleaved, 2, 6, 2, 9), (.chimera, 2, 4, 1, 4), (.chimera, 4, 8, 1, 8),
    ]

    static func predicted(_ schedule: Schedule, _ executor: ThreadedExecutor) throws -> [Int64] {
        var model = CostModel(forward: .uniform(1_000), backward: .uniform(2_000))
        ExecutorMemory.apply(to: &model, executor: executor)
        return try Simulator(costModel: model).run(schedule).timeline.peakMemory
    }

    @Test("generated schedules: predicted peak = measured peak, every device, every iteration")
    func families() throws {
        for (family, p, m, v, layers) in Self.cases {
            let schedule = try family.make(devices: p, microbatches: m, chunks: v)
            let executor = try ThreadedExecutor(schedule: schedule, model: MLPConfiguration(layers: layers, hidden: 8, batch: 3 * m))
            let expected = try Self.predicted(schedule, executor)
            for result in try executor.run(iterations: 2) {
                #expect(result.timeline.peakMemory == expected, "\(family.rawValue) p=\(p) m=\(m) v=\(v)")
            }
        }
    }

    @Test("split backward (every B as I then W, W deferred) and inference agree too")
    func splitAndInference() throws {
        let base = try ScheduleFamily.oneFOneB.make(devices: 2, microbatches: 4)
        // Device d: each B becomes I, and all Ws run at the end (I holds its gradients until then).
        let lists = (0..<base.deviceCount).map { d -> [Action] in
            let list = Array(base.actions(on: d))
            let main = list.map { $0.op == .backward ? Action(.inputGrad, stage: $0.stage, microbatch: $0.microbatch) : $0 }
            return main + list.filter { $0.op == .backward }.map { Action(.weightGrad, stage: $0.stage, microbatch: $0.microbatch) }
        }
        let split = Schedule(name: "split", placement: base.placement, microbatchCount: 4, actionsByDevice: lists)
        try split.validate()
        let model = MLPConfiguration(layers: 6, hidden: 8, batch: 8)
        let executor = try ThreadedExecutor(schedule: split, model: model)
        #expect(try executor.run(iterations: 1)[0].timeline.peakMemory == Self.predicted(split, executor))

        let inference = try ThreadedExecutor(schedule: base, model: model, options: ExecutorOptions(forwardOnly: true))
        #expect(try inference.run(iterations: 1)[0].timeline.peakMemory == Self.predicted(inference.schedule, inference))
    }
}
