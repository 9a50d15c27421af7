import Executor
import Schedule
import Simulator

/// Measures a cost model for `ThreadedExecutor` on this machine: `stagecraft calibrate`.
///
/// It trains the configured MLP (warm-up iterations discarded, then `repetitions` measured) with
/// calibration schedules of the same model split, device count and micro-batch size, and reads the
/// cost model off their timelines — never the timeline of the schedule being predicted:
/// - `forward`, `backward` per stage: from 1F1B (interleaved 1F1B when chunks > 1) only, so each
///   device's thread runs while the other devices compute, as in any pipeline;
/// - `inputGrad`, `weightGrad` per stage: from the same schedule with every `B` split into `I` then `W`;
/// - `gradSync`: from Chimera (even device counts), else 0; with chunks > 1 Chimera runs the same
///   layers over one stage per device, and each of those stages' sum is shared among the virtual
///   stages it covers in proportion to their layers (the sum is a loop over the parameters);
/// - `latency`: the hand-off between threads — start of an action minus the end of the cross-device
///   predecessor it waited for (plus the emulated link latency, with `bandwidth` and `transferBytes`
///   set from the emulated link);
/// - `dispatch`: the time a device takes between two of its actions when it does not wait;
/// - `coldStart`: per stage, how much longer an action takes when its device's previous action was on
///   another stage, or when it is the first of the iteration (its weights are read into the caches
///   again) — interleaved schedules switch stages all the time; the durations above are the warm ones;
/// - `optimizerStep`: from the end of the last action to the end of the iteration;
/// - memory: `ExecutorMemory` (exact, from the configuration).
/// With `rounds` > 1 the whole measurement is repeated on fresh executors and each value is the
/// median over the rounds. Durations are means without the slowest 2% of the samples: the makespan
/// is a sum of durations, so a mean predicts it better than a median, and the trim drops preemptions by
/// other processes. The fixed costs (hand-off, dispatch), heavy-tailed, are medians.
public struct Calibrator {
    public let settings: CalibrationSettings

    public init(settings: CalibrationSettings) {
        self.settings = settings
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
        /// their median, per calibration schedule (0.01 = 1%). Above a few percent, something else was
        /// running: calibrate again.
        public var spread: [String: Double]
    }

    /// Runs the calibration; `progress` receives a line per calibration schedule.
    public func run(progress: (String) -> Void = { _ in }) throws(CalibrationError) -> Result {
        guard settings.rounds >= 1 else { throw .invalidSettings("--rounds \(settings.rounds): calibrate at least 1 round") }
        var results: [Result] = []
        for round in 0..<settings.rounds {
            if settings.rounds > 1 { progress("round \(round + 1) of \(settings.rounds)") }
            results.append(try runRound(progress: progress))
        }
        guard var combined = results.first, results.count > 1 else { return results[0] }
        combined.costModel = Self.median(of: results.map(\.costModel))
        for result in results.dropFirst() {
            combined.samples.merge(result.samples, uniquingKeysWith: +)
            combined.handOffSamples += result.handOffSamples
            combined.dispatchSamples += result.dispatchSamples
            combined.spread.merge(result.spread) { max($0, $1) }
        }
        return combined
    }

    /// Per value, the median over `models` (of the same stage count): one round measured while the
    /// machine was slower or faster than usual moves nothing.
    static func median(of models: [CostModel]) -> CostModel {
        func middle(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
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
        model.latency = middle(models.map(\.latency))
        model.dispatch = middle(models.map(\.dispatch))
        return model
    }

    /// One round: every calibration schedule on fresh executors.
    private func runRound(progress: (String) -> Void) throws(CalibrationError) -> Result {
        let s = settings
        guard s.warmup >= 0 else { throw .invalidSettings("--warmup \(s.warmup): give 0 or more iterations") }
        guard s.repetitions >= 1 else { throw .invalidSettings("--repetitions \(s.repetitions): measure at least 1 iteration") }
        let model = MLPConfiguration(layers: s.layers, hidden: s.hidden, batch: s.batch, seed: s.seed, layersPerStage: s.layersPerStage)
        let family: ScheduleFamily = s.chunks > 1 ? .interleaved : .oneFOneB
        let pipeline: Schedule
        do {
            pipeline = try family.make(devices: s.devices, microbatches: s.microbatches, chunks: s.chunks)
        } catch {
            throw .invalidSettings(error.description)
        }
        var schedules = [pipeline, Self.splitBackward(pipeline)]
        if s.devices % 2 == 0, let chimera = try? ScheduleFamily.chimera.make(devices: s.devices, microbatches: s.microbatches) {
            schedules.append(chimera)
        }
        let fineLayers: [Int]
        do { fineLayers = try model.stageLayerCounts(stages: pipeline.stageCount) } catch { throw .invalidSettings(error.description) }
        // Chimera holds one stage per device and pipeline: the virtual stages merged `chunks` at a time.
        let coarseLayers = stride(from: 0, to: fineLayers.count, by: s.chunks).map { fineLayers[$0..<min($0 + s.chunks, fineLayers.count)].reduce(0, +) }
        var coarseModel = model
        coarseModel.layersPerStage = coarseLayers
        var syncSamples = [[Int64]](repeating: [], count: coarseLayers.count)
        let link = (s.linkLatency != nil || s.linkBandwidth != nil) ? LinkEmulation(latency: s.linkLatency ?? 0, bandwidth: s.linkBandwidth) : nil
        let options = ExecutorOptions(link: link)

        var samples = TimingSamples(stageCount: pipeline.stageCount)
        var optimizer: [Int64] = []
        var memory = CostModel()
        var spread: [String: Double] = [:]
        for schedule in schedules {
            progress("calibrating with \(schedule.name): \(s.warmup) warm-up + \(s.repetitions) measured iterations")
            let results: [IterationResult]
            let executor: ThreadedExecutor
            do {
                executor = try ThreadedExecutor(schedule: schedule, model: schedule.replicaCount > 1 ? coarseModel : model, options: options)
                // One iteration per call, as `stagecraft run` measures (fresh device threads each time:
                // their start-up is part of what a measured iteration costs).
                var collected: [IterationResult] = []
                for _ in 0..<(s.warmup + s.repetitions) { collected += try executor.run(iterations: 1) }
                results = collected
            } catch {
                throw .executor(error.description)
            }
            if schedule.replicaCount == 1 { ExecutorMemory.apply(to: &memory, executor: executor) }
            let dependencies = Dependencies(schedule: schedule)
            spread[schedule.name] = Self.spread(results.dropFirst(s.warmup).map(\.timeline.makespan))
            for result in results.dropFirst(s.warmup) {
                // Chimera is measured for its gradient sync only; its F and B would weigh twice.
                if schedule.replicaCount > 1 {
                    var only = TimingSamples(stageCount: schedule.stageCount)
                    only.add(result.timeline, dependencies)
                    for stage in 0..<schedule.stageCount { syncSamples[stage] += only.durations(.gradSync, stage: stage) }
                    continue
                }
                // F and B from the pipeline itself; the split form adds its I and W only (its forwards
                // follow a W, not a B, and run faster than in the schedules that use B).
                samples.add(result.timeline, dependencies, durationsOf: schedule.actions.contains { $0.op == .inputGrad } ? [.inputGrad, .weightGrad] : nil)
                optimizer.append(result.stepTime - (result.timeline.end.max() ?? 0))
            }
        }

        /// Warm durations; an op only ever measured cold gets its cold mean (and no separate extra).
        func perStage(_ op: Op) -> StageValues {
            .perStage((0..<pipeline.stageCount).map {
                TimingSamples.trimmedMean(samples.durations(op, stage: $0)) ?? TimingSamples.trimmedMean(samples.coldDurations(op, stage: $0)) ?? 0
            })
        }
        var cost = memory
        cost.forward = perStage(.forward)
        cost.backward = perStage(.backward)
        cost.inputGrad = perStage(.inputGrad)
        cost.weightGrad = perStage(.weightGrad)
        cost.gradSync = .perStage(fineLayers.indices.map { stage in
            let coarse = stage / s.chunks
            return (TimingSamples.trimmedMean(syncSamples[coarse]) ?? 0) * Double(fineLayers[stage]) / Double(max(1, coarseLayers[coarse]))
        })
        let stagesPerDevice = Double(pipeline.stageCount) / Double(pipeline.deviceCount)
        cost.optimizerStep = .uniform(max(0, (TimingSamples.trimmedMean(optimizer) ?? 0) / stagesPerDevice))
        cost.latency = max(0, TimingSamples.median(samples.handOffs) ?? 0) + (s.linkLatency ?? 0) * 1e9
        cost.dispatch = max(0, TimingSamples.median(samples.gaps) ?? 0)
        cost.coldStart = .perStage(samples.coldStart())
        if let bandwidth = s.linkBandwidth {
            cost.bandwidth = bandwidth
            cost.transferBytes = .uniform(Double(model.batch / max(1, s.microbatches)) * Double(s.hidden) * 4)
        }
        var counts: [String: Int] = [:]
        for op in Op.allCases {
            let n = (0..<pipeline.stageCount).reduce(0) { $0 + samples.durations(op, stage: $1).count + samples.coldDurations(op, stage: $1).count }
            if n > 0 { counts[op.token] = n }
        }
        let syncs = syncSamples.reduce(0) { $0 + $1.count }
        if syncs > 0 { counts[Op.gradSync.token] = syncs }
        return Result(costModel: cost, settings: s, samples: counts, handOffSamples: samples.handOffs.count, dispatchSamples: samples.gaps.count,
                      spread: spread)
    }

    /// (p75 − p25) / median of `values`; 0 when empty.
    static func spread(_ values: [Int64]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        func quantile(_ q: Double) -> Double { Double(sorted[min(sorted.count - 1, Int((q * Double(sorted.count - 1)).rounded()))]) }
        let median = quantile(0.5)
        return median > 0 ? (quantile(0.75) - quantile(0.25)) / median : 0
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
