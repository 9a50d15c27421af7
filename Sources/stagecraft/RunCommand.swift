import ArgumentParser
import Executor
import Foundation
import Report
import Schedule
import Store

/// `stagecraft run`: trains a real MLP with a schedule on one thread per device and measures it.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train a real MLP with a pipeline schedule, one thread per device, and measure it.",
        discussion: """
            Prints each iteration's loss, step time and measured bubble ratio, then summarises the \
            iterations as one typical iteration — per action the median start and end over the kept \
            iterations — with the spread of the makespan (quartiles and the 95% confidence interval of \
            the median), per-device busy time and bubble, and per-action start and end. Kept: all but the \
            first of 4 or more (cold) and those whose makespan lies above Q3 + 1.5·IQR (disturbed). The \
            typical timeline and the spread are recorded in the results database as an executed run \
            (failed runs are recorded with their error); --record-iteration median or last records one real \
            iteration's timeline instead, with the same spread. With --predict it also predicts the \
            schedule — from --cost-model, or from a calibration of this very configuration ('stagecraft \
            calibrate') whose schedules alternate iteration by iteration with the measured iterations, so \
            that both see the same phases of the machine and the same caches (every iteration follows \
            another executor's) — records the prediction as a simulated run, and prints and records the comparison \
            ('stagecraft compare'), every error next to the measured spread. Keep devices ≤ cores for a \
            fair comparison: more device threads than cores wait for a core, which no cost model predicts.
            """
    )

    @OptionGroup var scheduleOptions: ScheduleOptions

    @OptionGroup var mlp: MLPOptions

    @Option(help: "Measured training iterations (each: every micro-batch forward and backward, then an SGD step).")
    var iterations: Int = 20

    @Option(help: "SGD learning rate.")
    var lr: Float = 0.05

    @Option(help: "Layers of each stage, comma-separated (e.g. 3,3,2); default: as even as possible.")
    var layersPerStage: String?

    @Option(help: "Seconds without any action finishing before the run stops and names every blocked action.")
    var stallTimeout: Double = 30

    @Flag(help: "Stop when a loss is NaN or infinite.")
    var failOnNan = false

    @Flag(help: "Inference only: the schedule's forwards, no backward, no step.")
    var forwardOnly = false

    @Option(help: "Emulated link latency between devices, in seconds (e.g. 0.0001).")
    var linkLatency: Double?

    @Option(help: "Emulated link bandwidth between devices, in bytes per second (e.g. 1e9).")
    var linkBandwidth: Double?

    @Option(help: "Results database (SQLite) the run is recorded in.")
    var db: String = "stagecraft.db"

    @Flag(help: "Do not record the run in the database.")
    var noRecord = false

    @Flag(help: "Also predict the run with the simulator and compare prediction and measurement.")
    var predict = false

    @Option(help: ArgumentHelp("With --predict: the cost model to predict with, instead of calibrating first; one calibrated for a multiple of the schedule's stages is merged (see 'calibrate'). Its memory fields are replaced by the exact ones of this configuration.", valueName: "file"))
    var costModel: String?

    @Option(help: "With --predict and no --cost-model: iterations of each calibration schedule discarded before measuring.")
    var warmup: Int = 2

    @Option(help: "With --predict and no --cost-model: calibration iterations measured per calibration schedule, at least (it measures as many as --iterations when that is more).")
    var repetitions: Int = 12

    @Option(help: ArgumentHelp("A failure drill: ACTION@ITERATION[:error|exit|stall], e.g. 1F2@3:exit — device 1's 1F2 in iteration 3 (from 1) throws, ends its process at once, or never finishes (stall: --backend mpi only).", valueName: "drill"))
    var injectFault: String?

    @Option(help: "Executor: threads (one thread per device, default) or mpi (one process per device: start with mpirun -np <devices>; rank 0 records and prints).")
    var backend: Backend = .threads

    @Option(help: "Which timeline to record: typical (per-action medians over the kept iterations), median (the iteration of median makespan) or last.")
    var recordIteration: RecordedIteration = .typical

    @Flag(help: "Print one JSON object when the run ends — configuration, every iteration's loss and step time, the measured spread, and with --predict the prediction, the calibration and the comparison — instead of text (shape in README.md, \"JSON output\").")
    var json = false

    /// Human-readable progress and results: printed, or with --json left out (the JSON says it all).
    var say: (String) -> Void { json ? { _ in } : { print($0) } }

    func validate() throws {
        guard iterations >= 1 else { throw ValidationError("--iterations \(iterations): run at least 1 iteration") }
        if !predict && costModel != nil { throw ValidationError("--cost-model is used with --predict; add --predict") }
        if let injectFault {
            let fault = try Self.parseFault(injectFault)
            if fault.kind == .stall && backend != .mpi { throw ValidationError("--inject-fault …:stall needs --backend mpi: a stalled thread would hold the threaded executor") }
        }
        if backend == .mpi && (forwardOnly || linkLatency != nil || linkBandwidth != nil) {
            throw ValidationError("--forward-only, --link-latency and --link-bandwidth are not available with --backend mpi: the link is MPI's")
        }
        if backend == .mpi && predict && costModel == nil {
            throw ValidationError("--backend mpi --predict needs --cost-model: the calibration runs the threaded executor (calibrate once with 'stagecraft calibrate', or read a cost model off an MPI run with 'calibrate --from-run')")
        }
        guard warmup >= 0 else { throw ValidationError("--warmup \(warmup): give 0 or more iterations") }
        guard repetitions >= 1 else { throw ValidationError("--repetitions \(repetitions): measure at least 1 iteration") }
        if let layersPerStage, parsedLayersPerStage(layersPerStage) == nil {
            throw ValidationError("--layers-per-stage '\(layersPerStage)': give whole numbers separated by commas, e.g. 3,3,2")
        }
    }

    /// `1F2@3:exit` → device 1's 1F2 in iteration 3 (from 1, as printed), ending its process.
    static func parseFault(_ text: String) throws -> FaultInjection {
        let kindSplit = text.split(separator: ":", maxSplits: 1)
        let parts = kindSplit[0].split(separator: "@")
        let kind = kindSplit.count == 2 ? FaultInjection.Kind(rawValue: String(kindSplit[1])) : .error
        guard parts.count == 2, let iteration = Int(parts[1]), iteration >= 1, let kind,
              let action = try? ScheduleCSV.actions(inCell: String(parts[0])).compute.first else {
            throw ValidationError("--inject-fault '\(text)': give ACTION@ITERATION[:error|exit|stall], e.g. 1F2@3:exit")
        }
        return FaultInjection(iteration: iteration - 1, action: action, message: "injected \(kind.rawValue) at \(action) in iteration \(iteration) (--inject-fault)", kind: kind)
    }

    private func parsedLayersPerStage(_ text: String) -> [Int]? {
        let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return parts.contains(nil) || parts.isEmpty ? nil : parts.compactMap { $0 }
    }

    func run() throws {
        do {
            try measure()
        } catch {
            // Once MPI ranks measure, the others would wait for a failed one forever: say why, end the job.
            guard MPIExecutor.endsJobOnError else { throw error }
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            MPIExecutor.abort(code: 1)
        }
    }

    private func measure() throws {
        let schedule = try scheduleOptions.makeSchedule()
        let model = MLPConfiguration(layers: mlp.layers, hidden: mlp.hidden, batch: mlp.batch, seed: mlp.seed, learningRate: lr,
                                     layersPerStage: layersPerStage.flatMap(parsedLayersPerStage))
        let link = (linkLatency != nil || linkBandwidth != nil) ? LinkEmulation(latency: linkLatency ?? 0, bandwidth: linkBandwidth) : nil
        let options = ExecutorOptions(stallTimeout: stallTimeout, failOnNaN: failOnNan, forwardOnly: forwardOnly, link: link,
                                      fault: try injectFault.map(Self.parseFault))
        if backend == .mpi && !MPILauncher.isUnderMPI { try MPILauncher.relaunch(ranks: schedule.deviceCount) }
        let executor: any PipelineExecutor
        var mpi: (rank: Int, size: Int)?
        do {
            switch backend {
            case .threads:
                executor = try ThreadedExecutor(schedule: schedule, model: model, options: options)
            case .mpi:
                let started = try MPIExecutor.start()
                mpi = started
                executor = try MPIExecutor(schedule: schedule, model: model, options: options, rank: started.rank, size: started.size)
            }
        } catch {
            // Every rank meets the same configuration error: rank 0 says it, the others only exit.
            if let mpi, mpi.rank != 0 { throw ExitCode(1) }
            throw CommandError(error.description)
        }
        // From here on a failing rank would leave the others waiting for it: an error ends the job (see run()).
        if mpi != nil { MPIExecutor.endJobOnError() }
        // Ranks other than 0 compute their devices and hand their times to rank 0, which records and prints.
        if let mpi, mpi.rank != 0 {
            for _ in 0..<iterations {
                do { _ = try executor.run(iterations: 1) } catch { throw CommandError("rank \(mpi.rank): \(error.description)") }
            }
            MPIExecutor.stop()
            return
        }
        try measure(with: executor)
        if mpi != nil { MPIExecutor.stop() }
    }

    /// Rank 0's (or the threaded executor's) part: measure, record, predict, print.
    private func measure(with executor: any PipelineExecutor) throws {
        let schedule = executor.schedule
        // Every measured iteration's timeline is kept for the typical iteration: 16 bytes per action.
        let (timelineBytes, overflow) = iterations.multipliedReportingOverflow(by: (executor.schedule.actions.count + 8) * 16)
        if overflow || timelineBytes > ExecutorFootprint.limit / 2 {
            throw CommandError("--iterations \(iterations): keeping \(iterations) timelines of \(executor.schedule.actions.count) actions needs "
                               + "more than half of the memory limit (\(ExecutorFootprint.limit >> 30) GiB); measure fewer iterations")
        }
        if let mpi = executor as? MPIExecutor {
            say("MPI: \(schedule.deviceCount) ranks, one device each; clock offsets from rank 0 "
                + mpi.clockOffsets.map { CommandText.duration($0) }.joined(separator: ", ") + " (± \(CommandText.duration(mpi.clockUncertainty)))")
            for link in mpi.links {
                say("link rank \(link.ranks.0) ↔ \(link.ranks.1) (ping-pong): latency \(CommandText.duration(Int64(link.latency))), "
                    + "\(CommandText.bytes(Int64(mpi.transferBytes))) tensor \(CommandText.duration(Int64(link.tensorTime)))"
                    + (link.bandwidth.map { ", bandwidth \(CommandText.fixed($0 / 1e9, 2)) GB/s" } ?? ""))
            }
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        if schedule.deviceCount > cores {
            Self.warn("warning: \(schedule.deviceCount) devices on \(cores) cores: device threads share cores, so measured times include "
                      + "waiting for a core, which no cost model predicts; keep devices ≤ cores for a fair comparison")
        }
        // Everything a bad option can break is checked before the run is begun in the database.
        let givenCostModel = predict && costModel != nil ? try loadCostModel(for: executor) : nil
        if predict && costModel == nil {
            do { try calibrationSettings(executor).validate() } catch { throw CommandError("cannot calibrate: \(error)") }
        }
        let store = try noRecord ? nil : openStore()
        let runID = try store.map { store in
            try recording { try store.beginRun(NewRun(kind: .executed, schedule: executor.schedule, configJSON: configJSON(executor),
                                                      host: RunStore.hostDescription(), toolVersion: StagecraftVersion.current)) }
        }
        say("\(schedule.name): \(schedule.deviceCount) devices, \(schedule.stageCount) stages × \(schedule.replicaCount) replica(s), "
              + "\(schedule.microbatchCount) micro-batches of \(executor.microbatchRows) rows; MLP \(mlp.layers) × \(mlp.hidden), "
              + "layers per stage \(executor.layersPerStage.map(String.init).joined(separator: ",")); OpenBLAS \(BLASKernel.current) kernels")
        var measurement = Measurement(executor: executor, iterations: iterations, say: say)
        let prediction: Prediction?
        var calibration: CalibrateCommand.Outcome?
        do {
            if predict && costModel == nil {
                // Calibrate and measure in turns, then predict from the calibration alone.
                let outcome = try calibrate(executor) { try measurement.measureTurn() }
                calibration = outcome
                try measurement.finish()
                prediction = try simulate(executor, with: outcome.result.costModel, source: "calibration", store: store)
            } else {
                prediction = try givenCostModel.map { try simulate(executor, with: $0, source: costModel ?? "", store: store) }
                try measurement.finish()
            }
        } catch {
            if let store, let runID {
                try recording { try store.failRun(id: runID, error: "\(error)") }
                Self.warn("recorded failed run \(runID) in \(db)")
            }
            throw error is CommandError ? error : CommandError("\(error)")
        }
        let results = measurement.results
        if let mpi = executor as? MPIExecutor, !mpi.transferTimes.isEmpty {
            let spread = Spread(mpi.transferTimes)
            say("transfers waited for: \(spread.count) of \(CommandText.bytes(Int64(mpi.transferBytes))), from the send to the arrival "
                + "median \(CommandText.duration(Int64(spread.median))), quartiles \(CommandText.duration(Int64(spread.q1)))–\(CommandText.duration(Int64(spread.q3)))"
                + " (clocks ± \(CommandText.duration(mpi.clockUncertainty)))")
        }
        let summary = MeasuredIterations(results.map(\.timeline))
        let recorded = recordIteration.pick(results, summary: summary)
        let spread = summary.spread
        let m = spread.makespan
        say(String(format: "measured %d iterations, kept %d (%@): makespan median %.3f ms, quartiles %.3f–%.3f ms (IQR ±%.2f%%), "
                     + "95%% CI of the median %.3f–%.3f ms", spread.iterations, spread.kept, MeasuredIterations.rule, m.median / 1e6,
                     m.q1 / 1e6, m.q3 / 1e6, m.relativeIQR * 50, m.ciLow / 1e6, m.ciHigh / 1e6))
        say(String(format: "\(recorded.label): makespan %.3f ms, measured bubble ratio %.1f%%", Double(recorded.timeline.makespan) / 1e6,
                     recorded.timeline.bubbleRatio * 100))
        say("peak memory per device (bytes): " + recorded.timeline.peakMemory.map(String.init).joined(separator: ", ")
              + ", of which parameters and gradients: " + executor.parameterBytes.map(String.init).joined(separator: ", "))
        if let store, let runID {
            try recording {
                try store.completeRun(id: runID, timeline: recorded.timeline,
                                      measurement: StoredMeasurement(spread: spread, timeline: recorded.stored))
            }
            say("recorded run \(runID) in \(db) (\(recorded.label)'s timeline, with the spread of \(spread.kept) iterations)")
        }
        let comparison = try prediction.map { try compare($0, with: recorded.timeline, spread: spread, measuredID: runID, store: store) }
        if json {
            print(try CommandText.json(RunJSON(executor: executor, results: results, summary: summary, recorded: recorded,
                                               runID: runID, database: store == nil ? nil : db, prediction: prediction,
                                               calibration: calibration, comparison: comparison), what: "the run"))
        }
    }

    /// The measured iterations of a run, taken all at once or one per turn of the calibration.
    struct Measurement {
        let executor: any PipelineExecutor
        let iterations: Int
        let say: (String) -> Void
        private(set) var results: [IterationResult] = []
        // The per-iteration lines already show progress on a terminal; the bar is for when they go to a file.
        private let bar: ProgressBar?

        init(executor: any PipelineExecutor, iterations: Int, say: @escaping (String) -> Void) {
            self.executor = executor
            self.iterations = iterations
            self.say = say
            bar = isatty(STDOUT_FILENO) == 1 ? nil : ProgressBar(total: iterations, label: "iterations")
        }

        /// One measured iteration, while any is left (between the calibration's turns).
        mutating func measureTurn() throws {
            if results.count < iterations { try measureOne() }
        }

        /// Measures the iterations not measured yet.
        mutating func finish() throws {
            while results.count < iterations { try measureOne() }
            bar?.finish()
        }

        private mutating func measureOne() throws {
            let result = try executor.run(iterations: 1)[0]
            say(String(format: "iteration %3d  loss %.6f  step %9.3f ms  bubble %5.1f%%", result.iteration + 1, result.loss,
                         Double(result.stepTime) / 1e6, result.timeline.bubbleRatio * 100))
            results.append(result)
            bar?.advance()
        }
    }

    /// Writes a line to standard error.
    private static func warn(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    func openStore() throws -> RunStore {
        try recording { try RunStore(path: db) }
    }

    /// Turns a database error into a command error that names the file.
    func recording<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw CommandError(CommandText.naming(db, error))
        }
    }

    private func configJSON(_ executor: any PipelineExecutor) -> String {
        let config = ExecutedConfig(layers: mlp.layers, hidden: mlp.hidden, batch: mlp.batch, iterations: iterations, learningRate: lr, seed: mlp.seed,
                                    layersPerStage: executor.layersPerStage, microbatchRows: executor.microbatchRows,
                                    forwardOnly: forwardOnly, failOnNaN: failOnNan, stallTimeout: stallTimeout,
                                    linkLatency: linkLatency, linkBandwidth: linkBandwidth, recordedTimeline: recordIteration.rawValue,
                                    backend: backend.rawValue, clockUncertaintyNs: (executor as? MPIExecutor)?.clockUncertainty,
                                    link: (executor as? MPIExecutor).flatMap(MeasuredLink.init), blasKernel: BLASKernel.current)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(config), let text = String(data: data, encoding: .utf8) else { return "{}" }
        return text
    }
}

/// Which executor `run` uses.
enum Backend: String, ExpressibleByArgument, CaseIterable {
    case threads, mpi
}

/// The executor configuration stored with an executed run.
private struct ExecutedConfig: Encodable {
    let layers, hidden, batch, iterations: Int
    let learningRate: Float
    let seed: UInt64
    let layersPerStage: [Int]
    let microbatchRows: Int
    let forwardOnly, failOnNaN: Bool
    let stallTimeout: Double
    let linkLatency, linkBandwidth: Double?
    /// Which timeline the run's events hold: typical, median or last (see `measurements.timeline` for the iteration).
    let recordedTimeline: String
    /// threads or mpi; with mpi, the largest uncertainty of the ranks' clock offsets.
    let backend: String
    let clockUncertaintyNs: Int64?
    /// With mpi: the link between ranks as ping-pong measured it (`calibrate --from-run` uses it).
    let link: MeasuredLink?
    /// OpenBLAS's kernel set that computed the run (rank 0's with mpi), see `BLASKernel`.
    let blasKernel: String
}

/// The tensors an MPI run waited for: how many, their size, and the time from the send to the arrival
/// (median and quartiles, ns).
struct MeasuredTransfers: Codable {
    let count: Int
    let bytes: Int
    let medianNs, q1Ns, q3Ns: Double

    init?(_ executor: MPIExecutor) {
        guard !executor.transferTimes.isEmpty else { return nil }
        let spread = Spread(executor.transferTimes)
        count = spread.count
        bytes = executor.transferBytes
        medianNs = spread.median
        q1Ns = spread.q1
        q3Ns = spread.q3
    }
}

/// The median over neighbouring rank pairs of the measured link, stored with an MPI run.
struct MeasuredLink: Codable {
    let latencyNs: Double
    let bandwidth: Double?
    let transferBytes: Int

    init?(_ executor: MPIExecutor) {
        guard !executor.links.isEmpty else { return nil }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        latencyNs = median(executor.links.map(\.latency))
        let bandwidths = executor.links.compactMap(\.bandwidth)
        bandwidth = bandwidths.isEmpty ? nil : median(bandwidths)
        transferBytes = executor.transferBytes
    }
}
