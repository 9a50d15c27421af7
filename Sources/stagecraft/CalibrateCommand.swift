import ArgumentParser
import Calibration
import Foundation
import Simulator
import Store

/// `stagecraft calibrate`: measures a cost model of the threaded executor on this machine.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Measure the executor's cost model on this machine for a model, micro-batch size, device count and chunks.",
        discussion: """
            Trains the MLP with calibration schedules — 1F1B (interleaved when --chunks > 1), the same with \
            every B split into I and W, and Chimera for its gradient sum and its working set when the \
            device count is even — after --warmup discarded iterations, for --repetitions measured ones, \
            taken in blocks of --block-size (4) that take turns so that a slow phase of the machine weighs \
            on all of them alike. Durations are the median over iterations of each iteration's mean: a burst of \
            preemption cannot move them. The model is then checked against its own calibration runs; when \
            it misses one (outside the measured quartiles and more than 2% off), 4 more iterations of each are measured (twice at most), \
            and if it still misses, a warning says so. Writes per-stage F, B, I, W and gradient-sum \
            durations, the working-set slowdown, the thread hand-off latency, the per-action dispatch time, \
            the optimizer step and the exact memory of every buffer the executor counts to a cost-model JSON \
            that 'simulate --cost-model' and 'run --predict --cost-model' read, and records it in the \
            database (table calibrations). Measure on an idle machine: other processes stretch every time.
            """)

    @OptionGroup var target: CalibrationOptions

    @Option(name: [.customLong("out"), .customShort("o")], help: "Cost-model JSON file to write.")
    var out: String = "cost-model.json"

    @Option(help: "Results database (SQLite) the calibration is recorded in.")
    var db: String = "stagecraft.db"

    @Flag(help: "Do not record the calibration in the database.")
    var noRecord = false

    @Flag(help: "Print the cost model, the samples, the spread and the self-check as JSON instead of text (shape in README.md, \"JSON output\").")
    var json = false

    @Option(help: ArgumentHelp("Read the cost model off this executed run instead of measuring: per op and stage the median duration, the median hand-off and dispatch gaps (Stagecraft's own runs or PyTorch runs from 'import-trace').", valueName: "run"))
    var fromRun: Int64?

    func run() throws {
        try OutputFile.check(out)  // before minutes of measuring
        if let fromRun { return try fit(fromRun) }
        let say: (String) -> Void = json ? { _ in } : { print($0) }
        let outcome = try Self.calibrate(target.settings, db: noRecord ? nil : db, say: say)
        do { try outcome.result.costModel.save(to: out) } catch { throw CommandError(error.description) }
        if json {
            print(try CommandText.json(CalibrationJSON(outcome.result, calibrationID: outcome.id, out: out), what: "the calibration"))
        } else {
            print("wrote \(out)" + (outcome.id.map { "; recorded calibration \($0) in \(db)" } ?? ""))
        }
    }

    /// `--from-run`: the cost model of one recorded executed run.
    private func fit(_ runID: Int64) throws {
        let (record, timeline) = try CommandText.store { () throws(StoreError) in
            let store = try RunStore(readingFrom: db)
            return (try store.run(id: runID), try store.timeline(runID: runID))
        }
        guard record.kind == .executed else {
            throw CommandError("run \(runID) is a simulated run; --from-run reads a measured one (executed, or imported with 'import-trace')")
        }
        var result = TimelineFit.fit(timeline)
        // An MPI run measured its link by ping-pong: that, not the hand-off gaps, prices a transfer.
        struct StoredConfig: Decodable { let link: MeasuredLink? }
        let link = (try? JSONDecoder().decode(StoredConfig.self, from: Data(record.configJSON.utf8)))?.link
        if let link {
            result.costModel.latency = link.latencyNs
            result.costModel.bandwidth = link.bandwidth
            result.costModel.transferBytes = .uniform(Double(link.transferBytes))
        }
        do { try result.costModel.save(to: out) } catch { throw CommandError(error.description) }
        var id: Int64?
        if !noRecord {
            struct FromRun: Encodable { let fromRun: Int64; let schedule: String }
            let config = try CommandText.json(FromRun(fromRun: runID, schedule: record.schedule), what: "the configuration")
            let costJSON = (try? result.costModel.encodedJSON()).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
            id = try CommandText.store { () throws(StoreError) in
                try RunStore(path: db).recordCalibration(configJSON: config, costModelJSON: costJSON, host: record.host)
            }
        }
        if json {
            print(try CommandText.json(TimelineFitJSON(result: result, fromRun: runID, calibrationID: id, out: out), what: "the cost model"))
            return
        }
        func list(_ values: StageValues?) -> String {
            (values?.values ?? []).map { CommandText.duration(Int64($0.rounded())) }.joined(separator: ", ")
        }
        let model = result.costModel
        print("cost model of run \(runID) (\(record.schedule), \(record.devices) devices, \(record.microbatches) micro-batches):")
        print("forward \(list(model.forward)); backward \(list(model.backward))"
              + (model.inputGrad.map { "; input-grad \(list($0)); weight-grad \(list(model.weightGrad))" } ?? ""))
        if let link {
            print("link measured by the run's ping-pong: latency \(CommandText.duration(Int64(link.latencyNs)))"
                  + (link.bandwidth.map { ", bandwidth \(CommandText.fixed($0 / 1e9, 2)) GB/s" } ?? "") + ", \(CommandText.bytes(Int64(link.transferBytes))) per transfer; "
                  + "dispatch \(CommandText.duration(Int64(model.dispatch))) (\(result.dispatchSamples) samples)")
        } else {
            print("hand-off latency \(CommandText.duration(Int64(model.latency))) (\(result.handOffSamples) samples), "
                  + "dispatch \(CommandText.duration(Int64(model.dispatch))) (\(result.dispatchSamples) samples)")
        }
        print("wrote \(out)" + (id.map { "; recorded calibration \($0) in \(db)" } ?? ""))
    }

    /// A calibration and its row in the database (nil when not recorded).
    struct Outcome {
        let result: Calibrator.Result
        let id: Int64?
    }

    /// Runs a calibration, tells `say` what it measured, and records it in `db` when given.
    /// `between(block)` runs after each turn of the calibration schedules (see `Calibrator.run`).
    static func calibrate(_ settings: CalibrationSettings, db: String?, say: @escaping (String) -> Void,
                          between: ((Int) throws -> Void)? = nil) throws -> Outcome {
        let result: Calibrator.Result
        do {
            result = try Calibrator(settings: settings).run(progress: say, between: between)
        } catch {
            throw CommandError("\(error)")
        }
        say(Self.describe(result))
        guard let db else { return Outcome(result: result, id: nil) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let config = (try? encoder.encode(settings)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
        let costJSON = (try? result.costModel.encodedJSON()).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
        let id = try CommandText.store { () throws(StoreError) in
            try RunStore(path: db).recordCalibration(configJSON: config, costModelJSON: costJSON, host: RunStore.hostDescription())
        }
        return Outcome(result: result, id: id)
    }

    /// One line per op with its per-stage durations, then the fixed costs.
    static func describe(_ result: Calibrator.Result) -> String {
        let model = result.costModel
        func list(_ values: StageValues?) -> String {
            (values?.values ?? []).map { CommandText.duration(Int64($0.rounded())) }.joined(separator: ", ")
        }
        var lines = [
            "forward    \(list(model.forward))  (\(result.samples["F"] ?? 0) samples)",
            "backward   \(list(model.backward))  (\(result.samples["B"] ?? 0) samples)",
            "input-grad \(list(model.inputGrad))  (\(result.samples["I"] ?? 0) samples)",
            "weight-grad \(list(model.weightGrad))  (\(result.samples["W"] ?? 0) samples)",
        ]
        if let syncs = result.samples["REDUCE_GRAD"] { lines.append("grad-sync  \(list(model.gradSync))  (\(syncs) samples)") }
        lines.append("hand-off latency \(CommandText.duration(Int64(model.latency.rounded()))) (\(result.handOffSamples) samples), "
                     + "dispatch \(CommandText.duration(Int64(model.dispatch.rounded()))) (\(result.dispatchSamples) samples), "
                     + "optimizer step \(list(model.optimizerStep)) per stage, cold start \(list(model.coldStart)), "
                     + "first action \(list(model.firstAction ?? model.coldStart)), first of its op "
                     + model.firstOfOp.sorted { $0.key < $1.key }.map { "\($0.key) \(CommandText.duration(Int64($0.value.rounded())))" }.joined(separator: ", "))
        if let slow = model.workingSet.last, model.workingSet.count > 1 {
            lines.append(String(format: "working set: compute takes %.3f× as long with %@ of parameters per device as with %@", slow.factor,
                                CommandText.bytes(Int64(slow.bytes)), CommandText.bytes(Int64(model.workingSet[0].bytes))))
        }
        lines.append("jitter: hand-off latency " + (result.jitter >= 0 ? "raised" : "lowered") + " by \(CommandText.duration(Int64(result.jitter.magnitude.rounded()))) "
                     + "so that the model predicts the calibration schedules' median makespans")
        if !model.deviceSpeed.isEmpty {
            lines.append("device speed (time factors, from Chimera): " + model.deviceSpeed.map { String(format: "%.3f", $0) }.joined(separator: ", "))
        }
        let worst = result.spread.values.max() ?? 0
        lines.append(String(format: "spread of the measured iterations' makespans (interquartile range / median): %.1f%% at worst", worst * 100)
                     + (worst > 0.05 ? " — something else was running" : ""))
        for check in result.selfCheck {
            lines.append(String(format: "self-check %@: predicted %.3f ms, measured median %.3f ms (quartiles %.3f–%.3f), %+.2f%%%@", check.schedule,
                                Double(check.predicted) / 1e6, check.measured.median / 1e6, check.measured.q1 / 1e6, check.measured.q3 / 1e6,
                                check.error * 100, check.agrees ? "" : " — MISSES"))
        }
        if let uncertainty = model.uncertainty {
            lines.append(String(format: "uncertainty: ±%.1f%% (the worst self-check error or half the widest spread; tune names the candidates within it of its choice)",
                                uncertainty * 100))
        }
        for warning in result.warnings { lines.append("warning: " + warning) }
        return lines.joined(separator: "\n")
    }
}

/// The executor configuration a calibration measures (shared by `calibrate` and `run --predict`).
struct CalibrationOptions: ParsableArguments {
    @OptionGroup var mlp: MLPOptions

    @Option(help: "Micro-batches per iteration of the calibration schedules.")
    var microbatches: Int = 8

    @Option(help: "Devices (threads).")
    var devices: Int = 2

    @Option(help: "Stages per device (v of interleaved schedules).")
    var chunks: Int = 1

    @Option(help: "Iterations of each calibration schedule run and discarded before measuring.")
    var warmup: Int = 2

    @Option(help: "Iterations measured per calibration schedule.")
    var repetitions: Int = 12

    @Option(help: "Measured iterations per block: the calibration schedules take turns block by block, each block after one discarded iteration; 1 alternates them iteration by iteration, nothing discarded.")
    var blockSize: Int = 4

    @Option(help: "Independent rounds of measurement (fresh executors each); every value is the median over the rounds.")
    var rounds: Int = 1

    @Option(help: "Emulated link latency between devices, in seconds, as 'run --link-latency'.")
    var linkLatency: Double?

    @Option(help: "Emulated link bandwidth, in bytes per second, as 'run --link-bandwidth'.")
    var linkBandwidth: Double?

    var settings: CalibrationSettings {
        CalibrationSettings(layers: mlp.layers, hidden: mlp.hidden, batch: mlp.batch, microbatches: microbatches, devices: devices, chunks: chunks,
                            seed: mlp.seed, warmup: warmup, repetitions: repetitions, rounds: rounds, blockSize: blockSize, linkLatency: linkLatency,
                            linkBandwidth: linkBandwidth)
    }
}
