import Executor
import Schedule
import Simulator

/// Measures a cost model for `ThreadedExecutor` on this machine: `stagecraft calibrate`, and the first
/// step of `stagecraft run --predict`.
///
/// It trains the configured MLP with calibration schedules of the same model split, device count and
/// micro-batch size, and reads the cost model off their timelines — never the timeline of a schedule
/// being predicted:
/// - `forward`, `backward` per stage: from 1F1B (interleaved 1F1B when chunks > 1), so each device's
///   thread runs while the other devices compute, as in any pipeline;
/// - `inputGrad`, `weightGrad` per stage: from the same schedule with every `B` split into `I` then `W`;
/// - `gradSync`: from Chimera (even device counts), else 0; with chunks > 1 Chimera runs the same
///   layers over one stage per device, and each of those stages' sum is shared among the virtual
///   stages it covers in proportion to their layers (the sum is a loop over the parameters);
/// - `workingSet`: how much slower compute runs when a device holds more parameters — Chimera's
///   devices hold two stages (both replicas) where 1F1B's hold one (see `WorkingSetFit`);
/// - `deviceSpeed`: how much faster or slower each device computes, from Chimera, which runs every
///   stage on two devices (see `DeviceSpeedFit`); the durations above are then a speed-1 device's;
/// - `latency`: the hand-off between threads — start of an action minus the end of the cross-device
///   predecessor it waited for (plus the emulated link latency, with `bandwidth` and `transferBytes`
///   set from the emulated link);
/// - `dispatch`: the time a device takes between two of its actions when it does not wait;
/// - `coldStart`: per stage, how much longer an action takes when its device's previous action was on
///   another stage (from the pipeline when chunks > 1, else from Chimera's switches), and
///   `firstAction`, when it is the device's first of the iteration, and `firstOfOp`, when it is its
///   first of another op kind — its first B, I or W (see `TimingSamples`);
/// - `optimizerStep`: from the end of the last action to the end of the iteration;
/// - memory: `ExecutorMemory` (exact, from the configuration).
///
/// Spread in time: the calibration schedules take turns in blocks (`settings.blockSize` measured
/// iterations, each block after one discarded iteration that refills the caches the other schedules'
/// weights took), so a slow phase of the machine weighs on every schedule alike. With a block size of
/// 1 they alternate iteration by iteration and nothing is discarded: every iteration follows another
/// executor's, and `run --predict` puts one iteration of the measured run into each turn, so that
/// prediction and measurement see the same phases of the machine and the same caches. The turn order
/// changes from block to block so that every turn follows each of the others equally often
/// (`TurnOrder`). Durations are robust estimates (`TimingSamples`), the fixed costs
/// (hand-off, dispatch, optimizer step) medians.
///
/// Jitter: a pipeline whose actions jitter takes longer than one at their typical durations, because
/// each wait on another device takes the later of two jittered ends. That is waiting time, so the
/// hand-off latency is raised by the amount that makes the model predict the calibration schedules'
/// own median makespans (fitted on them only; the durations, and so busy time, stay as measured).
///
/// Checked against itself: the fitted model predicts the calibration schedules' own makespans; when
/// one lies outside the quartiles of its measured iterations and more than `tolerance` from their
/// median, `retryIterations` more iterations of each are measured (at most `retries` times) and the
/// model is fitted again; if it still disagrees, the result carries a warning naming the schedule and
/// both makespans.
public struct Calibrator {
    public let settings: CalibrationSettings
    /// Self-check tolerance on the makespan of a calibration schedule (relative).
    public static let tolerance = 0.02
    /// Iterations of each calibration schedule measured again when the self-check fails, and how often.
    public static let retryIterations = 4
    public static let retries = 2

    public init(settings: CalibrationSettings) {
        self.settings = settings
    }

    /// How well the fitted model predicts one calibration schedule's own measured makespans.
    public struct SelfCheck: Sendable {
        public var schedule: String
        public var predicted: Int64
        /// The measured iterations' makespans (ns).
        public var measured: Spread
        /// (predicted − measured median) / measured median.
        public var error: Double { measured.median > 0 ? (Double(predicted) - measured.median) / measured.median : 0 }
        /// Within the measured quartiles, or within `Calibrator.tolerance` of the median.
        public var agrees: Bool { measured.contains(Double(predicted)) || abs(error) <= Calibrator.tolerance }
    }

    /// What a calibration measured: the cost model and how many samples each part rests on.
    public struct Result: Sendable {
        public var costModel: CostModel
        public var settings: CalibrationSettings
        /// Number of measured actions per op token (`F`, `B`, `I`, `W`, `REDUCE_GRAD`).
        public var samples: [String: Int]
        public var handOffSamples: Int
        public var dispatchSamples: Int
        /// How steady the machine was: the interquartile range of the measured iterations' makespans over
        /// their median, per calibration schedule (0.01 = 1%).
        public var spread: [String: Double]
        /// The model's prediction of each calibration schedule against its measurement.
        public var selfCheck: [SelfCheck]
        /// Iterations measured per calibration schedule (self-check retries included).
        public var repetitions: Int
        /// Self-check retries made.
        public var retries: Int
        /// What a user must know about this model (a self-check that still fails).
        public var warnings: [String]
        /// The latency (ns) added to the measured hand-off so that the model predicts the calibration
        /// schedules' own median makespans (see `CalibrationSession.fit`); negative when it lowered it.
        public var jitter: Double
    }

    /// Runs the calibration; `progress` receives its lines; `between(block)` runs once in every block
    /// of calibration schedules, at a position that changes from block to block (e.g. an iteration of
    /// the run being predicted, so that it and the calibration see the same phases of the machine).
    public func run(progress: (String) -> Void = { _ in }, between: ((Int) throws -> Void)? = nil) throws -> Result {
        try settings.validate()
        var results: [Result] = []
        for round in 0..<settings.rounds {
            if settings.rounds > 1 { progress("round \(round + 1) of \(settings.rounds)") }
            results.append(try runRound(progress: progress, between: round == 0 ? between : nil))
        }
        var combined = results[0]
        if results.count > 1 {
            combined.costModel = Self.median(of: results.map(\.costModel))
            for result in results.dropFirst() {
                combined.samples.merge(result.samples, uniquingKeysWith: +)
                combined.handOffSamples += result.handOffSamples
                combined.dispatchSamples += result.dispatchSamples
                combined.spread.merge(result.spread) { max($0, $1) }
                combined.repetitions += result.repetitions
                combined.retries += result.retries
            }
            combined.warnings = results.flatMap(\.warnings)
        }
        combined.costModel.uncertainty = Self.uncertainty(of: results)
        return combined
    }

    /// How far the model's predictions may be off, as `CostModel.uncertainty`: the largest, over the
    /// rounds' calibration schedules, of the self-check's |error| and half the measured interquartile
    /// range over the median — a model cannot be trusted more finely than it predicts its own
    /// calibration runs, nor than those runs agree with each other. Rounded up to 0.1%, at most 1.
    static func uncertainty(of results: [Result]) -> Double {
        var worst = 0.0
        for result in results {
            for check in result.selfCheck { worst = max(worst, abs(check.error)) }
            for spread in result.spread.values { worst = max(worst, spread / 2) }
        }
        return min(1, (worst * 1000).rounded(.up) / 1000)
    }

    /// Per value, the median over `models` (of the same stage count): one round measured while the
    /// machine was slower or faster than usual moves nothing.
    static func median(of models: [CostModel]) -> CostModel {
        func middle(_ values: [Double]) -> Double { TimingSamples.median(values) ?? 0 }
        func stages(_ pick: (CostModel) -> StageValues?) -> StageValues? {
            let lists = models.compactMap { pick($0)?.values }
            guard lists.count == models.count, let count = lists.first?.count, lists.allSatisfy({ $0.count == count }) else { return pick(models[0]) }
            let values = (0..<count).map { i in middle(lists.map { $0[i] }) }
            if case .uniform? = pick(models[0]) { return .uniform(values[0]) }
            return .perStage(values)
        }
        var model = models[0]
        model.forward = stages(\.forward) ?? model.forward
        model.backward = stages(\.backward) ?? model.backward
        model.inputGrad = stages(\.inputGrad)
        model.weightGrad = stages(\.weightGrad)
        model.gradSync = stages(\.gradSync) ?? model.gradSync
        model.optimizerStep = stages(\.optimizerStep) ?? model.optimizerStep
        model.coldStart = stages(\.coldStart) ?? model.coldStart
        model.firstAction = stages(\.firstAction)
        model.firstOfOp = model.firstOfOp.keys.reduce(into: [:]) { result, token in
            result[token] = middle(models.compactMap { $0.firstOfOp[token] })
        }
        if models.allSatisfy({ $0.deviceSpeed.count == models[0].deviceSpeed.count }) {
            model.deviceSpeed = models[0].deviceSpeed.indices.map { d in middle(models.map { $0.deviceSpeed[d] }) }
        }
        model.latency = middle(models.map(\.latency))
        model.dispatch = middle(models.map(\.dispatch))
        if models.allSatisfy({ $0.workingSet.count == models[0].workingSet.count }) {
            model.workingSet = models[0].workingSet.indices.map { i in
                WorkingSetPoint(bytes: models[0].workingSet[i].bytes, factor: middle(models.map { $0.workingSet[i].factor }))
            }
        }
        return model
    }

    /// One round: blocks of every calibration schedule on fresh executors, fitted and self-checked.
    private func runRound(progress: (String) -> Void, between: ((Int) throws -> Void)?) throws -> Result {
        let s = settings
        let session = try CalibrationSession(settings: s)
        let alternating = s.blockSize == 1
        progress("calibrating with \(session.scheduleNames.joined(separator: ", ")): \(s.warmup) warm-up iterations each, then "
                 + (alternating ? "\(s.repetitions) measured iterations each, alternating iteration by iteration"
                                : "\(s.repetitions) measured iterations each in blocks of \(s.blockSize) taking turns"))
        try session.warmUp(iterations: s.warmup)
        var measured = 0, blocks = 0
        /// Measures `count` more iterations of each schedule, block by block.
        func measure(_ count: Int) throws {
            let target = measured + count
            while measured < target {
                let size = min(s.blockSize, target - measured)
                let block = blocks
                try session.measureBlock(block, iterations: size, discardFirst: !alternating, between: between.map { call in { try call(block) } })
                measured += size
                blocks += 1
            }
        }
        try measure(s.repetitions)
        var result = session.fit()
        var retries = 0
        while result.selfCheck.contains(where: { !$0.agrees }) && retries < Self.retries {
            let off = result.selfCheck.filter { !$0.agrees }.map { String(format: "%@ %+.1f%%", $0.schedule, $0.error * 100) }
            progress("self-check: the model misses its own calibration runs (\(off.joined(separator: ", "))); measuring \(Self.retryIterations) more iterations of each")
            try measure(Self.retryIterations)
            retries += 1
            result = session.fit()
        }
        result.repetitions = measured
        result.retries = retries
        for check in result.selfCheck where !check.agrees {
            result.warnings.append(String(format: "the calibrated model predicts %@ at %.3f ms where its %d measured iterations took %.3f ms "
                                          + "(quartiles %.3f–%.3f ms): %+.1f%%. The machine's speed changed during the calibration, or "
                                          + "this schedule has a cost the model lacks; calibrate again on an idle machine before trusting it",
                                          check.schedule, Double(check.predicted) / 1e6, check.measured.count, check.measured.median / 1e6,
                                          check.measured.q1 / 1e6, check.measured.q3 / 1e6, check.error * 100))
        }
        return result
    }

    /// `schedule` with every full backward `B` replaced by `I` then `W` of the same micro-batch.
    static func splitBackward(_ schedule: Schedule) -> Schedule {
        let lists = (0..<schedule.deviceCount).map { d in
            schedule.actions(on: d).flatMap { action -> [Action] in
                guard action.op == .backward else { return [action] }
                return [Action(.inputGrad, stage: action.stage, microbatch: action.microbatch, replica: action.replica),
                        Action(.weightGrad, stage: action.stage, microbatch: action.microbatch, replica: action.replica)]
            }
        }
        return Schedule(name: schedule.name + "-split", placement: schedule.placement, microbatchCount: schedule.microbatchCount,
                        actionsByDevice: lists)
    }
}
