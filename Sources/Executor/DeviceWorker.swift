import Schedule

/// One device: runs its action list in order, iteration after iteration, waiting on the
/// `ProgressBoard` before each action and timing each with the monotonic clock.
///
/// `@unchecked Sendable`: a worker is handed to its one thread and used only there (`meter` is its
/// private state); everything it shares goes through `ProgressBoard`, `StageState` and `Measurements`,
/// whose own comments say why that is safe.
final class DeviceWorker: @unchecked Sendable {
    let device: Int
    private let schedule: Schedule
    private let stages: [StageState?]
    private let syncs: [ReplicaSync?]
    private let board: ProgressBoard
    private let record: Measurements
    private let training: Bool
    private let learningRate: Float
    private let failOnNaN: Bool
    private let fault: FaultInjection?
    /// Per action id: whether it is a forward whose micro-batch the stage recomputes (`R`) later;
    /// empty when the schedule recomputes nothing.
    private let recomputed: [Bool]
    private var meter = MemoryMeter()

    init(device: Int, schedule: Schedule, stages: [StageState?], syncs: [ReplicaSync?], board: ProgressBoard,
         record: Measurements, training: Bool, learningRate: Float, failOnNaN: Bool, fault: FaultInjection?,
         recomputed: [Bool] = []) {
        self.device = device
        self.schedule = schedule
        self.stages = stages
        self.syncs = syncs
        self.board = board
        self.record = record
        self.training = training
        self.learningRate = learningRate
        self.failOnNaN = failOnNaN
        self.fault = fault
        self.recomputed = recomputed
    }

    /// Why an action failed (turned into `ExecutorError.deviceFailed`).
    private struct ActionFailure: Error {
        let reason: String
    }

    /// The thread's body: iterations `firstIteration ..< firstIteration + record.iterations`.
    func run(firstIteration: Int) {
        defer { board.threadExited() }
        let held = schedule.placement.stages(on: device).compactMap { stages[$0.replica * schedule.stageCount + $0.stage] }
        let range = schedule.actionRange(of: device)
        for k in 0..<record.iterations {
            let iteration = firstIteration + k
            if training { for stage in held { stage.beginGradients() } }
            guard let origin = board.startIteration(device: device, iteration: iteration) else { return }
            meter.resetPeak()
            for id in range {
                guard board.waitForPredecessors(of: id, device: device, iteration: iteration) else { return }
                let start = MonotonicClock.now()
                do {
                    try perform(schedule.actions[id], id: id, iteration: iteration, k: k)
                } catch {
                    board.fail(.deviceFailed(device: device, action: schedule.actions[id], iteration: iteration, reason: error.reason))
                    return
                }
                let end = MonotonicClock.now()
                let slot = record.slot(k, id, of: record.actionCount)
                record.start[slot] = start - origin
                record.end[slot] = end - origin
                board.complete(id, device: device, iteration: iteration, end: end)
            }
            if training { for stage in held { stage.step(learningRate: learningRate) } }
            let deviceSlot = record.slot(k, device, of: record.deviceCount)
            record.deviceFinish[deviceSlot] = MonotonicClock.now() - origin
            record.peakMemory[deviceSlot] = meter.peak
            board.finishActions(device: device)
        }
    }

    /// Runs one action's compute, with its memory accounting (see `MemoryMeter`).
    @inline(__always)
    private func perform(_ action: Action, id: Int, iteration: Int, k: Int) throws(ActionFailure) {
        if let fault, fault.iteration == iteration, fault.action == action {
            fault.strike()
            throw ActionFailure(reason: fault.message)
        }
        let stageCount = schedule.stageCount
        let index = action.replica * stageCount + action.stage
        guard let state = stages[index] else {
            throw ActionFailure(reason: "no stage \(action.stage) of replica \(action.replica) on this device")
        }
        let j = action.microbatch
        let unit = state.tensorBytes, layers = Int64(state.layerCount)
        switch action.op {
        case .forward:
            meter.hold((layers + 1) * unit)
            let next = action.stage + 1 < stageCount ? stages[index + 1] : nil
            if let loss = state.forward(j, next: next) {
                record.losses[record.slot(k, j, of: record.microbatchCount)] = loss
                if failOnNaN && !loss.isFinite {
                    throw ActionFailure(reason: "the loss of micro-batch \(j) is \(loss) (--fail-on-nan); lower --lr or check the model")
                }
            }
            if !training {
                meter.release((layers + 1) * unit)
            } else if !recomputed.isEmpty && recomputed[id] {
                state.discardActivations(j)
                meter.release(layers * unit)
            }
        case .recompute:
            meter.hold(layers * unit)
            state.recompute(j)
        case .inputGrad:
            inputGrad(state, index: index, j: j, unit: unit, layers: layers)
        case .weightGrad:
            state.weightGrad(j)
            meter.release((2 * layers + 1) * unit)
        case .backward:
            inputGrad(state, index: index, j: j, unit: unit, layers: layers)
            state.weightGrad(j)
            meter.release((2 * layers + 1) * unit)
        case .gradSync:
            syncs[action.stage]?.synchronize(iteration: iteration)
        }
    }

    @inline(__always)
    private func inputGrad(_ state: StageState, index: Int, j: Int, unit: Int64, layers: Int64) {
        meter.hold(layers * unit)
        let previous = state.isFirstStage ? nil : stages[index - 1]
        if previous != nil { meter.touch(unit) }
        state.inputGrad(j, previous: previous)
    }
}
