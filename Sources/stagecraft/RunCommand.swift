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
            Prints each iteration's loss, step time and measured bubble ratio, then records one \
            iteration's timeline in the results database as an executed run (failed runs are recorded \
            with their error): the last, or with --record-iteration median the iteration of median \
            makespan (the representative one: neither the cold first iteration nor one another process \
            slowed down). With --predict it also predicts the schedule first — from --cost-model, or \
            from a calibration of this very configuration ('stagecraft calibrate') — records the \
            prediction as a simulated run, and prints and records the comparison ('stagecraft compare'), \
            which links the two runs.
            """
    )

    @OptionGroup var scheduleOptions: ScheduleOptions

    @OptionGroup var mlp: MLPOptions

    @Option(help: "Training iterations (each: every micro-batch forward and backward, then an SGD step).")
    var iterations: Int = 5

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

    @Option(help: "With --predict and no --cost-model: calibration iterations discarded before measuring.")
    var warmup: Int = 3

    @Option(help: "With --predict and no --cost-model: calibration iterations measured per calibration schedule.")
    var repetitions: Int = 10

    @Option(help: "Which iteration's timeline to record: last, or median (by makespan). Default: median with --predict, else last.")
    var recordIteration: RecordedIteration?

    func validate() throws {
        guard iterations >= 1 else { throw ValidationError("--iterations \(iterations): run at least 1 iteration") }
        if !predict && costModel != nil { throw ValidationError("--cost-model is used with --predict; add --predict") }
        if let layersPerStage, parsedLayersPerStage(layersPerStage) == nil {
            throw ValidationError("--layers-per-stage '\(layersPerStage)': give whole numbers separated by commas, e.g. 3,3,2")
        }
    }

    private func parsedLayersPerStage(_ text: String) -> [Int]? {
        let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return parts.contains(nil) || parts.isEmpty ? nil : parts.compactMap { $0 }
    }

    func run() throws {
        let schedule = try scheduleOptions.makeSchedule()
        let model = MLPConfiguration(layers: mlp.layers, hidden: mlp.hidden, batch: mlp.batch, seed: mlp.seed, learningRate: lr,
                                     layersPerStage: layersPerStage.flatMap(parsedLayersPerStage))
        let link = (linkLatency != nil || linkBandwidth != nil) ? LinkEmulation(latency: linkLatency ?? 0, bandwidth: linkBandwidth) : nil
        let options = ExecutorOptions(stallTimeout: stallTimeout, failOnNaN: failOnNan, forwardOnly: forwardOnly, link: link)
        let executor: ThreadedExecutor
        do {
            executor = try ThreadedExecutor(schedule: schedule, model: model, options: options)
        } catch {
            throw CommandError(error.description)
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        if schedule.deviceCount > cores {
            Self.warn("warning: \(schedule.deviceCount) devices on \(cores) cores: device threads share cores, so measured times include waiting for a core")
        }
        let store = try noRecord ? nil : openStore()
        let runID = try store.map { store in
            try recording { try store.beginRun(NewRun(kind: .executed, schedule: executor.schedule, configJSON: configJSON(executor),
                                                      host: RunStore.hostDescription(), toolVersion: StagecraftVersion.current)) }
        }
        print("\(schedule.name): \(schedule.deviceCount) devices, \(schedule.stageCount) stages × \(schedule.replicaCount) replica(s), "
              + "\(schedule.microbatchCount) micro-batches of \(executor.microbatchRows) rows; MLP \(mlp.layers) × \(mlp.hidden), "
              + "layers per stage \(executor.layersPerStage.map(String.init).joined(separator: ","))")
        let prediction = predict ? try predictRun(executor, store: store) : nil
        var results: [IterationResult] = []
        // The per-iteration lines already show progress on a terminal; the bar is for when they go to a file.
        let bar = isatty(STDOUT_FILENO) == 1 ? nil : ProgressBar(total: iterations, label: "iterations")
        defer { bar?.finish() }
        do {
            for _ in 0..<iterations {
                defer { bar?.advance() }
                guard let result = try executor.run(iterations: 1).first else { break }
                print(String(format: "iteration %3d  loss %.6f  step %9.3f ms  bubble %5.1f%%", result.iteration + 1, result.loss,
                             Double(result.stepTime) / 1e6, result.timeline.bubbleRatio * 100))
                results.append(result)
            }
        } catch {
            if let store, let runID {
                try recording { try store.failRun(id: runID, error: error.description) }
                Self.warn("recorded failed run \(runID) in \(db)")
            }
            throw CommandError(error.description)
        }
        let choice = recordIteration ?? (predict ? .median : .last)
        guard let recorded = choice.pick(results) else { return }
        let timeline = recorded.timeline
        print(String(format: "\(choice.phrase) (iteration %d): makespan %.3f ms, measured bubble ratio %.1f%%", recorded.iteration + 1,
                     Double(timeline.makespan) / 1e6, timeline.bubbleRatio * 100))
        print("peak memory per device (bytes): " + timeline.peakMemory.map(String.init).joined(separator: ", ")
              + ", of which parameters and gradients: " + executor.parameterBytes.map(String.init).joined(separator: ", "))
        if let store, let runID {
            try recording { try store.completeRun(id: runID, timeline: timeline) }
            print("recorded run \(runID) in \(db) (\(choice.phrase)'s timeline)")
        }
        if let prediction { try compare(prediction, with: timeline, measuredID: runID, store: store) }
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
            throw CommandError("\(db): \(error)")
        }
    }

    private func configJSON(_ executor: ThreadedExecutor) -> String {
        let config = ExecutedConfig(layers: mlp.layers, hidden: mlp.hidden, batch: mlp.batch, iterations: iterations, learningRate: lr, seed: mlp.seed,
                                    layersPerStage: executor.layersPerStage, microbatchRows: executor.microbatchRows,
                                    forwardOnly: forwardOnly, failOnNaN: failOnNan, stallTimeout: stallTimeout,
                                    linkLatency: linkLatency, linkBandwidth: linkBandwidth,
                                    recordedIteration: (recordIteration ?? (predict ? .median : .last)) == .last ? iterations - 1 : nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(config), let text = String(data: data, encoding: .utf8) else { return "{}" }
        return text
    }
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
    /// The iteration (0-based) whose timeline is stored as the run's events; nil: the median by makespan.
    let recordedIteration: Int?
}
