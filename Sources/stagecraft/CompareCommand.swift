import ArgumentParser
import Foundation
import Report
import Schedule
import Simulator
import Store

/// `stagecraft compare RUN_A RUN_B`: a prediction against a measurement of the same schedule.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two runs of the same schedule (a prediction and a measurement), action by action.",
        discussion: """
            Prints the makespan error, per-device busy/idle time and bubble-ratio error, and the distribution \
            of per-action start and end errors (median, p90, max of the absolute error, and the median as a \
            share of the measured makespan) with the worst actions named. Errors are predicted − measured. \
            When the measured run summarises many iterations ('stagecraft run' stores their spread), every \
            error is printed next to the measured spread, and the makespan gets a verdict: within the noise \
            when the prediction lies within the quartiles of the measured iterations' makespans. \
            When one run is simulated and the other executed, the simulated one is the prediction whatever \
            the order; otherwise RUN_A is. Actions join on (replica, stage, micro-batch, op); runs of \
            different schedules are refused. With --record the comparison is stored in the database's \
            `comparisons` table, linking the two runs. With one run and --model/--hardware or --cost-model, \
            that run's schedule is simulated with those costs and the prediction compared with the run (with \
            --record the prediction is recorded as a simulated run too).
            """)

    @Argument(help: ArgumentHelp("The prediction (usually a simulated run; see 'stagecraft runs').", valueName: "run-a"))
    var runA: Int64

    @Argument(help: ArgumentHelp("The measurement (usually an executed run); leave out to predict run-a with --model or --cost-model.", valueName: "run-b"))
    var runB: Int64?

    @Option(help: ArgumentHelp("With one run: predict it with this cost model JSON.", valueName: "file"))
    var costModel: String?

    @OptionGroup(title: "With one run: predict it for a transformer on a GPU cluster") var transformer: TransformerOptions

    @Flag(help: "Print the comparison as JSON instead of a table.")
    var json = false

    @Option(help: "How many of the worst actions to name.")
    var worst: Int = 5

    @Flag(help: "Store the comparison in the database (table comparisons), linking the two runs.")
    var record = false

    @Option(help: "Results database (SQLite) to read.")
    var db: String = "stagecraft.db"

    func validate() throws {
        guard worst >= 0 else { throw ValidationError("--worst \(worst): give 0 or more") }
        if runB == nil && costModel == nil && !transformer.isGiven {
            throw ValidationError("give two runs, or one run with --model/--hardware or --cost-model to predict it")
        }
        if runB != nil && (costModel != nil || transformer.isGiven) {
            throw ValidationError("--model and --cost-model predict a single run; give one run with them, or two runs without")
        }
        if costModel != nil && transformer.isGiven { throw ValidationError("--cost-model and --model both give the costs; use one") }
    }

    func run() throws {
        let store: RunStore = try CommandText.store { () throws(StoreError) in
            record ? try RunStore(path: db) : try RunStore(readingFrom: db)
        }
        let (predictedID, measuredID, comparison) = try runB.map { try Self.compare(runA, $0, store: store) } ?? predictAndCompare(runA, store: store)
        let text = ComparisonText(comparison: comparison, predictedID: predictedID, measuredID: measuredID)
        print(json ? try text.json(worst: worst) : text.table(worst: worst))
        if record, let predictedID {
            let id = try CommandText.store { () throws(StoreError) in
                try store.recordComparison(ComparisonRecord(comparison, predictedRunID: predictedID, measuredRunID: measuredID))
            }
            if !json { print("recorded comparison \(id) in \(db)") }
        }
    }

    /// Simulates run `id`'s schedule with --model or --cost-model and compares the prediction with it.
    private func predictAndCompare(_ id: Int64, store: RunStore) throws -> (predicted: Int64?, measured: Int64, RunComparison) {
        let run = try CommandText.store { () throws(StoreError) in try store.run(id: id) }
        guard run.status == .completed else {
            throw CommandError("run \(id) is \(run.status.rawValue); only completed runs can be compared (see 'stagecraft show \(id)')")
        }
        let (measured, measurement) = try CommandText.store { () throws(StoreError) in (try store.timeline(runID: id), try store.measurement(runID: id)) }
        let schedule = measured.schedule
        let model: CostModel
        if let costModel {
            do { model = try CostModel.load(from: costModel) } catch { throw CommandError(error.description) }
        } else {
            model = try transformer.pipeline(for: schedule)!.costModel
        }
        let simulation: Simulation
        do { simulation = try Simulator(costModel: model).run(schedule) } catch { throw CommandError(error.description) }
        var predictedID: Int64?
        if record {
            let configJSON = (try? model.encodedJSON()).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
            predictedID = try CommandText.store { () throws(StoreError) in
                let new = try store.beginRun(NewRun(kind: .simulated, schedule: schedule, configJSON: configJSON,
                                                    host: RunStore.hostDescription(), toolVersion: StagecraftVersion.current))
                try store.completeRun(id: new, timeline: simulation.timeline)
                return new
            }
        }
        do {
            return (predictedID, id, try RunComparison(predicted: simulation.timeline, measured: measured, spread: measurement?.spread,
                                                       predictedName: "the prediction", measuredName: "run \(id)"))
        } catch {
            throw CommandError(error.description)
        }
    }

    /// Loads both completed runs and compares them: the simulated one (or `a`) as the prediction.
    static func compare(_ a: Int64, _ b: Int64, store: RunStore) throws -> (predicted: Int64, measured: Int64, RunComparison) {
        let (recordA, recordB) = try CommandText.store { () throws(StoreError) in (try store.run(id: a), try store.run(id: b)) }
        for record in [recordA, recordB] where record.status != .completed {
            throw CommandError("run \(record.id) is \(record.status.rawValue); only completed runs can be compared (see 'stagecraft show \(record.id)')")
        }
        let swap = recordA.kind == .executed && recordB.kind == .simulated
        let (p, m) = swap ? (b, a) : (a, b)
        let (predicted, measured, measurement) = try CommandText.store { () throws(StoreError) in
            (try store.timeline(runID: p), try store.timeline(runID: m), try store.measurement(runID: m))
        }
        do {
            return (p, m, try RunComparison(predicted: predicted, measured: measured, spread: measurement?.spread,
                                            predictedName: "run \(p)", measuredName: "run \(m)"))
        } catch {
            throw CommandError(error.description)
        }
    }
}

extension ComparisonRecord {
    /// The headline numbers of `comparison`, for `RunStore.recordComparison`.
    init(_ comparison: RunComparison, predictedRunID: Int64, measuredRunID: Int64) {
        let start = comparison.absoluteStartError, end = comparison.absoluteEndError
        self.init(predictedRunID: predictedRunID, measuredRunID: measuredRunID,
                  predictedMakespanNs: comparison.predictedMakespan, measuredMakespanNs: comparison.measuredMakespan,
                  makespanError: comparison.makespanError, bubbleError: comparison.bubbleError,
                  worstDeviceBubbleError: comparison.worstDeviceBubbleError,
                  startErrorMedianNs: start.median, startErrorP90Ns: start.p90, startErrorMaxNs: start.max,
                  endErrorMedianNs: end.median, endErrorP90Ns: end.p90, endErrorMaxNs: end.max,
                  measuredMakespanQ1Ns: comparison.spread?.makespan.q1, measuredMakespanQ3Ns: comparison.spread?.makespan.q3,
                  makespanWithinNoise: comparison.makespanWithinNoise, startWithinNoise: comparison.startWithinNoise)
    }
}
