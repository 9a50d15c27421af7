import ArgumentParser
import Foundation
import Report
import Schedule
import Simulator
import Store
import Transformer

/// `stagecraft simulate`: predicts a schedule's timing, bubbles and memory from a cost model.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Predict a schedule's makespan, bubbles and memory with the discrete-event simulator.",
        discussion: """
            Durations take a unit (1.5ms, 250us, 40ns, 2s; a bare number is nanoseconds), sizes bytes \
            (64KiB, 2GB), the bandwidth bytes per second (25GB/s). Per-stage options take one value for \
            every stage or a comma-separated list with one per virtual stage (devices × chunks). Options \
            override the values of --cost-model. Every simulation is recorded in the results database \
            as a simulated run unless --no-record is given.
            """
    )

    @OptionGroup var scheduleOptions: ScheduleOptions
    @OptionGroup var costOptions: CostOptions
    @OptionGroup(title: "Transformer on a GPU cluster") var transformer: TransformerOptions

    @Flag(help: "Print the summary as JSON instead of a table.")
    var json = false

    @Flag(help: "Also print every action's device, start and end (ns).")
    var timeline = false

    @Option(help: "Results database (SQLite) the simulation is recorded in.")
    var db: String = "stagecraft.db"

    @Flag(help: "Do not record the simulation in the database.")
    var noRecord = false

    func run() throws {
        let schedule = try scheduleOptions.makeSchedule()
        let pipeline = try transformer.pipeline(for: schedule)
        let model = try costOptions.makeCostModel(startingFrom: pipeline?.costModel)
        // Millions of actions take seconds to validate, simulate and record: show the four phases on
        // stderr (drawn only when it is a terminal).
        let bar = schedule.actions.count >= 1_000_000 ? ProgressBar(total: 4, label: "validate, simulate, record") : nil
        defer { bar?.finish() }
        // Whatever the simulator or the memory check would refuse is refused before anything is recorded.
        do { try schedule.validate() } catch { throw CommandError(SimulationError.invalidSchedule(error).description) }
        do { try Simulator(costModel: model).check(schedule) } catch { throw CommandError(error.description) }
        do { try pipeline?.checkModelState(stageDevices: schedule.stageDevices) } catch { throw CommandError(error.description) }
        bar?.advance()
        let simulation: Simulation
        do {
            let dependencies = Dependencies(schedule: schedule)
            bar?.advance()
            simulation = try Simulator(costModel: model).run(dependencies)
            bar?.advance()
        } catch {
            throw CommandError(error.description)
        }
        do {
            try pipeline?.check(peakMemory: simulation.timeline.peakMemory, stageDevices: schedule.stageDevices)
        } catch {
            throw CommandError("\(schedule.name): \(error.description)")
        }
        var runID: Int64?
        if !noRecord {
            let store = try record { try RunStore(path: db) }
            let configJSON = (try? model.encodedJSON()).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
            runID = try record {
                let id = try store.beginRun(NewRun(kind: .simulated, schedule: schedule, configJSON: configJSON,
                                                   host: RunStore.hostDescription(), toolVersion: StagecraftVersion.current))
                try store.completeRun(id: id, timeline: simulation.timeline)
                return id
            }
        }
        bar?.advance()
        bar?.finish()  // before the summary, so the bar's line ends first

        let summary = SimulationSummary(simulation, costModel: model, runID: runID)
        if json {
            print(try summary.json(includingActions: timeline))
        } else {
            print(summary.table())
            if let pipeline { print(Self.describe(pipeline, peakMemory: simulation.timeline.peakMemory)) }
            if timeline { print(); print(summary.actionTable()) }
            if let runID { print("recorded simulated run \(runID) in \(db)") }
        }
    }

    /// Where a transformer's costs came from, and its memory against the device's.
    private static func describe(_ pipeline: TransformerPipeline, peakMemory: [Int64]) -> String {
        let model = pipeline.model, hardware = pipeline.hardware
        let peak = Double(peakMemory.max() ?? 0)
        let efficiency = CommandText.fixed(hardware.efficiency * 100, 0), peakFLOPS = CommandText.fixed(hardware.peakFLOPS / 1e12, 0)
        let split = pipeline.layersPerStage.map(String.init).joined(separator: ",")
        let memory = "peak memory \(CommandText.fixed(peak / 1e9, 1)) GB of \(CommandText.fixed(hardware.memoryBytes / 1e9, 0)) GB per device"
        return "model \(model.name) (micro-batch \(model.microbatchSize) × \(model.sequenceLength) tokens, recompute \(model.recompute.rawValue)) "
            + "on \(hardware.name) at \(efficiency)% of \(peakFLOPS) TFLOP/s, tensor-parallel \(pipeline.tensorParallel), "
            + "layers per stage \(split), \(pipeline.isMultiNode ? "across nodes" : "in one node"); \(memory)"
    }

    /// Runs a Store call, turning its error into a message that names the database.
    private func record<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw CommandError(CommandText.naming(db, error))
        }
    }
}
