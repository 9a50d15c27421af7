import Foundation
import Schedule
import Simulator

/// Runs a case: builds its schedule and costs, simulates it, and gives its results.
public enum CaseRunner {
    /// A simulated case: its schedule, the costs it ran with, its timeline and results.
    public struct Simulated: Sendable {
        public let schedule: Schedule
        public let costModel: CostModel
        public let simulation: Simulation
        public let results: CaseResults
    }

    /// Builds the case's schedule; `directory` is the baseline file's, against which `file` resolves.
    public static func schedule(of item: BaselineCase, directory: URL) throws(BaselineError) -> Schedule {
        var schedule: Schedule
        if let family = item.schedule {
            guard let known = ScheduleFamily(rawValue: family) else {
                throw .caseFailed(item.name, "'\(family)' is not a schedule family; choose from \(ScheduleFamily.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            do {
                schedule = try known.make(devices: item.devices ?? 0, microbatches: item.microbatches ?? 0, chunks: item.chunks)
            } catch {
                throw .caseFailed(item.name, error.description)
            }
        } else if let file = item.file {
            let path = resolve(file, in: directory)
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw .caseFailed(item.name, "cannot read the schedule file \(path)")
            }
            do {
                schedule = try ScheduleCSV.parse(text, name: URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent,
                                                 microbatches: item.microbatches).schedule
                try schedule.validate()
            } catch {
                throw .caseFailed(item.name, "\(path): \(error.description)")
            }
        } else {
            throw .caseFailed(item.name, "it names no schedule")
        }
        if item.recompute == true { schedule = schedule.recomputingActivations() }
        return schedule
    }

    /// The case's costs for `stages` stages (a finer cost model is merged, as `run --predict` does).
    public static func costModel(of item: BaselineCase, stages: Int, directory: URL) throws(BaselineError) -> CostModel {
        var model: CostModel
        if let inline = item.costModel {
            model = inline
        } else if let file = item.costModelFile {
            do { model = try CostModel.load(from: resolve(file, in: directory)) } catch {
                throw .caseFailed(item.name, error.description)
            }
        } else {
            throw .caseFailed(item.name, "it has no cost model")
        }
        if case let .perStage(values) = model.forward, values.count > stages, values.count % stages == 0 {
            do { model = try StageMerge.merge(model, into: stages) } catch { throw .caseFailed(item.name, error.description) }
        }
        do { try model.validate() } catch { throw .caseFailed(item.name, error.description) }
        return model
    }

    /// Simulates the case.
    public static func simulate(_ item: BaselineCase, directory: URL) throws(BaselineError) -> Simulated {
        let schedule = try schedule(of: item, directory: directory)
        let model = try costModel(of: item, stages: schedule.stageCount, directory: directory)
        let simulation: Simulation
        do { simulation = try Simulator(costModel: model).run(schedule) } catch {
            throw .caseFailed(item.name, error.description)
        }
        let results = CaseResults(makespanNs: simulation.timeline.makespan, iterationNs: simulation.iterationTime,
                                  bubbleRatio: simulation.timeline.bubbleRatio, peakMemoryBytes: simulation.timeline.peakMemory.max() ?? 0,
                                  costModel: model)
        return Simulated(schedule: schedule, costModel: model, simulation: simulation, results: results)
    }

    /// `path` as given when absolute, else relative to `directory`.
    static func resolve(_ path: String, in directory: URL) -> String {
        path.hasPrefix("/") ? path : directory.appendingPathComponent(path).path
    }
}
