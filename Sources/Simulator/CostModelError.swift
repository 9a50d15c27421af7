/// Why a cost model was rejected. Every case names the field (as in the JSON file, with its
/// command-line option) and says how to fix it.
public enum CostModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A value is NaN; `index` is the stage for per-stage lists.
    case notANumber(CostModel.Field, index: Int?)
    /// A value is infinite.
    case infinite(CostModel.Field, index: Int?)
    /// A value is below zero.
    case negative(CostModel.Field, index: Int?, Double)
    /// A value is above `CostModel.largestValue`.
    case tooLarge(CostModel.Field, index: Int?, Double)
    /// A value that must be above zero is not (bandwidth).
    case notPositive(CostModel.Field, Double)
    /// A per-stage list is empty.
    case emptyList(CostModel.Field)
    /// A per-stage list's length differs from the schedule's stage count.
    case wrongLength(CostModel.Field, count: Int, stages: Int)
    /// latency + transferBytes / bandwidth of a stage boundary exceeds `CostModel.largestValue`.
    case transferTooLong(stage: Int, nanoseconds: Double)
    /// A stage's `checkpointBytes` (what a recomputed forward keeps) exceed its `activationBytes`.
    case checkpointLargerThanActivations(stage: Int, checkpoint: Double, activations: Double)
    /// A key of `firstOfOp` is not an op token with a duration.
    case unknownOp(String)
    /// A device's `deviceSpeed` factor is not above 0 and at most 100.
    case badDeviceSpeed(device: Int, Double)
    /// `deviceSpeed` lists another number of devices than the schedule has.
    case wrongDeviceCount(count: Int, devices: Int)
    /// A point of `workingSet` is out of range or out of order.
    case badWorkingSet(index: Int, reason: String)
    /// A cost-model file could not be read or parsed: (file, what was wrong, the field where known).
    case malformed(file: String, reason: String, field: String?)
    /// A cost model of `stages` stages cannot be merged into `into` (not a divisor).
    case cannotMerge(stages: Int, into: Int)
    /// A cost-model file could not be written.
    case unwritable(file: String, reason: String)

    public var description: String {
        func at(_ field: CostModel.Field, _ index: Int?) -> String {
            "cost model field \(field)" + (index.map { " at stage \($0)" } ?? "")
        }
        switch self {
        case let .notANumber(field, index):
            return "\(at(field, index)) is NaN: give a number of \(field.unit)"
        case let .infinite(field, index):
            return "\(at(field, index)) is infinite: give a finite number of \(field.unit)"
        case let .negative(field, index, value):
            return "\(at(field, index)) is \(value), below zero: give 0 or more \(field.unit)"
        case let .tooLarge(field, index, value):
            if field == .uncertainty { return "\(at(field, index)) is \(value), above 1: give a \(field.unit)" }
            return "\(at(field, index)) is \(value), above the largest accepted \(CostModel.largestValue) \(field.unit)"
        case let .notPositive(field, value):
            return "cost model field \(field) is \(value): it must be a finite number of \(field.unit) above zero "
                + "(leave it out for unlimited bandwidth)"
        case let .emptyList(field):
            return "cost model field \(field) is an empty list: give one number, or one per stage"
        case let .wrongLength(field, count, stages):
            return "cost model field \(field) has \(count) per-stage values but the schedule has \(stages) stages "
                + "(devices × chunks): give one number for all stages, or exactly \(stages)"
        case let .transferTooLong(stage, nanoseconds):
            return "a transfer after stage \(stage) would take \(nanoseconds) ns (latency + transferBytes / bandwidth), "
                + "above the largest accepted \(CostModel.largestValue): lower 'transferBytes' (--transfer-bytes) or raise 'bandwidth' (--bandwidth)"
        case let .checkpointLargerThanActivations(stage, checkpoint, activations):
            return "cost model field \(CostModel.Field.checkpointBytes) at stage \(stage) is \(checkpoint), above the stage's "
                + "\(CostModel.Field.activationBytes) \(activations): the checkpoint (the stage's input) is part of the activations; "
                + "lower the one or raise the other"
        case let .unknownOp(token):
            return "cost model field \(CostModel.Field.firstOfOp) has the key '\(token)': use the op tokens F, B, I, W and R"
        case let .badDeviceSpeed(device, factor):
            return "cost model field \(CostModel.Field.deviceSpeed) of device \(device) is \(factor): give a time factor above 0 and at most \(Int(CostModel.largestFactor)) (1: as measured)"
        case let .wrongDeviceCount(count, devices):
            return "cost model field \(CostModel.Field.deviceSpeed) lists \(count) devices but the schedule has \(devices): give one factor per device, or none"
        case let .badWorkingSet(index, reason):
            return "cost model field \(CostModel.Field.workingSet) point \(index): \(reason)"
        case let .malformed(file, reason, field):
            return "cannot read cost model \(file)" + (field.map { ", field '\($0)'" } ?? "") + ": \(reason)"
        case let .cannotMerge(stages, into):
            return "the cost model has \(stages) stages, which cannot be merged into \(into); calibrate with a stage count that is a multiple of \(into)"
        case let .unwritable(file, reason):
            return "cannot write cost model \(file): \(reason)"
        }
    }
}
