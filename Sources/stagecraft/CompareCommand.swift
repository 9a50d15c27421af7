import ArgumentParser
import Foundation
import Report
import Schedule
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
            `comparisons` table, linking the two runs.
            """)

    @Argument(help: ArgumentHelp("The prediction (usually a simulated run; see 'stagecraft runs').", valueName: "run-a"))
    var runA: Int64

    @Argument(help: ArgumentHelp("The measurement (usually an executed run).", valueName: "run-b"))
    var runB: Int64

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
    }

    func run() throws {
        let store: RunStore = try CommandText.store { () throws(StoreError) in
            record ? try RunStore(path: db) : try RunStore(readingFrom: db)
        }
        let (predictedID, measuredID, comparison) = try Self.compare(runA, runB, store: store)
        let text = ComparisonText(comparison: comparison, predictedID: predictedID, measuredID: measuredID)
        print(json ? try text.json(worst: worst) : text.table(worst: worst))
        if record {
            let id = try CommandText.store { () throws(StoreError) in
                try store.recordComparison(ComparisonRecord(comparison, predictedRunID: predictedID, measuredRunID: measuredID))
            }
            if !json { print("recorded comparison \(id) in \(db)") }
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
