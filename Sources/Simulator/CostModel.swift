import Schedule

/// What every action and transfer costs, and how much memory each stage holds: the simulator's input
/// besides the schedule.
///
/// Units: durations and latency in nanoseconds (fractions are rounded to the nearest nanosecond per
/// stage), bandwidth in bytes per second, sizes in bytes. Per-stage values index virtual stages
/// (devices × chunks for interleaved schedules); Chimera's two replicas of a stage share its values.
///
/// - Durations: `forward` and `backward` (a full backward, `B`); `inputGrad` and `weightGrad` for
///   schedules that split the backward (`I`, `W`) — when absent, `inputGrad` is half of `backward`
///   (rounded down) and `weightGrad` the rest. `gradSync` is the duration of the replica gradient sum
///   (its whole cost: no transfer is added on the edges into it); `optimizerStep` runs on every device
///   after its last action, once per stage it holds.
/// - Transfers: an edge between actions on different devices (a forward's output going to the next
///   stage, an input gradient going to the previous one) takes `latency + transferBytes / bandwidth`,
///   where `transferBytes[s]` is the size of the tensor crossing the boundary between stages s and
///   s + 1 (activation one way, its gradient the other way). Edges within a device cost nothing. Without
///   `bandwidth` the bandwidth is unlimited. With `contention`, a link (source device → destination
///   device) carries one transfer at a time; transfers queue in the order their data is ready (ties:
///   by device, then action id) and occupy the link for their whole time.
/// - Recompute: `recompute` is the duration of an `R` (re-running a stage's forward from its input);
///   when absent it is the forward's.
/// - Dispatch: `dispatch` is the time a device takes between the end of one of its actions and the
///   start of the next when nothing else holds it back (its own bookkeeping: recording the end,
///   checking the next action's inputs), and before its first action. An action waiting for another
///   device starts `latency` after that device's action ends instead (the hand-off between threads),
///   when that is later.
/// - Cold start: an action of stage s (any op but the gradient sync) takes `coldStart[s]` longer
///   when its device's previous action was on another stage or replica — the stage's weights are no
///   longer in the caches and are read again — and `firstAction[s]` longer when it is the device's
///   first action of the iteration (the optimizer step, or another program, ran since; nil: `coldStart[s]`).
///   A device's later first action of another op kind (its first B after its forwards, its first W)
///   takes `firstOfOp[op]` longer: the first use of that kernel and its buffers in the iteration — on
///   the threaded executor, whose device threads start anew every iteration, about 100 µs here. GPipe
///   puts every device's first B on the critical path; 1F1B hides most of it.
/// - Working set: with `workingSet` points (bytes, factor), every forward, backward, input- and
///   weight-gradient and recompute of stage s takes `factor(b)` times its duration, where b is the
///   `weightBytes` held by the device of the stage's first replica (all the stages it holds, replicas
///   included) and `factor` interpolates linearly between the points, constant beyond the first and
///   the last. Empty: factor 1. A calibration measures it: Chimera's devices hold twice the weights of
///   1F1B's, and compute slows down once the caches no longer hold them (see `WorkingSetPoint`).
/// - Device speed: with `deviceSpeed`, every forward, backward, input- and weight-gradient and
///   recompute on device d takes `deviceSpeed[d]` times its duration (the durations are those of a
///   device of speed 1). Two cores of one machine need not be equally fast — another program may share
///   one — and a stage need not run on the device it was measured on (ZB-V places stages 0 and 3 on
///   device 0 where interleaved 1F1B places 0 and 2; Chimera places each stage on two devices).
/// - Memory (per device, following its action order only, so it does not depend on timing — the same
///   count `ThreadedExecutor` keeps, so a calibrated model predicts its peak exactly):
///   `activationBytes[s]` is held on stage s's device from the start of the forward of a micro-batch
///   until the action that frees it: the full backward `B`, or — for a split backward — the weight
///   gradient `W` (it still needs the stage's input). `gradientBytes[s]` (activation gradients) is
///   held from the start of the micro-batch's `I` until its `W`; a `B` holds it only while it runs.
///   `transientBytes[s]` is held only while an `I` or `B` runs (the input gradient it sends back).
///   In a schedule with no backward at all (inference), a forward holds its activations only while
///   it runs. Activation recompute (`R`): a forward whose micro-batch the stage recomputes holds
///   `activationBytes[s]` while it runs and keeps only `checkpointBytes[s]` (its input) after it;
///   the recompute takes the rest, `activationBytes[s] − checkpointBytes[s]`, from its start, so from
///   then on the micro-batch holds `activationBytes[s]` again until its `B` or `W`. `weightBytes[s]` is held all the time on every device that holds a replica of stage
///   s, so Chimera's two replicas count twice. `Timeline.peakMemory` is weights plus the peak of
///   the rest.
public struct CostModel: Equatable, Sendable {
    /// Forward duration per stage (ns).
    public var forward: StageValues
    /// Full backward (`B`) duration per stage (ns).
    public var backward: StageValues
    /// Input-gradient (`I`) duration per stage (ns); nil: half of `backward`, rounded down.
    public var inputGrad: StageValues?
    /// Weight-gradient (`W`) duration per stage (ns); nil: `backward` minus `inputGrad`.
    public var weightGrad: StageValues?
    /// Activation-recompute (`R`) duration per stage (ns); nil: the forward's.
    public var recompute: StageValues?
    /// Duration of the replica gradient sum (`gradSync`) of each stage (ns).
    public var gradSync: StageValues
    /// Optimizer step per stage (ns), run on each device after its last action.
    public var optimizerStep: StageValues
    /// Fixed time of every transfer between two devices (ns).
    public var latency: Double
    /// Link bandwidth in bytes per second; nil is unlimited.
    public var bandwidth: Double?
    /// Bytes crossing the boundary from stage s to s + 1 (and its gradient back), per stage.
    public var transferBytes: StageValues
    /// Activation bytes one micro-batch holds on stage s from its forward until its backward.
    public var activationBytes: StageValues
    /// Activation-gradient bytes one micro-batch holds on stage s from its `I` until its `W`.
    public var gradientBytes: StageValues
    /// Bytes an `I` or `B` of stage s holds only while it runs.
    public var transientBytes: StageValues
    /// Bytes of stage s's input, part of `activationBytes[s]`: all a forward keeps of a micro-batch
    /// that the stage recomputes (`R`) before its backward.
    public var checkpointBytes: StageValues
    /// Extra time of an action of stage s after an action of another stage (ns).
    public var coldStart: StageValues
    /// Extra time of a device's first action of the iteration, on stage s (ns); nil: `coldStart`.
    public var firstAction: StageValues?
    /// Extra time (ns) of a device's first action of an op kind other than its very first action's,
    /// keyed by op token (`F`, `B`, `I`, `W`, `R`); absent ops: 0.
    public var firstOfOp: [String: Double]
    /// Parameter bytes of stage s, held by every device that holds a replica of it.
    public var weightBytes: StageValues
    /// Whether a link carries one transfer at a time per direction.
    public var contention: Bool
    /// Time a device takes between two of its actions, and before its first (ns).
    public var dispatch: Double
    /// Compute slowdown by parameter bytes held per device, points in increasing bytes; empty: none.
    public var workingSet: [WorkingSetPoint]
    /// Time factor of each device's compute; empty: 1 on every device.
    public var deviceSpeed: [Double]
    /// How far a makespan predicted with these costs may be off, as a fraction (0.03: ±3%); nil when
    /// unknown. `calibrate` sets it from its own measurements (see `Calibrator`); the simulator ignores
    /// it, and `tune` names the candidates it cannot tell apart from the fastest.
    public var uncertainty: Double?

    /// A cost model; by default a forward takes 1 ns, a backward 2 ns, and everything else is free.
    public init(forward: StageValues = .uniform(1), backward: StageValues = .uniform(2),
                inputGrad: StageValues? = nil, weightGrad: StageValues? = nil,
                gradSync: StageValues = .uniform(0), optimizerStep: StageValues = .uniform(0),
                latency: Double = 0, bandwidth: Double? = nil, transferBytes: StageValues = .uniform(0),
                activationBytes: StageValues = .uniform(0), weightBytes: StageValues = .uniform(0),
                contention: Bool = false, gradientBytes: StageValues = .uniform(0), transientBytes: StageValues = .uniform(0),
                dispatch: Double = 0, recompute: StageValues? = nil, checkpointBytes: StageValues = .uniform(0),
                coldStart: StageValues = .uniform(0), workingSet: [WorkingSetPoint] = [], firstAction: StageValues? = nil,
                deviceSpeed: [Double] = [], firstOfOp: [String: Double] = [:], uncertainty: Double? = nil) {
        self.forward = forward
        self.backward = backward
        self.inputGrad = inputGrad
        self.weightGrad = weightGrad
        self.gradSync = gradSync
        self.optimizerStep = optimizerStep
        self.latency = latency
        self.bandwidth = bandwidth
        self.transferBytes = transferBytes
        self.activationBytes = activationBytes
        self.gradientBytes = gradientBytes
        self.transientBytes = transientBytes
        self.weightBytes = weightBytes
        self.contention = contention
        self.dispatch = dispatch
        self.recompute = recompute
        self.checkpointBytes = checkpointBytes
        self.coldStart = coldStart
        self.workingSet = workingSet
        self.firstAction = firstAction
        self.deviceSpeed = deviceSpeed
        self.firstOfOp = firstOfOp
        self.uncertainty = uncertainty
    }

    /// The working-set factor at `bytes` held per device (1 without points).
    public func workingSetFactor(bytes: Double) -> Double {
        guard let first = workingSet.first, let last = workingSet.last else { return 1 }
        if bytes <= first.bytes { return first.factor }
        if bytes >= last.bytes { return last.factor }
        for (a, b) in zip(workingSet, workingSet.dropFirst()) where bytes <= b.bytes {
            return a.factor + (b.factor - a.factor) * (bytes - a.bytes) / (b.bytes - a.bytes)
        }
        return last.factor
    }

    /// The fields of a cost model, named as in its JSON form; `option` is the command-line spelling.
    public enum Field: String, CaseIterable, Sendable, CustomStringConvertible {
        case forward, backward, inputGrad, weightGrad, gradSync, optimizerStep
        case latency, bandwidth, transferBytes, activationBytes, weightBytes, contention
        case gradientBytes, transientBytes, dispatch
        case recompute, checkpointBytes, coldStart, workingSet, firstAction, deviceSpeed, firstOfOp
        case uncertainty

        /// The `stagecraft simulate` option that sets the field.
        public var option: String {
            if self == .recompute { return "--recompute-time" }  // `--recompute` is the schedule flag
            return "--" + rawValue.reduce(into: "") { text, character in
                if character.isUppercase { text += "-" + character.lowercased() } else { text.append(character) }
            }
        }

        /// What the field's numbers mean.
        var unit: String {
            switch self {
            case .forward, .backward, .inputGrad, .weightGrad, .gradSync, .optimizerStep, .latency, .dispatch, .recompute, .coldStart, .firstAction: "nanoseconds"
            case .bandwidth: "bytes per second"
            case .transferBytes, .activationBytes, .weightBytes, .gradientBytes, .transientBytes, .checkpointBytes: "bytes"
            case .contention: "true or false"
            case .workingSet: "points {bytes, factor}"
            case .deviceSpeed: "time factors, one per device"
            case .firstOfOp: "nanoseconds per op token (F, B, I, W, R)"
            case .uncertainty: "fraction of a makespan, from 0 to 1 (0.03: ±3%)"
            }
        }

        public var description: String { "'\(rawValue)' (\(option))" }
    }

    /// The largest duration or size accepted (1e15: about 11.6 days in nanoseconds, 1 PB in bytes),
    /// so that sums over many actions stay within 64-bit integers.
    public static let largestValue = 1e15

    /// The largest time factor accepted (`workingSet`, `deviceSpeed`): a larger one is a unit mistake,
    /// not a cache or a slower core.
    public static let largestFactor = 100.0

    /// Every per-stage field with its values (nil where unset).
    public var stageFields: [(field: Field, values: StageValues?)] {
        [
            (.forward, forward), (.backward, backward), (.inputGrad, inputGrad), (.weightGrad, weightGrad),
            (.gradSync, gradSync), (.optimizerStep, optimizerStep), (.transferBytes, transferBytes),
            (.activationBytes, activationBytes), (.weightBytes, weightBytes),
            (.gradientBytes, gradientBytes), (.transientBytes, transientBytes),
            (.recompute, recompute), (.checkpointBytes, checkpointBytes), (.coldStart, coldStart), (.firstAction, firstAction),
        ]
    }

    /// Checks every value: finite, not negative, not above `largestValue`; bandwidth above zero.
    public func validate() throws(CostModelError) {
        for (field, stageValues) in stageFields {
            guard let stageValues else { continue }
            if case let .perStage(values) = stageValues, values.isEmpty {
                throw .emptyList(field)
            }
            let indexed: Bool
            if case .perStage = stageValues { indexed = true } else { indexed = false }
            for (index, value) in stageValues.values.enumerated() {
                try Self.check(value, field, index: indexed ? index : nil)
            }
        }
        try Self.check(latency, .latency, index: nil)
        try Self.check(dispatch, .dispatch, index: nil)
        for (token, value) in firstOfOp.sorted(by: { $0.key < $1.key }) {
            guard let op = Op.allCases.first(where: { $0.token == token }), op != .gradSync else {
                throw .unknownOp(token)
            }
            try Self.check(value, .firstOfOp, index: nil)
        }
        for (device, factor) in deviceSpeed.enumerated() {
            guard factor.isFinite, factor > 0, factor <= Self.largestFactor else {
                throw .badDeviceSpeed(device: device, factor)
            }
        }
        for (index, point) in workingSet.enumerated() {
            guard point.bytes.isFinite, point.bytes >= 0, point.bytes <= Self.largestValue else {
                throw .badWorkingSet(index: index, reason: "bytes \(point.bytes) is not between 0 and \(Self.largestValue)")
            }
            guard point.factor.isFinite, point.factor > 0, point.factor <= Self.largestFactor else {
                throw .badWorkingSet(index: index, reason: "factor \(point.factor) is not between 0 (exclusive) and \(Int(Self.largestFactor))")
            }
            if index > 0 && point.bytes <= workingSet[index - 1].bytes {
                throw .badWorkingSet(index: index, reason: "its bytes \(point.bytes) do not exceed the previous point's \(workingSet[index - 1].bytes); list the points in increasing bytes")
            }
        }
        if let bandwidth {
            guard bandwidth.isFinite, bandwidth > 0 else { throw .notPositive(.bandwidth, bandwidth) }
        }
        if let uncertainty {
            try Self.check(uncertainty, .uncertainty, index: nil)
            guard uncertainty <= 1 else { throw .tooLarge(.uncertainty, index: nil, uncertainty) }
        }
    }

    private static func check(_ value: Double, _ field: Field, index: Int?) throws(CostModelError) {
        guard !value.isNaN else { throw .notANumber(field, index: index) }
        guard value.isFinite else { throw .infinite(field, index: index) }
        guard value >= 0 else { throw .negative(field, index: index, value) }
        guard value <= largestValue else { throw .tooLarge(field, index: index, value) }
    }
}

/// One point of `CostModel.workingSet`: at `bytes` of parameters held per device, compute takes
/// `factor` times the durations of the cost model (which are those measured at the first point's bytes).
public struct WorkingSetPoint: Equatable, Sendable, Codable {
    /// Parameter bytes (weights and their gradients) held by a device.
    public var bytes: Double
    /// Duration multiplier at that working set.
    public var factor: Double

    public init(bytes: Double, factor: Double) {
        self.bytes = bytes
        self.factor = factor
    }
}
