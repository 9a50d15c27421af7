import Executor
import Schedule
import Testing

@Suite("Model and option errors")
struct ConfigurationTests {
    func error(_ body: () throws -> Void) -> ExecutorError? {
        do { try body() } catch let error as ExecutorError { return error } catch { return nil }
        return nil
    }

    @Test("fewer layers than stages is an impossible split")
    func tooFewLayers() throws {
        let schedule = try ScheduleFamily.interleaved.make(devices: 2, microbatches: 2, chunks: 2)
        let failure = error { _ = try ThreadedExecutor(schedule: schedule, model: MLPConfiguration(layers: 3, hidden: 4, batch: 2)) }
        guard case let .invalidModel(why) = failure else { Issue.record("expected invalidModel, got \(String(describing: failure))"); return }
        #expect(why.contains("3 layer(s) cannot be split into 4 stages"))
    }

    @Test("layers per stage must match the stages and the layers")
    func givenSplit() throws {
        let schedule = try ScheduleFamily.oneFOneB.make(devices: 2, microbatches: 2)
        let wrongSum = error { _ = try ThreadedExecutor(schedule: schedule, model: MLPConfiguration(layers: 4, hidden: 4, batch: 2, layersPerStage: [1, 2])) }
        #expect(wrongSum?.description.contains("sums to 3") == true)
        let wrongCount = error { _ = try ThreadedExecutor(schedule: schedule, model: MLPConfiguration(layers: 4, hidden: 4, batch: 2, layersPerStage: [4])) }
        #expect(wrongCount?.description.contains("lists 1 stage(s)") == true)
        let executor = try ThreadedExecutor(schedule: schedule, model: MLPConfiguration(layers: 4, hidden: 4, batch: 2, layersPerStage: [1, 3]))
        #expect(executor.layers(ofStage: 0) == 0..<1)
        #expect(executor.layers(ofStage: 1) == 1..<4)
    }

    @Test("an uneven default split gives the extra layers to the first stages")
    func evenSplit() throws {
        let model = MLPConfiguration(layers: 7, hidden: 4, batch: 2)
        #expect(try model.stageLayerCounts(stages: 3) == [3, 2, 2])
    }

    @Test("a batch that micro-batches do not divide is an error that suggests sizes")
    func indivisibleBatch() throws {
        let schedule = try ScheduleFamily.gpipe.make(devices: 2, microbatches: 4)
        let failure = error { _ = try ThreadedExecutor(schedule: schedule, model: MLPConfiguration(layers: 2, hidden: 4, batch: 10)) }
        guard case let .invalidModel(why) = failure else { Issue.record("expected invalidModel"); return }
        #expect(why.contains("cannot be cut into 4 equal micro-batches"))
        #expect(why.contains("--batch 8 or 12"))
    }

    @Test("bad options and malformed schedules are refused before any thread starts")
    func badOptionsAndShapes() throws {
        let schedule = try ScheduleFamily.gpipe.make(devices: 2, microbatches: 2)
        let model = MLPConfiguration(layers: 2, hidden: 4, batch: 2)
        if case .invalidOptions = error({ _ = try ThreadedExecutor(schedule: schedule, model: model, options: ExecutorOptions(stallTimeout: 0)) }) {} else {
            Issue.record("a zero stall timeout was accepted")
        }
        let misplaced = Schedule(name: "x", placement: try .looped(devices: 2, chunks: 1), microbatchCount: 1,
                                 actionsByDevice: [[Action(.forward, stage: 1)], [Action(.forward, stage: 0)]])
        let failure = error { _ = try ThreadedExecutor(schedule: misplaced, model: model, options: ExecutorOptions(validatesSchedule: false)) }
        #expect(failure?.description.contains("belongs on device 1") == true)
        let executor = try ThreadedExecutor(schedule: schedule, model: model)
        if case .invalidOptions = error({ _ = try executor.run(iterations: 0) }) {} else { Issue.record("zero iterations accepted") }
    }
}
