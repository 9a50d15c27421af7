import ArgumentParser
import Calibration
import Executor
import Foundation
import Report
import Schedule
import Simulator
import Store

/// Which measured iteration `stagecraft run` records.
enum RecordedIteration: String, ExpressibleByArgument, CaseIterable {
    /// The last iteration.
    case last
    /// The iteration of median makespan (the lower median for an even count; ties: the earlier one):
    /// representative — neither the cold first iteration nor one that another process slowed down.
    case median

    var phrase: String { self == .last ? "last iteration" : "median iteration" }

    func pick(_ results: [IterationResult]) -> IterationResult? {
        guard !results.isEmpty else { return nil }
        switch self {
        case .last:
            return results.last
        case .median:
            let sorted = results.sorted { ($0.timeline.makespan, $0.iteration) < ($1.timeline.makespan, $1.iteration) }
            return sorted[(sorted.count - 1) / 2]
        }
    }
}

/// `stagecraft run --predict`: calibrate (or load a cost model), simulate, and after the run, compare.
extension RunCommand {
    /// A recorded prediction of the run.
    struct Prediction {
        let timeline: Timeline
        let runID: Int64?
    }

    /// The cost model (from --cost-model, or calibrated now for this configuration) with the exact
    /// memory of this executor, and the simulation of the schedule the executor runs, recorded.
    func predictRun(_ executor: ThreadedExecutor, store: RunStore?) throws -> Prediction {
        let schedule = executor.schedule
        var model: CostModel
        if let costModel {
            do { model = try CostModel.load(from: costModel) } catch { throw CommandError(error.description) }
            print("predicting with \(costModel)")
            if case let .perStage(list) = model.forward, list.count != schedule.stageCount {
                do { model = try StageMerge.merge(model, into: schedule.stageCount) } catch { throw CommandError("\(costModel): \(error.description)") }
                print("merged its \(list.count) stages \(list.count / schedule.stageCount) at a time into the schedule's \(schedule.stageCount)")
            }
        } else {
            let settings = CalibrationSettings(layers: mlp.layers, hidden: mlp.hidden, batch: mlp.batch, microbatches: schedule.microbatchCount,
                                               devices: schedule.deviceCount, chunks: schedule.chunkCount,
                                               layersPerStage: executor.layersPerStage, seed: mlp.seed, warmup: warmup,
                                               repetitions: repetitions, linkLatency: linkLatency, linkBandwidth: linkBandwidth)
            (model, _) = try CalibrateCommand.calibrate(settings, db: noRecord ? nil : db)
        }
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
        print(String(format: "predicted: makespan %.3f ms, bubble ratio %.1f%%", Double(simulation.timeline.makespan) / 1e6,
                     simulation.timeline.bubbleRatio * 100) + (runID.map { " (recorded simulated run \($0))" } ?? ""))
        return Prediction(timeline: simulation.timeline, runID: runID)
    }

    /// Prints the comparison of the prediction with the recorded measurement, and records it.
    func compare(_ prediction: Prediction, with measured: Timeline, measuredID: Int64?, store: RunStore?) throws {
        let comparison: RunComparison
        do {
            comparison = try RunComparison(predicted: prediction.timeline, measured: measured, predictedName: "the prediction",
                                           measuredName: "the measurement")
        } catch {
            throw CommandError(error.description)
        }
        print()
        print(ComparisonText(comparison: comparison, predictedID: prediction.runID, measuredID: measuredID).table())
        let memoryAgrees = prediction.timeline.peakMemory == measured.peakMemory
        print("peak memory per device: predicted " + prediction.timeline.peakMemory.map(String.init).joined(separator: ", ")
              + (memoryAgrees ? " = measured" : ", measured " + measured.peakMemory.map(String.init).joined(separator: ", ")))
        if let store, let predictedID = prediction.runID, let measuredID {
            let id = try recording {
                try store.recordComparison(ComparisonRecord(comparison, predictedRunID: predictedID, measuredRunID: measuredID))
            }
            print("recorded comparison \(id) of runs \(predictedID) and \(measuredID) in \(db)")
        }
    }
}
