import ArgumentParser
import Foundation
import Simulator

/// The cost options of `stagecraft simulate`: a cost-model file and/or values that override it.
///
/// Every duration option takes one value for all stages or a comma-separated list with one value per
/// virtual stage (devices × chunks), each with an optional unit (`1.5ms`, `250us`; plain numbers are
/// nanoseconds). Sizes take bytes (`64KiB`, `2GB`), the bandwidth bytes per second (`25GB/s`).
struct CostOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Cost model JSON file to start from (see --save-cost-model for the format).", valueName: "file"))
    var costModel: String?

    @Option(help: ArgumentHelp("Write the cost model in effect (file plus options) to this JSON file.", valueName: "file"))
    var saveCostModel: String?

    @Option(help: ArgumentHelp("Forward duration per stage, e.g. 1ms or 1ms,1.2ms,… (default 1 ns).", valueName: "duration[,…]"))
    var forward: String?

    @Option(help: ArgumentHelp("Full backward (B) duration per stage (default 2 ns).", valueName: "duration[,…]"))
    var backward: String?

    @Option(help: ArgumentHelp("Input-gradient (I) duration per stage (default: half the backward).", valueName: "duration[,…]"))
    var inputGrad: String?

    @Option(help: ArgumentHelp("Weight-gradient (W) duration per stage (default: backward minus input-grad).", valueName: "duration[,…]"))
    var weightGrad: String?

    @Option(help: ArgumentHelp("Duration of the replica gradient sum (Chimera's REDUCE_GRAD) per stage (default 0).", valueName: "duration[,…]"))
    var gradSync: String?

    @Option(help: ArgumentHelp("Optimizer step per stage, run by each device after its last action (default 0).", valueName: "duration[,…]"))
    var optimizerStep: String?

    @Option(help: ArgumentHelp("Latency of every transfer between two devices (default 0).", valueName: "duration"))
    var latency: String?

    @Option(help: ArgumentHelp("Link bandwidth in bytes per second, e.g. 25GB/s (default: unlimited).", valueName: "bandwidth"))
    var bandwidth: String?

    @Option(help: ArgumentHelp("Bytes sent from stage s to s + 1 (and the gradient back), per stage (default 0).", valueName: "size[,…]"))
    var transferBytes: String?

    @Option(help: ArgumentHelp("Activation bytes one micro-batch holds on a stage from forward to backward (default 0).", valueName: "size[,…]"))
    var activationBytes: String?

    @Option(help: ArgumentHelp("Weight bytes per stage, held by every device with a replica of it (default 0).", valueName: "size[,…]"))
    var weightBytes: String?

    @Option(help: ArgumentHelp("Activation-gradient bytes a micro-batch's input gradient (I) holds on a stage until its W (default 0).", valueName: "size[,…]"))
    var gradientBytes: String?

    @Option(help: ArgumentHelp("Bytes an I or B holds only while it runs, e.g. the gradient it sends back (default 0).", valueName: "size[,…]"))
    var transientBytes: String?

    @Option(help: ArgumentHelp("Extra time of an action after an action of another stage, per stage (default 0).", valueName: "duration[,…]"))
    var coldStart: String?

    @Option(help: ArgumentHelp("Extra time of a device's first action of the iteration, per stage (default: the cold start).", valueName: "duration[,…]"))
    var firstAction: String?

    @Option(help: ArgumentHelp("Time a device takes between two of its actions, and before its first (default 0).", valueName: "duration"))
    var dispatch: String?

    @Option(name: .customLong("recompute-time"),
            help: ArgumentHelp("Duration of an activation recompute (R, see --recompute) per stage (default: the forward's).", valueName: "duration[,…]"))
    var recomputeTime: String?

    @Option(help: ArgumentHelp("Bytes of a stage's input, part of its activation bytes: all a forward keeps of a micro-batch it recomputes (default 0).", valueName: "size[,…]"))
    var checkpointBytes: String?

    @Option(help: ArgumentHelp("Compute slowdown by parameter bytes held per device, as bytes:factor points in increasing bytes, e.g. 8MiB:1,16MiB:1.15 (default: none).", valueName: "size:factor[,…]"))
    var workingSet: String?

    @Option(help: ArgumentHelp("Time factor of each device's compute, one per device, e.g. 1,1.05 (default: 1 on every device).", valueName: "factor,…"))
    var deviceSpeed: String?

    @Flag(inversion: .prefixedNo, help: "Whether a link carries one transfer at a time per direction (default: no).")
    var contention: Bool?

    @Option(help: ArgumentHelp("How far a predicted makespan may be off, as a fraction or a percentage (0.03 or 3%); kept with the costs, and tune names the candidates it cannot tell from the fastest (default: a calibration's own, else none).", valueName: "fraction"))
    var uncertainty: String?

    /// The cost model: `base` (a transformer's) or the file's (or the defaults), then every option given; validated.
    func makeCostModel(startingFrom base: CostModel? = nil) throws -> CostModel {
        var model = base ?? CostModel()
        if base != nil, costModel != nil {
            throw CommandError("--cost-model and --model both give the costs; use one (options such as --latency still override --model's)")
        }
        if let costModel {
            do { model = try CostModel.load(from: costModel) } catch { throw CommandError(error.description) }
        }
        func stages(_ text: String?, _ kind: CostQuantity.Kind, _ field: CostModel.Field) throws -> StageValues? {
            try text.map { try CostQuantity.stageValues($0, kind, option: field.option) }
        }
        if let value = try stages(forward, .duration, .forward) { model.forward = value }
        if let value = try stages(backward, .duration, .backward) { model.backward = value }
        if let value = try stages(inputGrad, .duration, .inputGrad) { model.inputGrad = value }
        if let value = try stages(weightGrad, .duration, .weightGrad) { model.weightGrad = value }
        if let value = try stages(gradSync, .duration, .gradSync) { model.gradSync = value }
        if let value = try stages(optimizerStep, .duration, .optimizerStep) { model.optimizerStep = value }
        if let value = try stages(transferBytes, .bytes, .transferBytes) { model.transferBytes = value }
        if let value = try stages(activationBytes, .bytes, .activationBytes) { model.activationBytes = value }
        if let value = try stages(weightBytes, .bytes, .weightBytes) { model.weightBytes = value }
        if let value = try stages(gradientBytes, .bytes, .gradientBytes) { model.gradientBytes = value }
        if let value = try stages(transientBytes, .bytes, .transientBytes) { model.transientBytes = value }
        if let value = try stages(recomputeTime, .duration, .recompute) { model.recompute = value }
        if let value = try stages(checkpointBytes, .bytes, .checkpointBytes) { model.checkpointBytes = value }
        if let latency { model.latency = try CostQuantity.single(latency, .duration, option: CostModel.Field.latency.option) }
        if let bandwidth { model.bandwidth = try CostQuantity.single(bandwidth, .bandwidth, option: CostModel.Field.bandwidth.option) }
        if let contention { model.contention = contention }
        if let value = try stages(coldStart, .duration, .coldStart) { model.coldStart = value }
        if let value = try stages(firstAction, .duration, .firstAction) { model.firstAction = value }
        if let workingSet { model.workingSet = try Self.workingSetPoints(workingSet) }
        if let deviceSpeed {
            model.deviceSpeed = try deviceSpeed.split(separator: ",").map { item in
                guard let factor = Double(item.trimmingCharacters(in: .whitespaces)) else {
                    throw CommandError("\(CostModel.Field.deviceSpeed.option) '\(item)': give one number per device separated by commas, e.g. 1,1.05")
                }
                return factor
            }
        }
        if let dispatch { model.dispatch = try CostQuantity.single(dispatch, .duration, option: CostModel.Field.dispatch.option) }
        if let uncertainty { model.uncertainty = try Self.fraction(uncertainty) }
        do { try model.validate() } catch { throw CommandError(error.description) }
        if let saveCostModel {
            do { try model.save(to: saveCostModel) } catch { throw CommandError(error.description) }
        }
        return model
    }

    /// Parses `--uncertainty`: a fraction (0.03) or a percentage (3%).
    static func fraction(_ text: String) throws -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let percent = trimmed.hasSuffix("%")
        guard let value = Double(percent ? String(trimmed.dropLast()) : trimmed) else {
            throw CommandError("\(CostModel.Field.uncertainty.option) '\(text)': give a fraction such as 0.03 or a percentage such as 3%")
        }
        return percent ? value / 100 : value
    }

    /// Parses `--working-set` points: `size:factor` separated by commas.
    static func workingSetPoints(_ text: String) throws -> [WorkingSetPoint] {
        let option = CostModel.Field.workingSet.option
        return try text.split(separator: ",").map { item in
            let parts = item.split(separator: ":")
            guard parts.count == 2, let bytes = CostQuantity.value(parts[0], .bytes), let factor = Double(parts[1].trimmingCharacters(in: .whitespaces)) else {
                throw CommandError("\(option) '\(item)': give size:factor points separated by commas, e.g. 8MiB:1,16MiB:1.15")
            }
            return WorkingSetPoint(bytes: bytes, factor: factor)
        }
    }
}
