import Schedule
import Simulator

/// A cost model resolved against one placement exactly as the simulator's `CostTable` resolves it
/// (nanoseconds rounded per stage, then the working-set and device-speed factors of the stage's device
/// applied and rounded), so that the lower bound and the list scheduler see the simulator's durations.
/// Cold starts are left out: they only ever add time.
struct SynthesisCosts: Sendable {
    let placement: Placement
    let forward: [Int64]
    let backward: [Int64]
    let inputGrad: [Int64]
    let weightGrad: [Int64]
    /// Time of one transfer across the boundary between stages s and s + 1 when they sit on different
    /// devices, at index s.
    let transfer: [Int64]
    let activation: [Int64]
    let gradient: [Int64]
    let transient: [Int64]
    /// Weight bytes held by each device.
    let weights: [Int64]
    let dispatch: Int64

    init(model: CostModel, placement: Placement) throws(SynthesisError) {
        guard placement.replicaCount == 1 else { throw .replicatedPlacement(replicas: placement.replicaCount) }
        do { try model.validate() } catch { throw .invalidCostModel(error) }
        let stages = placement.stageCount, devices = placement.deviceCount
        func resolve(_ values: StageValues, _ field: CostModel.Field) throws(SynthesisError) -> [Int64] {
            switch values {
            case let .uniform(value):
                return Array(repeating: Int64(value.rounded()), count: stages)
            case let .perStage(list):
                guard list.count == stages else { throw .invalidCostModel(.wrongLength(field, count: list.count, stages: stages)) }
                return list.map { Int64($0.rounded()) }
            }
        }
        guard model.deviceSpeed.isEmpty || model.deviceSpeed.count == devices else {
            throw .invalidCostModel(.wrongDeviceCount(count: model.deviceSpeed.count, devices: devices))
        }
        let stageWeights = try resolve(model.weightBytes, .weightBytes)
        var weights = [Int64](repeating: 0, count: devices)
        for stage in 0..<stages { weights[placement.device(stage: stage)] += stageWeights[stage] }
        let factor = (0..<stages).map { stage -> Double in
            let device = placement.device(stage: stage)
            return (model.workingSet.isEmpty ? 1 : model.workingSetFactor(bytes: Double(weights[device])))
                * (model.deviceSpeed.isEmpty ? 1 : model.deviceSpeed[device])
        }
        func scaled(_ values: [Int64]) -> [Int64] {
            values.indices.map { factor[$0] == 1 ? values[$0] : Int64((Double(values[$0]) * factor[$0]).rounded()) }
        }
        let backward = try resolve(model.backward, .backward)
        let inputGrad = try model.inputGrad.map { (v) throws(SynthesisError) in try resolve(v, .inputGrad) } ?? backward.map { $0 / 2 }
        let weightGrad = try model.weightGrad.map { (v) throws(SynthesisError) in try resolve(v, .weightGrad) }
            ?? zip(backward, inputGrad).map { max(0, $0 - $1) }
        self.placement = placement
        self.forward = scaled(try resolve(model.forward, .forward))
        self.backward = scaled(backward)
        self.inputGrad = scaled(inputGrad)
        self.weightGrad = scaled(weightGrad)
        let bytes: [Double]
        switch model.transferBytes {
        case let .uniform(value): bytes = Array(repeating: value, count: stages)
        case let .perStage(list):
            guard list.count == stages else { throw .invalidCostModel(.wrongLength(.transferBytes, count: list.count, stages: stages)) }
            bytes = list
        }
        self.transfer = (0..<stages).map { stage in
            guard stage + 1 < stages, placement.device(stage: stage) != placement.device(stage: stage + 1) else { return 0 }
            return Int64((model.latency + (model.bandwidth.map { bytes[stage] / $0 } ?? 0) * 1e9).rounded())
        }
        self.activation = try resolve(model.activationBytes, .activationBytes)
        self.gradient = try resolve(model.gradientBytes, .gradientBytes)
        self.transient = try resolve(model.transientBytes, .transientBytes)
        self.weights = weights
        self.dispatch = Int64(model.dispatch.rounded())
    }

    var stageCount: Int { placement.stageCount }
    var deviceCount: Int { placement.deviceCount }

    /// The cheaper way to run stage s's whole backward: one `B`, or `I` then `W` (with a dispatch between).
    func fullBackward(_ stage: Int) -> Int64 {
        min(backward[stage], inputGrad[stage] + dispatch + weightGrad[stage])
    }

    /// The cheaper action that produces stage s's input gradient: `B` or `I`.
    func inputGradient(_ stage: Int) -> Int64 { min(backward[stage], inputGrad[stage]) }

    /// The least time between the end of an action of stage s and the start of one of stage s ± 1 that
    /// waits for it: the transfer across devices, the device's dispatch on one device.
    func hop(_ stage: Int) -> Int64 {
        placement.device(stage: stage) != placement.device(stage: stage + 1) ? transfer[stage] : dispatch
    }
}
