import ArgumentParser
import Calibration
import Executor
import Foundation
import Report
import Schedule
import Simulator
import Store

/// Which timeline `stagecraft run` records as the run's events (the spread is recorded with any).
enum RecordedIteration: String, ExpressibleByArgument, CaseIterable {
    /// Per action the median start and end over the kept iterations (`MeasuredIterations.typical`).
    case typical
    /// The kept iteration of median makespan (the lower median for an even count; ties: the earlier one).
    case median
    /// The last iteration.
    case last

    /// The timeline chosen, how the output names it, and how the `measurements` table does.
    func pick(_ results: [IterationResult], summary: MeasuredIterations) -> (timeline: Timeline, label: String, stored: String) {
        switch self {
        case .typical:
            return (summary.typical, "typical iteration (per-action medians of \(summary.kept.count))", "typical")
        case .median:
            let kept = summary.kept.map { results[$0] }
            let sorted = kept.sorted { ($0.timeline.makespan, $0.iteration) < ($1.timeline.makespan, $1.iteration) }
            let chosen = sorted[(sorted.count - 1) / 2]
            return (chosen.timeline, "median iteration (iteration \(chosen.iteration + 1))", "iteration \(chosen.iteration + 1)")
        case .last:
            let chosen = results[results.count - 1]
            return (chosen.timeline, "last iteration (iteration \(chosen.iteration + 1))", "iteration \(chosen.iteration + 1)")
        }
    }
}

/// `stagecraft run --predict`: calibrate (or load a cost model), simulate, and after the run, compare.
extension RunCommand {
    /// A recorded prediction of the run.
    struct Prediction {
        let timeline: Timeline
        let runID: Int64?
        /// The cost model simulated, and where it came from: "calibration" or the --cost-model file.
        let costModel: CostModel
        let source: String
    }

    /// The comparison of a prediction with the measurement, and its row in the database.
    struct RecordedComparison {
        let text: ComparisonText
        let id: Int64?
    }

    /// The cost model of --cost-model, merged to the schedule's stages when calibrated at a finer split.
    func loadCostModel(for executor: any PipelineExecutor) throws -> CostModel {
        guard let costModel else { throw CommandError("no --cost-model given") }
        let schedule = executor.schedule
        var model: CostModel
        do { model = try CostModel.load(from: costModel) } catch { throw CommandError(error.description) }
        say("predicting with \(costModel)")
        if case let .perStage(list) = model.forward, list.count != schedule.stageCount {
            do { model = try StageMerge.merge(model, into: schedule.stageCount) } catch { throw CommandError("\(costModel): \(error.description)") }
            say("merged its \(list.count) stages \(list.count / schedule.stageCount) at a time into the schedule's \(schedule.stageCount)")
        }
        var exact = model
        ExecutorMemory.apply(to: &exact, executor: executor)
        do { try Simulator(costModel: exact).check(schedule) } catch { throw CommandError("\(costModel): \(error.description)") }
        return model
    }

    /// Calibrates this configuration, its schedules alternating iteration by iteration with the
    /// measured run: `between()` runs after each turn (one measured iteration while any is left).
    /// Every calibration schedule measures as many iterations as the run (at least --repetitions).
    func calibrate(_ executor: any PipelineExecutor, between: @escaping () throws -> Void) throws -> CalibrateCommand.Outcome {
        try CalibrateCommand.calibrate(calibrationSettings(executor), db: noRecord ? nil : db, say: say) { _ in try between() }
    }

    /// The calibration of this configuration that `run --predict` without --cost-model measures.
    func calibrationSettings(_ executor: any PipelineExecutor) -> CalibrationSettings {
        let schedule = executor.schedule
        return CalibrationSettings(layers: mlp.layers, hidden: mlp.hidden, batch: mlp.batch, microbatches: schedule.microbatchCount,
                                   devices: schedule.deviceCount, chunks: schedule.chunkCount,
                                   layersPerStage: executor.layersPerStage, seed: mlp.seed, warmup: warmup,
                                   repetitions: max(repetitions, iterations), blockSize: 1,
                                   linkLatency: linkLatency, linkBandwidth: linkBandwidth)
    }

    /// Simulates `schedule` with `model` (its memory fields set to this executor's exact ones) and
    /// records the prediction as a simulated run.
    func simulate(_ executor: any PipelineExecutor, with costModel: CostModel, source: String, store: RunStore?) throws -> Prediction {
        let schedule = executor.schedule
        var model = costModel
        ExecutorMemory.apply(to: &model, executor: executor)
        let configJSON = (try? model.encodedJSON()).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
        let runID = try store.map { store in
            try recording { try store.beginRun(NewRun(kind: .simulated, schedule: schedule, configJSON: configJSON,
                                                      host: RunStore.hostDescription(), toolVersion: StagecraftVersion.current)) }
        }
        let simulation: Simulation
        do {
            simulation = try Simulator(costModel: model).run(schedule)
        } catch {
            if let store, let runID { try recording { try store.failRun(id: runID, error: error.description) } }
            throw CommandError(error.description)
        }
        if let store, let runID { try recording { try store.completeRun(id: runID, timeline: simulation.timeline) } }
        say(String(format: "predicted: makespan %.3f ms, bubble ratio %.1f%%", Double(simulation.timeline.makespan) / 1e6,
                     simulation.timeline.bubbleRatio * 100) + (runID.map { " (recorded simulated run \($0))" } ?? ""))
        return Prediction(timeline: simulation.timeline, runID: runID, costModel: model, source: source)
    }

    /// Prints the comparison of the prediction with the recorded measurement, and records it.
    func compare(_ prediction: Prediction, with measured: Timeline, spread: MeasurementSpread, measuredID: Int64?,
                 store: RunStore?) throws -> RecordedComparison {
        let comparison: RunComparison
        do {
            comparison = try RunComparison(predicted: prediction.timeline, measured: measured, spread: spread, predictedName: "the prediction",
                                           measuredName: "the measurement")
        } catch {
            throw CommandError(error.description)
        }
        let text = ComparisonText(comparison: comparison, predictedID: prediction.runID, measuredID: measuredID)
        say("")
        say(text.table())
        let memoryAgrees = prediction.timeline.peakMemory == measured.peakMemory
        say("peak memory per device: predicted " + prediction.timeline.peakMemory.map(String.init).joined(separator: ", ")
              + (memoryAgrees ? " = measured" : ", measured " + measured.peakMemory.map(String.init).joined(separator: ", ")))
        guard let store, let predictedID = prediction.runID, let measuredID else { return RecordedComparison(text: text, id: nil) }
        let id = try recording {
            try store.recordComparison(ComparisonRecord(comparison, predictedRunID: predictedID, measuredRunID: measuredID))
        }
        say("recorded comparison \(id) of runs \(predictedID) and \(measuredID) in \(db)")
        return RecordedComparison(text: text, id: id)
    }
}
