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
            // 2 repetitions, plus 4 per self-check retry (a tiny model on a shared machine may need them).
            let repetitions = 2 + Calibrator.retryIterations * result.retries
            #expect(result.repetitions == repetitions && (0...Calibrator.retries).contains(result.retries))
            #expect(result.samples["F"] == stages * 4 * repetitions, "F measured in 1F1B (not its split form)")
            #expect(result.samples["REDUCE_GRAD"] == 2 * 2 * repetitions, "Chimera's two syncs per stage, 2 stages")
            #expect(model.gradSync.values.allSatisfy { $0 > 0 })
            #expect(model.workingSet.count == 2, "1F1B's and Chimera's parameter bytes per device")
            #expect(result.selfCheck.map(\.schedule).count == 3, "every calibration schedule predicted")
            #expect(model.latency >= 0, "the jitter never makes the hand-off negative")
            // The uncertainty covers the worst self-check error and half the widest spread, rounded up to 0.1%
            // and at most 1 (a tiny model measured beside the other tests can miss by more).
            let uncertainty = try #require(model.uncertainty)
            let worst = max(result.selfCheck.map { abs($0.error) }.max() ?? 0, (result.spread.values.max() ?? 0) / 2)
            #expect(uncertainty >= min(1, worst) - 1e-12 && uncertainty <= min(1, worst + 0.001 + 1e-12), "\(uncertainty) against \(worst)")

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

    @Test("block size 1: the schedules alternate iteration by iteration, one turn each, nothing discarded")
    func alternating() throws {
        let settings = CalibrationSettings(layers: 4, hidden: 8, batch: 8, microbatches: 4, devices: 2, warmup: 0, repetitions: 3, blockSize: 1)
        var turns: [Int] = []
        let result = try Calibrator(settings: settings).run(between: { turns.append($0) })
        #expect(turns == Array(0..<result.repetitions), "one call after every turn, numbered")
        #expect(result.samples["F"] == 2 * 4 * result.repetitions, "every iteration measured: F of 2 stages × 4 micro-batches each")
        #expect(throws: CalibrationError.invalidSettings("--block-size 0: give 1 or more iterations")) {
            try Calibrator(settings: CalibrationSettings(blockSize: 0)).run()
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

/// The fit's building blocks on hand-computed cases.
@Suite("Calibration fit")
struct CalibrationFitTests {
    @Test("per-iteration means, then their median: a disturbed iteration moves nothing")
    func robustDurations() throws {
        let schedule = try ScheduleFamily.gpipe.make(devices: 1, microbatches: 2)
        let dependencies = Dependencies(schedule: schedule)
        var samples = TimingSamples(stageCount: 1)
        // F0 F1 B0 B1 back to back; F durations (10, 20), (12, 22), (1000, 1000): means 15, 17, 1000 → median 17.
        for (f0, f1) in [(10, 20), (12, 22), (1000, 1000)] as [(Int64, Int64)] {
            let durations: [Int64] = [f0, f1, 30, 30]
            var start: [Int64] = [], end: [Int64] = []
            var clock: Int64 = 0
            for d in durations { start.append(clock); clock += d; end.append(clock) }
            samples.add(Timeline(schedule: schedule, start: start, end: end), dependencies)
        }
        // The first forward of each iteration is the device's first (10, 12, 1000 → 12); warm = F1 only → 20, 22, 1000 → 22.
        #expect(samples.warm(.forward, stage: 0) == 22)
        #expect(samples.first(.forward, stage: 0) == 12)
        #expect(samples.cold(.forward, stage: 0) == nil, "one stage: no switch")
        // First-action extra: 12 − 22 < 0 → 0; with one warm F per iteration it still qualifies (half the samples).
        #expect(samples.firstAction() == [0])
        #expect(samples.coldStart() == [0])
        #expect(samples.warm(.backward, stage: 0) == 30)
        #expect(samples.count(.forward) == 6)
    }

    @Test("first of its op: a device's first B (not its first action) against its warm Bs")
    func firstBackward() throws {
        let schedule = try ScheduleFamily.gpipe.make(devices: 1, microbatches: 3)
        var samples = TimingSamples(stageCount: 1)
        // F0 F1 F2 B0 B1 B2: B0 is the device's first B (50, 52, 54), B1 and B2 warm (30 each).
        for extra in [0, 2, 4] as [Int64] {
            let durations: [Int64] = [10, 10, 10, 50 + extra, 30, 30]
            var start: [Int64] = [], end: [Int64] = []
            var clock: Int64 = 0
            for d in durations { start.append(clock); clock += d; end.append(clock) }
            samples.add(Timeline(schedule: schedule, start: start, end: end), Dependencies(schedule: schedule))
        }
        #expect(samples.firstOfOp() == ["B": 22], "median first B 52 − warm 30; F has no first-of-op (the device's first action is F)")
        #expect(samples.warm(.backward, stage: 0) == 30)
    }

    @Test("first of its op on the device: the first F of its second stage is a cold F")
    func firstOfOpPerDevice() throws {
        // 0F0 0F1 1F0 1F1 1B1 1B0 0B1 0B0: every F 10 but 1F0, the first on stage 1 (40); every B 30.
        let schedule = try ScheduleFamily.loopedBFS.make(devices: 1, microbatches: 2, chunks: 2)
        var samples = TimingSamples(stageCount: 2)
        let first = try #require(schedule.actions.firstIndex(of: Action(.forward, stage: 1, microbatch: 0)))
        var start: [Int64] = [], end: [Int64] = []
        var clock: Int64 = 0
        for (id, action) in schedule.actions.enumerated() {
            start.append(clock)
            clock += id == first ? 40 : (action.op == .forward ? 10 : 30)
            end.append(clock)
        }
        samples.add(Timeline(schedule: schedule, start: start, end: end), Dependencies(schedule: schedule))
        #expect(samples.firstOfOp()["F"] == nil, "the device's first F is its first action")
        #expect(samples.cold(.forward, stage: 1) == 40)
        #expect(samples.firstOfOp()["B"] == 0, "the device's first B (1B1) as fast as the others")
    }

    @Test("turn order: every row a permutation, every turn directly after each other equally often")
    func turnOrder() {
        for n in 1...6 {
            let order = TurnOrder(turns: n)
            var follows = [[Int]](repeating: [Int](repeating: 0, count: n), count: n)
            for row in order.rows {
                #expect(row.sorted() == Array(0..<n))
                for (a, b) in zip(row, row.dropFirst()) { follows[a][b] += 1 }
            }
            let counts = (0..<n).flatMap { a in (0..<n).filter { $0 != a }.map { follows[a][$0] } }
            #expect(Set(counts).count <= 1, "n = \(n): \(follows)")
            #expect(order.row(order.rows.count) == order.row(0))
        }
    }

    @Test("working set: Chimera's F + B over 1F1B's at twice the bytes")
    func workingSet() throws {
        func samples(_ forward: Int64, _ backward: Int64) throws -> TimingSamples {
            let schedule = try ScheduleFamily.gpipe.make(devices: 1, microbatches: 2)
            var samples = TimingSamples(stageCount: 1)
            let durations = [forward, forward, backward, backward]
            var start: [Int64] = [], end: [Int64] = []
            var clock: Int64 = 0
            for d in durations { start.append(clock); clock += d; end.append(clock) }
            samples.add(Timeline(schedule: schedule, start: start, end: end), Dependencies(schedule: schedule))
            return samples
        }
        let points = WorkingSetFit.points(pipeline: try samples(10, 30), pipelineParameters: [100], chimera: try samples(12, 38),
                                          chimeraParameters: [200])
        #expect(points == [WorkingSetPoint(bytes: 100, factor: 1), WorkingSetPoint(bytes: 200, factor: 1.25)])
        #expect(WorkingSetFit.points(pipeline: try samples(10, 30), pipelineParameters: [100], chimera: try samples(12, 38),
                                     chimeraParameters: [100]).isEmpty, "no more bytes: no point")
    }
}

/// Device speeds from Chimera's two replicas of every stage.
@Suite("Device speed fit")
struct DeviceSpeedFitTests {
    @Test("a device whose actions take 1.5× as long gets 1.5× the other's factor, normalised to a mean of 1")
    func slowDevice() throws {
        let schedule = try ScheduleFamily.chimera.make(devices: 2, microbatches: 2)
        // Every F takes 10 and every B 20 on device 0, 1.5× that on device 1 (back to back, no waits needed for the fit).
        var start = [Int64](repeating: 0, count: schedule.actions.count), end = start
        for device in 0..<2 {
            var clock: Int64 = 0
            for id in schedule.actionRange(of: device) {
                let base: Int64 = schedule.actions[id].op == .forward ? 10 : schedule.actions[id].op == .backward ? 20 : 4
                start[id] = clock
                clock += device == 0 ? base : base * 3 / 2
                end[id] = clock
            }
        }
        let timeline = Timeline(schedule: schedule, start: start, end: end)
        let speeds = DeviceSpeedFit.speeds([timeline, timeline, timeline])
        #expect(speeds.count == 2)
        #expect(abs(speeds[0] - 0.8) < 1e-12 && abs(speeds[1] - 1.2) < 1e-12)
        #expect(DeviceSpeedFit.speeds([Timeline(schedule: try ScheduleFamily.oneFOneB.make(devices: 2, microbatches: 2),
                                                start: [Int64](repeating: 0, count: 8), end: [Int64](repeating: 1, count: 8))]).isEmpty,
                "no replicas: nothing to compare")
    }
}
