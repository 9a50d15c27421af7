@testable import Calibration
import Executor
import Foundation
import Schedule
import Simulator
import Testing

/// A tiny calibration writes a cost model that the simulator loads and runs (structure and validity,
/// not the measured values).
@Suite("Calibration")
struct CalibrateTests {
    @Test("calibrate writes a cost model that simulate loads")
    func writesLoadableModel() throws {
        for chunks in [1, 2] {
            let settings = CalibrationSettings(layers: 4, hidden: 8, batch: 8, microbatches: 4, devices: 2, chunks: chunks,
                                               warmup: 1, repetitions: 2)
            let result = try Calibrator(settings: settings).run()
            let stages = 2 * chunks
            let model = result.costModel
            for values in [model.forward, model.backward, model.inputGrad, model.weightGrad, model.gradSync,
                           model.activationBytes, model.gradientBytes, model.transientBytes, model.weightBytes] {
                guard case let .perStage(list)? = Optional(values) else {
                    Issue.record("expected per-stage values, got \(String(describing: values))")
                    continue
                }
                #expect(list.count == stages)
                #expect(list.allSatisfy { $0.isFinite && $0 >= 0 })
            }
            #expect(model.forward.values.allSatisfy { $0 > 0 }, "every forward was measured")
            #expect(model.latency >= 0 && model.dispatch >= 0)
            #expect(result.samples["F"] == stages * 4 * 2, "F measured in 1F1B (not its split form), 2 repetitions")
            #expect(result.samples["REDUCE_GRAD"] == 2 * 2 * 2, "Chimera's two syncs per stage, 2 stages, 2 repetitions")
            #expect(model.gradSync.values.allSatisfy { $0 > 0 })

            let file = FileManager.default.temporaryDirectory.appendingPathComponent("calibration-\(UUID().uuidString).json").path
            defer { try? FileManager.default.removeItem(atPath: file) }
            try model.save(to: file)
            let loaded = try CostModel.load(from: file)
            #expect(loaded == model)
            let family: ScheduleFamily = chunks == 1 ? .gpipe : .interleaved
            let schedule = try family.make(devices: 2, microbatches: 4, chunks: chunks)
            let simulation = try Simulator(costModel: loaded).run(schedule)
            #expect(simulation.timeline.makespan > 0)
            let executor = try ThreadedExecutor(schedule: schedule, model: MLPConfiguration(layers: 4, hidden: 8, batch: 8))
            #expect(try simulation.timeline.peakMemory == executor.run(iterations: 1)[0].timeline.peakMemory)
        }
    }

    @Test("bad settings are refused with the option to fix")
    func refusesBadSettings() {
        #expect(throws: CalibrationError.invalidSettings("--repetitions 0: measure at least 1 iteration")) {
            try Calibrator(settings: CalibrationSettings(repetitions: 0)).run()
        }
        #expect {
            try Calibrator(settings: CalibrationSettings(layers: 4, hidden: 8, batch: 7, microbatches: 4)).run()
        } throws: { error in "\(error)".contains("cannot be cut into 4 equal micro-batches") }
    }
}

/// Several rounds: every value is the median over the rounds, uniform values stay uniform.
@Suite("Calibration rounds")
struct CalibrationRoundsTests {
    @Test("the median of three models, value by value")
    func medianOfModels() {
        let models = [10.0, 30.0, 20.0].map { x in
            CostModel(forward: .perStage([x, 2 * x]), backward: .perStage([x, x]), optimizerStep: .uniform(x), latency: x, dispatch: x / 10)
        }
        let median = Calibrator.median(of: models)
        #expect(median.forward == .perStage([20, 40]))
        #expect(median.optimizerStep == .uniform(20))
        #expect(median.latency == 20 && median.dispatch == 2)
    }
}
