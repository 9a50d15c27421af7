import ArgumentParser
import Foundation
import Schedule
import Simulator
import Transformer

/// `--model` and `--hardware`: a transformer on a GPU cluster as the source of the cost model.
struct TransformerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A transformer to derive the costs from: a preset (\(TransformerModel.presets.map(\.name).joined(separator: ", "))) or a JSON file; needs --hardware.", valueName: "name|file"))
    var model: String?

    @Option(help: ArgumentHelp("The accelerator of every stage: a preset (\(Hardware.presets.map(\.name).joined(separator: ", "))) or a JSON file.", valueName: "name|file"))
    var hardware: String?

    @Option(help: "Fraction of peak FLOP/s that large GEMMs reach (your measured MFU); default: the hardware's (presets: 0.5).")
    var mfu: Double?

    @Option(help: "Sequences per micro-batch (default: the model's, 1 for presets).")
    var microbatchSize: Int?

    @Option(help: "Sequence length (default: the model's).")
    var sequenceLength: Int?

    @Option(help: "Tensor-parallel degree inside each stage (default 1).")
    var tensorParallel: Int = 1

    @Option(help: "Layers of each stage, comma-separated (default: as even as possible).")
    var layersPerStage: String?

    @Flag(help: "Selective activation recompute (Korthikanti et al.): keep 34sbh bytes per layer. For full recompute run the schedule with --recompute.")
    var selectiveRecompute = false

    var isGiven: Bool { model != nil }

    func validate() throws {
        if model != nil && hardware == nil { throw ValidationError("--model needs --hardware (e.g. --hardware a100)") }
        if hardware != nil && model == nil { throw ValidationError("--hardware needs --model (e.g. --model gpt3-1.3b)") }
        if model == nil, mfu != nil || microbatchSize != nil || sequenceLength != nil || layersPerStage != nil || selectiveRecompute || tensorParallel != 1 {
            throw ValidationError("--mfu, --microbatch-size, --sequence-length, --tensor-parallel, --layers-per-stage and --selective-recompute describe a --model")
        }
    }

    /// The model and hardware with the options applied; nil without --model.
    func resolved() throws -> (model: TransformerModel, hardware: Hardware)? {
        guard let name = model, let hardwareName = hardware else { return nil }
        do {
            var model = try TransformerModel.named(name)
            var hardware = try Hardware.named(hardwareName)
            if let mfu { hardware.efficiency = mfu }
            if let microbatchSize { model.microbatchSize = microbatchSize }
            if let sequenceLength { model.sequenceLength = sequenceLength }
            if selectiveRecompute { model.recompute = .selective }
            return (model, hardware)
        } catch {
            throw CommandError(error.description)
        }
    }

    /// The pipeline of `schedule` running the model on the hardware; nil without --model.
    func pipeline(for schedule: Schedule) throws -> TransformerPipeline? {
        guard let resolved = try resolved() else { return nil }
        var model = resolved.model
        do {
            if schedule.recomputes { model.recompute = .full }
            let split = try layersPerStage.map { text in
                try text.split(separator: ",").map { item -> Int in
                    guard let count = Int(item.trimmingCharacters(in: .whitespaces)) else {
                        throw CommandError("--layers-per-stage '\(text)': give whole numbers separated by commas, e.g. 6,6,6,6")
                    }
                    return count
                }
            }
            return try TransformerPipeline(model: model, hardware: resolved.hardware, devices: schedule.deviceCount, stages: schedule.stageCount,
                                           layersPerStage: split, tensorParallel: tensorParallel)
        } catch let error as TransformerError {
            throw CommandError(error.description)
        }
    }
}

extension Schedule {
    /// The device of each stage of replica 0.
    var stageDevices: [Int] { (0..<stageCount).map { placement.device(replica: 0, stage: $0) } }
}
