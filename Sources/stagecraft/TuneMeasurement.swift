import Calibration
import Executor
import Foundation
import Schedule
import Tune

/// `tune --measure K`: the K best-ranked candidates trained on the threaded executor, taking turns in a
/// balanced order (`TurnOrder`) so that every candidate meets the same phases of the machine. The
/// predictions of candidates this close often lie within the costs' uncertainty of each other; the
/// measurement settles what it can: the choice is the fastest measured, or, among the candidates whose
/// step quartiles overlap the fastest's (which the measurement cannot tell apart), the best predicted —
/// the prediction is the steadier of the two figures where the measurement is a tie.
struct TuneMeasurement {
    /// One candidate as measured.
    struct Entry {
        let result: CandidateResult
        /// Its place in the predicted ranking (1 is tune's predicted choice).
        let predictedRank: Int
        /// Step time (the iteration, SGD step included) over the kept iterations, ns.
        let step: Spread
        let iterations: Int
        /// Micro-batches per second at the median step.
        var throughput: Double { step.median > 0 ? Double(result.candidate.microbatches) * 1e9 / step.median : 0 }
    }

    /// Fastest measured first.
    let entries: [Entry]
    let options: TuneMeasureOptions

    static let rule = "each turn's first iteration dropped as cold (it follows another candidate's)"

    /// Measures the first `options.measure` of `ranked`, building each one's schedule with `schedule(of:)`.
    static func run(_ ranked: [CandidateResult], options: TuneMeasureOptions, schedule: (CandidateResult) throws -> Schedule,
                    say: (String) -> Void) throws -> TuneMeasurement {
        let chosen = Array(ranked.prefix(options.measure ?? 0))
        var executors: [ThreadedExecutor] = []
        for result in chosen {
            let model = MLPConfiguration(layers: options.mlpLayers, hidden: options.mlpHidden,
                                         batch: options.rowsPerMicrobatch * result.candidate.microbatches, seed: options.mlpSeed)
            do {
                executors.append(try ThreadedExecutor(schedule: try schedule(result), model: model))
            } catch {
                throw CommandError("--measure: \(result.candidate.label) cannot run on the threaded executor: \(error)")
            }
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        if let devices = executors.first?.schedule.deviceCount, devices > cores {
            FileHandle.standardError.write(Data(("warning: --measure runs \(devices) device threads on \(cores) cores: they share cores, "
                + "so the measurements include waiting for a core; keep devices ≤ cores\n").utf8))
        }
        say("measuring \(chosen.count) candidates on the threaded executor: MLP \(options.mlpLayers) × \(options.mlpHidden), "
            + "\(options.rowsPerMicrobatch) rows per micro-batch, \(options.rounds) turns of \(options.iterationsPerTurn) iterations each; "
            + "OpenBLAS \(BLASKernel.current) kernels")
        var steps = [[Int64]](repeating: [], count: chosen.count)
        let order = TurnOrder(turns: chosen.count)
        for round in 0..<options.rounds {
            for index in order.row(round) {
                let results: [IterationResult]
                do {
                    results = try executors[index].run(iterations: options.iterationsPerTurn)
                } catch {
                    throw CommandError("--measure: \(chosen[index].candidate.label) failed on the threaded executor: \(error)")
                }
                steps[index] += results.dropFirst().map(\.stepTime)
            }
        }
        let entries = chosen.indices.map { index in
            Entry(result: chosen[index], predictedRank: index + 1, step: Spread(steps[index]), iterations: steps[index].count)
        }
        return TuneMeasurement(entries: entries.sorted { $0.throughput > $1.throughput }, options: options)
    }

    /// The fastest measured.
    var fastest: Entry { entries[0] }

    /// Whether `entry`'s step quartiles overlap the fastest's: the measurement cannot tell them apart.
    func overlapsFastest(_ entry: Entry) -> Bool {
        entry.step.q1 <= fastest.step.q3 && fastest.step.q1 <= entry.step.q3
    }

    /// The best predicted of the candidates the measurement cannot tell from the fastest.
    var choice: Entry {
        entries.filter(overlapsFastest).min { $0.predictedRank < $1.predictedRank } ?? fastest
    }

    func text() -> String {
        var lines = ["", "measured on the threaded executor (MLP \(options.mlpLayers) × \(options.mlpHidden), \(options.rowsPerMicrobatch) rows per "
                     + "micro-batch; \(options.rounds) turns of \(options.iterationsPerTurn) iterations per candidate in a balanced order, \(Self.rule)):"]
        let header = ["measured", "predicted", "candidate", "predicted iteration", "measured step", "quartiles", "micro-batches/s"]
        let rows = entries.enumerated().map { index, entry in
            [String(index + 1), String(entry.predictedRank), entry.result.candidate.label, CommandText.duration(entry.result.iterationTime),
             CommandText.duration(Int64(entry.step.median.rounded())),
             CommandText.duration(Int64(entry.step.q1.rounded())) + "–" + CommandText.duration(Int64(entry.step.q3.rounded())),
             CommandText.fixed(entry.throughput, 2)]
        }
        lines.append(CommandText.table(header, rows, rightAligned: [0, 1, 3, 4, 5, 6]))
        let choice = choice, label = choice.result.candidate.label
        let tied = entries.filter { overlapsFastest($0) && $0.predictedRank != fastest.predictedRank }.map(\.result.candidate.label)
        var verdict = "measured choice: \(label) — "
        if choice.predictedRank == fastest.predictedRank {
            verdict += "fastest measured of the \(entries.count) best predicted"
                + (tied.isEmpty ? "" : ", and predicted faster than those it cannot be told from (step quartiles overlap): " + tied.joined(separator: ", "))
        } else {
            verdict += "its step quartiles overlap those of the fastest measured, \(fastest.result.candidate.label) ("
                + CommandText.fixed((fastest.throughput / choice.throughput - 1) * 100, 2)
                + "% more throughput), so the measurement cannot tell them apart, and it is predicted faster"
        }
        // The predicted choice, when not chosen, is beyond the fastest's quartiles (it would be chosen otherwise).
        if choice.predictedRank != 1, let predicted = entries.first(where: { $0.predictedRank == 1 }) {
            verdict += "; the predicted choice, \(predicted.result.candidate.label), measured "
                + CommandText.fixed((1 - predicted.throughput / fastest.throughput) * 100, 2) + "% less throughput than the fastest, beyond its quartiles"
        } else if choice.predictedRank == 1 {
            verdict += " (the predicted choice)"
        }
        lines.append(verdict)
        return lines.joined(separator: "\n")
    }

    /// The JSON form: the entries (fastest first), the fastest and the choice.
    struct JSONForm: Encodable {
        struct Entry: Encodable {
            let label, schedule: String
            let microbatches, predicted_rank, measured_rank, iterations: Int
            let predicted_iteration_ns: Int64
            let measured_step_ns: Spread
            let measured_microbatches_per_s: Double
            let overlaps_fastest: Bool
        }
        let entries: [Entry]
        /// The fastest measured, and the choice (the best predicted among those tied with it).
        let fastest, choice: String
        let layers, hidden, rows, rounds, iterations_per_turn: Int
        let rule: String
    }

    var json: JSONForm {
        JSONForm(entries: entries.enumerated().map { index, entry in
            JSONForm.Entry(label: entry.result.candidate.label, schedule: entry.result.candidate.scheduleName,
                           microbatches: entry.result.candidate.microbatches, predicted_rank: entry.predictedRank, measured_rank: index + 1,
                           iterations: entry.iterations, predicted_iteration_ns: entry.result.iterationTime, measured_step_ns: entry.step,
                           measured_microbatches_per_s: entry.throughput, overlaps_fastest: overlapsFastest(entry))
        }, fastest: fastest.result.candidate.label, choice: choice.result.candidate.label, layers: options.mlpLayers, hidden: options.mlpHidden, rows: options.rowsPerMicrobatch,
                 rounds: options.rounds, iterations_per_turn: options.iterationsPerTurn, rule: Self.rule)
    }
}
