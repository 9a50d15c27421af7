import Schedule

/// A cost model resolved against one placement (any schedule of it): integer nanoseconds and bytes in
/// flat tables, so the engine's loop does array lookups only.
struct CostTable: Sendable {
    let stageCount: Int
    /// Duration of (replica, op, stage) at `(replica * Op.allCases.count + op.rawValue) * stageCount + stage`,
    /// for every `Op`: the working-set and device-speed factors of the device holding that replica of the stage applied.
    let duration: [Int64]
    /// Time of one transfer across the boundary between stages s and s + 1, at index s.
    let transfer: [Int64]
    /// Activation bytes of one micro-batch on stage s.
    let activation: [Int64]
    /// Activation-gradient bytes one micro-batch's `I` holds on stage s until its `W`.
    let gradient: [Int64]
    /// Bytes an `I` or `B` of stage s holds while it runs.
    let transient: [Int64]
    /// Bytes a recomputed micro-batch keeps on stage s between its forward and its recompute.
    let checkpoint: [Int64]
    /// Weight bytes held by each device (every replica of every stage it holds).
    let weightsOnDevice: [Int64]
    /// Optimizer-step time of each device (every stage it holds).
    let optimizerOnDevice: [Int64]
    /// Extra time of an action of stage s after another stage's action.
    let coldStart: [Int64]
    /// Extra time of a device's first action, on stage s.
    let firstAction: [Int64]
    /// Extra time of a device's first action of op kind `op.rawValue` (not its very first action).
    let firstOfOp: [Int64]
    /// Time a device takes between two of its actions (ns).
    let dispatch: Int64
    /// Whether any transfer takes time.
    let hasTransferCost: Bool
    /// Whether links carry one transfer at a time.
    let contention: Bool

    init(model: CostModel, placement: Placement) throws(CostModelError) {
        try model.validate()
        let stages = placement.stageCount
        func resolve(_ values: StageValues, _ field: CostModel.Field) throws(CostModelError) -> [Double] {
            if case let .perStage(list) = values, list.count != stages {
                throw .wrongLength(field, count: list.count, stages: stages)
            }
            return (0..<stages).map { values.value(stage: $0) }
        }
        func nanoseconds(_ values: [Double]) -> [Int64] { values.map { Int64($0.rounded()) } }

        let forward = nanoseconds(try resolve(model.forward, .forward))
        let backward = nanoseconds(try resolve(model.backward, .backward))
        let inputGrad = try model.inputGrad.map { (v) throws(CostModelError) in nanoseconds(try resolve(v, .inputGrad)) }
            ?? backward.map { $0 / 2 }
        let weightGrad = try model.weightGrad.map { (v) throws(CostModelError) in nanoseconds(try resolve(v, .weightGrad)) }
            ?? zip(backward, inputGrad).map { max(0, $0 - $1) }
        let gradSync = nanoseconds(try resolve(model.gradSync, .gradSync))
        let recompute = try model.recompute.map { (v) throws(CostModelError) in nanoseconds(try resolve(v, .recompute)) } ?? forward
        if !model.deviceSpeed.isEmpty && model.deviceSpeed.count != placement.deviceCount {
            throw .wrongDeviceCount(count: model.deviceSpeed.count, devices: placement.deviceCount)
        }
        let weights = nanoseconds(try resolve(model.weightBytes, .weightBytes))
        let optimizer = nanoseconds(try resolve(model.optimizerStep, .optimizerStep))
        var weightsOnDevice = [Int64](repeating: 0, count: placement.deviceCount)
        var optimizerOnDevice = weightsOnDevice
        for device in 0..<placement.deviceCount {
            for (_, stage) in placement.stages(on: device) {
                // Each term is at most `largestValue` (1e15), so a sum overflows only past ~9000 stages.
                let (weightSum, weightOverflow) = weightsOnDevice[device].addingReportingOverflow(weights[stage])
                let (optimizerSum, optimizerOverflow) = optimizerOnDevice[device].addingReportingOverflow(optimizer[stage])
                if weightOverflow { throw .tooLarge(.weightBytes, index: stage, Double(weights[stage])) }
                if optimizerOverflow { throw .tooLarge(.optimizerStep, index: stage, Double(optimizer[stage])) }
                weightsOnDevice[device] = weightSum
                optimizerOnDevice[device] = optimizerSum
            }
        }
        self.weightsOnDevice = weightsOnDevice
        self.optimizerOnDevice = optimizerOnDevice
        // The compute factor of each (replica, stage): working set and speed of the device holding it.
        let replicas = placement.replicaCount, ops = Op.allCases.count
        var duration = [Int64](repeating: 0, count: replicas * ops * stages)
        for replica in 0..<replicas {
            let factor = (0..<stages).map { stage -> Double in
                let device = placement.device(replica: replica, stage: stage)
                return (model.workingSet.isEmpty ? 1 : model.workingSetFactor(bytes: Double(weightsOnDevice[device])))
                    * (model.deviceSpeed.isEmpty ? 1 : model.deviceSpeed[device])
            }
            for op in Op.allCases {
                let values: [Int64] = switch op {
                case .forward: forward
                case .backward: backward
                case .inputGrad: inputGrad
                case .weightGrad: weightGrad
                case .gradSync: gradSync
                case .recompute: recompute
                }
                for stage in 0..<stages {
                    let scaled = op == .gradSync || factor[stage] == 1 ? values[stage] : Int64((Double(values[stage]) * factor[stage]).rounded())
                    duration[(replica * ops + Int(op.rawValue)) * stages + stage] = scaled
                }
            }
        }
        self.duration = duration

        let bytes = try resolve(model.transferBytes, .transferBytes)
        var transfer: [Int64] = []
        for (stage, size) in bytes.enumerated() {
            let time = model.latency + (model.bandwidth.map { size / $0 } ?? 0) * 1e9
            guard time <= CostModel.largestValue else { throw .transferTooLong(stage: stage, nanoseconds: time) }
            transfer.append(Int64(time.rounded()))
        }
        self.transfer = transfer
        hasTransferCost = transfer.contains { $0 > 0 }
        contention = model.contention
        dispatch = Int64(model.dispatch.rounded())
        coldStart = nanoseconds(try resolve(model.coldStart, .coldStart))
        firstAction = try model.firstAction.map { (v) throws(CostModelError) in nanoseconds(try resolve(v, .firstAction)) } ?? coldStart
        firstOfOp = Op.allCases.map { op in Int64((model.firstOfOp[op.token] ?? 0).rounded()) }
        activation = nanoseconds(try resolve(model.activationBytes, .activationBytes))
        gradient = nanoseconds(try resolve(model.gradientBytes, .gradientBytes))
        transient = nanoseconds(try resolve(model.transientBytes, .transientBytes))
        checkpoint = nanoseconds(try resolve(model.checkpointBytes, .checkpointBytes))
        for stage in 0..<stages where checkpoint[stage] > activation[stage] {
            throw .checkpointLargerThanActivations(stage: stage, checkpoint: Double(checkpoint[stage]), activations: Double(activation[stage]))
        }
        self.stageCount = stages
    }
}
