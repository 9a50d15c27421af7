import COpenBLAS
import Foundation
import Schedule

/// The real executor: trains an MLP (`MLPConfiguration`) with a pipeline `Schedule`, one thread per
/// device, each running its device's actions in the schedule's order and waiting until the actions
/// they depend on (`Dependencies`) are done. Tensors passed between stages are copied (optionally
/// delayed by an emulated link); a watchdog stops a stalled run; a failing device stops all of them.
///
/// The model's L layers are split into the schedule's virtual stages; stage s of every replica starts
/// with the same initial weights. `F` runs a stage's layers and keeps their outputs, the last stage
/// also computes the loss; `R` (activation recompute) runs them again from the stage's input; `I`
/// computes the gradient with respect to the stage's input; `W` accumulates the weight gradients; `B` is `I` then `W`; Chimera's `gradSync` makes both replicas'
/// gradients their sum. After its last action every device takes an SGD step on its stages.
///
/// Memory accounting (`Timeline.peakMemory`, per device, per iteration): the bytes of the weights and
/// weight gradients of the stages the device holds (`parameterBytes`, held all the time) plus the peak
/// bytes of per-micro-batch tensors the device holds. With A = (batch / micro-batches) × hidden × 4 bytes and
/// k the layers of the action's stage, the count changes only at these points, in the device's
/// action order (so it does not depend on timing):
/// - `F` holds (k + 1)·A from its start — the stage's input and the output of each of its layers —
///   until the micro-batch's `W` or `B` on that stage (forward-only runs release it when `F` ends);
/// - `I` holds k·A from its start — the gradient of each layer's output — until `W`; on any stage
///   but the first it also holds, during `I` only, the A of the input gradient it sends;
/// - `W` releases the (2k + 1)·A of its micro-batch when it ends; `B` counts as `I` then `W`;
/// - with activation recompute, a forward whose micro-batch its stage recomputes (`R`) releases the
///   k·A of its layers' outputs when it ends (they are really dropped: overwritten with NaN) and keeps
///   the input's A; its `R` holds the k·A again from its start (re-running the layers from the input);
/// - `gradSync` holds nothing. Tensors in flight between devices are not counted.
/// The simulator counts the same buffers: a cost model with `activationBytes` (k + 1)·A,
/// `gradientBytes` k·A, `transientBytes` A on every stage but the first, `checkpointBytes` A, and
/// `weightBytes` the stage's share of `parameterBytes` predicts this peak exactly.
///
/// Not thread-safe itself: call `run` from one thread at a time.
public final class ThreadedExecutor {
    /// The schedule that runs (only its forwards when `options.forwardOnly`).
    public let schedule: Schedule
    public let model: MLPConfiguration
    public let options: ExecutorOptions
    /// Layers of each virtual stage.
    public let layersPerStage: [Int]
    /// Rows in each micro-batch.
    public let microbatchRows: Int
    /// Iterations run so far (successful runs only).
    public private(set) var completedIterations = 0

    private let dependencies: Dependencies
    /// Per action id of `schedule`: whether it is a forward whose micro-batch is recomputed later;
    /// empty when nothing is.
    private let recomputedForwards: [Bool]
    /// Indexed by `replica * stageCount + stage`.
    private let stages: [StageState?]
    /// Per stage, when it has several replicas.
    private let syncs: [ReplicaSync?]

    /// Prepares the model and its buffers; throws when the model, the options or the schedule do not
    /// fit together.
    public init(schedule: Schedule, model: MLPConfiguration, options: ExecutorOptions = ExecutorOptions()) throws(ExecutorError) {
        try model.validate()
        try options.validate()
        try Self.checkShape(schedule)
        if options.validatesSchedule {
            do {
                try schedule.validate()
            } catch {
                throw .invalidSchedule(error.description)
            }
        }
        let runnable = options.forwardOnly ? Self.forwards(of: schedule) : schedule
        let layerCounts = try model.stageLayerCounts(stages: schedule.stageCount)
        let rows = try model.microbatchRows(microbatches: schedule.microbatchCount)
        try ExecutorFootprint.check(model: model, stages: schedule.stageCount, replicas: schedule.replicaCount)
        self.schedule = runnable
        self.model = model
        self.options = options
        self.layersPerStage = layerCounts
        self.microbatchRows = rows
        dependencies = Dependencies(schedule: runnable)
        recomputedForwards = dependencies.recomputedForwards

        openblas_set_num_threads(1)
        let built = StageState.build(model: model, schedule: schedule, layerCounts: layerCounts, rows: rows)
        let stageCount = schedule.stageCount
        stages = built
        syncs = (0..<stageCount).map { stage in
            guard schedule.replicaCount > 1 else { return nil }
            return ReplicaSync(replicas: (0..<schedule.replicaCount).compactMap { built[$0 * stageCount + stage] })
        }
    }

    /// Runs `iterations` iterations and returns what each measured. On a stall or a device failure all
    /// devices stop and the error is thrown; the model's state is then partly updated and should not
    /// be trained further.
    public func run(iterations: Int = 1) throws(ExecutorError) -> [IterationResult] {
        guard iterations >= 1 else { throw .invalidOptions("--iterations \(iterations): run at least 1 iteration") }
        let deviceCount = schedule.deviceCount
        let linkDelay = options.link?.delay(bytes: Int64(microbatchRows * model.hidden * MemoryLayout<Float>.size)) ?? 0
        // Spin instead of parking only when every device has a core (spinning would otherwise take the
        // core from the device being waited for).
        let spins = deviceCount <= ProcessInfo.processInfo.activeProcessorCount
        let board = ProgressBoard(dependencies: dependencies, linkDelay: linkDelay, spins: spins)
        let record = Measurements(iterations: iterations, actionCount: schedule.actions.count,
                               microbatchCount: schedule.microbatchCount, deviceCount: deviceCount)
        let first = completedIterations
        let parameters = parameterBytes
        let timeout = options.stallTimeout
        let watchdog = Thread { board.watch(timeout: Int64((timeout * 1e9).rounded()), seconds: timeout) }
        watchdog.name = "stagecraft-watchdog"
        watchdog.start()
        for device in 0..<deviceCount {
            let worker = DeviceWorker(device: device, schedule: schedule, stages: stages, syncs: syncs, board: board,
                                      record: record, training: !options.forwardOnly, learningRate: model.learningRate,
                                      failOnNaN: options.failOnNaN, fault: options.fault, recomputed: recomputedForwards)
            board.threadStarted()
            // With a core per device, each device keeps its own core (see `CorePinning`).
            let pinned = spins
            let thread = Thread {
                if pinned { CorePinning.pinCurrentThread(to: device) }
                worker.run(firstIteration: first)
            }
            thread.name = "stagecraft-device-\(device)"
            thread.stackSize = 1 << 20
            thread.start()
        }
        board.waitForThreads()
        if let failure = board.failure { throw failure }
        completedIterations += iterations
        return (0..<iterations).map { k in
            let base = k * record.actionCount
            let timeline = Timeline(schedule: schedule,
                                    start: Array(UnsafeBufferPointer(start: record.start + base, count: record.actionCount)),
                                    end: Array(UnsafeBufferPointer(start: record.end + base, count: record.actionCount)),
                                    peakMemory: (0..<deviceCount).map { record.peakMemory[k * deviceCount + $0] + parameters[$0] })
            var loss: Double = 0
            for j in 0..<record.microbatchCount { loss += record.losses[k * record.microbatchCount + j] }
            let stepTime = (0..<deviceCount).map { record.deviceFinish[k * deviceCount + $0] }.max() ?? 0
            return IterationResult(iteration: first + k, loss: loss, timeline: timeline, stepTime: stepTime)
        }
    }

    // MARK: Inspection

    /// The layers (model indices) of virtual stage `stage`.
    public func layers(ofStage stage: Int) -> Range<Int> {
        let first = layersPerStage.prefix(stage).reduce(0, +)
        return first..<(first + layersPerStage[stage])
    }

    /// Current weights and biases of the layers of (`replica`, `stage`).
    public func parameters(replica: Int = 0, stage: Int) -> [LayerParameters] {
        stages[replica * schedule.stageCount + stage]?.parameters() ?? []
    }

    /// Gradients accumulated in the last iteration by (`replica`, `stage`) — after Chimera's sync, the
    /// sum over replicas.
    public func gradients(replica: Int = 0, stage: Int) -> [LayerParameters] {
        stages[replica * schedule.stageCount + stage]?.gradients() ?? []
    }

    // MARK: Checks

    /// The checks that keep execution memory-safe even when the schedule is not validated: every
    /// action in range, on the device holding its stage, and at most once.
    private static func checkShape(_ schedule: Schedule) throws(ExecutorError) {
        var seen = Set<Action>()
        for device in 0..<schedule.deviceCount {
            for (position, action) in schedule.actions(on: device).enumerated() {
                let place = "\(action) (device \(device), position \(position))"
                guard action.stage < schedule.stageCount, action.replica < schedule.replicaCount,
                      action.microbatch < schedule.microbatchCount else {
                    throw .invalidSchedule("\(place) names a stage, replica or micro-batch the schedule does not have")
                }
                guard schedule.placement.device(of: action) == device else {
                    throw .invalidSchedule("\(place) belongs on device \(schedule.placement.device(of: action)), which holds its stage")
                }
                guard seen.insert(action).inserted else {
                    throw .invalidSchedule("\(place) appears more than once; every action runs exactly once")
                }
            }
        }
    }

    /// The schedule's forwards only, in the same order.
    private static func forwards(of schedule: Schedule) -> Schedule {
        Schedule(name: schedule.name, placement: schedule.placement, microbatchCount: schedule.microbatchCount,
                 actionsByDevice: (0..<schedule.deviceCount).map { Array(schedule.actions(on: $0).filter { $0.op == .forward }) })
    }
}
