import Simulator

/// A transformer on a pipeline of one hardware kind: which layers each virtual stage holds, and from
/// that the simulator's `CostModel` — per-stage F, B, I, W and recompute durations, transfer bytes and
/// link, activation and model-state memory — plus the check that every device's memory suffices.
///
/// - Stage s holds `layersPerStage[s]` layers (default: as even as possible, earlier stages one more);
///   the first stage also holds the embedding, the last the output head.
/// - Durations: every GEMM of the layers timed by `Hardware.gemmTime` (see `TransformerModel` for the
///   FLOPs), divided over `tensorParallel` GPUs, plus with t > 1 Megatron's all-reduces of the layer
///   output (2 per layer in F, 2 in B/I; each 2(t − 1)/t × sbh values over the node's links).
/// - Memory: model state 16 bytes per parameter (fp16/bf16 weights and gradients, fp32 master weights
///   and two Adam moments: Rajbhandari et al., "ZeRO", SC'20, §3.1), divided by t; activations per
///   micro-batch from `TransformerModel.layerActivationBytes` (tensor parallelism divides them by t as
///   well, an approximation of Korthikanti et al.'s sbh(10 + 24/t + 5as/(ht))).
/// - Links: a pipeline of at most `gpusPerNode` devices stays in one node (NVLink); a longer one crosses
///   nodes, and every transfer is costed at the inter-node figures (the simulator has one link kind).
public struct TransformerPipeline: Sendable {
    public let model: TransformerModel
    public let hardware: Hardware
    /// Pipeline devices and virtual stages (devices × chunks).
    public let devices: Int
    public let stages: Int
    public let layersPerStage: [Int]
    /// Tensor-parallel degree inside each stage.
    public let tensorParallel: Int

    public init(model: TransformerModel, hardware: Hardware, devices: Int, stages: Int, layersPerStage: [Int]? = nil,
                tensorParallel: Int = 1) throws(TransformerError) {
        try model.validate()
        try hardware.validate()
        guard devices >= 1, stages >= devices, stages % devices == 0 else {
            throw .invalidSplit("\(stages) stages over \(devices) devices; stages must be a multiple of the devices")
        }
        guard tensorParallel >= 1, tensorParallel <= hardware.gpusPerNode else {
            throw .invalidSplit("tensor-parallel degree \(tensorParallel): give 1 to \(hardware.gpusPerNode) (one node's GPUs)")
        }
        if let given = layersPerStage {
            guard given.count == stages else {
                throw .invalidSplit("--layers-per-stage lists \(given.count) stages but the schedule has \(stages); give one count per stage")
            }
            guard given.allSatisfy({ $0 >= 0 }), given.reduce(0, +) == model.layers else {
                throw .invalidSplit("--layers-per-stage \(given.map(String.init).joined(separator: ",")) must be counts of 0 or more summing to the model's \(model.layers) layers")
            }
            self.layersPerStage = given
        } else {
            guard model.layers >= stages else {
                throw .invalidSplit("\(model.layers) layers cannot fill \(stages) stages; use fewer devices or chunks, or give --layers-per-stage")
            }
            self.layersPerStage = (0..<stages).map { model.layers / stages + ($0 < model.layers % stages ? 1 : 0) }
        }
        self.model = model
        self.hardware = hardware
        self.devices = devices
        self.stages = stages
        self.tensorParallel = tensorParallel
    }

    /// Nanoseconds of one layer's F, I and W on one GPU of the stage.
    public var layerTimes: (forward: Double, inputGrad: Double, weightGrad: Double) {
        let m = model, hw = hardware, t = Double(tensorParallel), bytes = Double(m.precisionBytes)
        let r = m.tokens, h = Double(m.hidden), kv = Double(m.keyValueHidden), f = Double(m.feedForward)
        let s = Double(m.sequenceLength), d = h / Double(m.heads), batchHeads = Double(m.microbatchSize * m.heads) / t
        // Linear layers as (input width, output width), each split over t GPUs by its output or input.
        let linears: [(Double, Double)] = [(h, (h + 2 * kv) / t), (h / t, h), (h, (m.gatedMLP ? 2 * f : f) / t), (f / t, h)]
        func gemm(_ rows: Double, _ columns: Double, _ inner: Double) -> Double { hw.gemmTime(rows: rows, columns: columns, inner: inner, bytes: bytes) }
        let scores = batchHeads * (gemm(s, s, d) + gemm(s, d, s))             // QKᵀ, then softmax · V
        let forward = linears.reduce(0) { $0 + gemm(r, $1.1, $1.0) } + scores
        let inputGrad = linears.reduce(0) { $0 + gemm(r, $1.0, $1.1) } + 2 * scores
        let weightGrad = linears.reduce(0) { $0 + gemm($1.0, $1.1, r) }
        let allReduce = tensorParallel > 1
            ? 2 * (hw.intraNodeLatency + 2 * (t - 1) / t * m.boundaryBytes / hw.intraNodeBandwidth * 1e9) : 0
        return (forward + allReduce, inputGrad + allReduce, weightGrad)
    }

    /// Nanoseconds of the output head's F, I and W on one GPU of the last stage.
    public var headTimes: (forward: Double, inputGrad: Double, weightGrad: Double) {
        let m = model, t = Double(tensorParallel), bytes = Double(m.precisionBytes)
        let h = Double(m.hidden), v = Double(m.vocabulary) / t
        return (hardware.gemmTime(rows: m.tokens, columns: v, inner: h, bytes: bytes),
                hardware.gemmTime(rows: m.tokens, columns: h, inner: v, bytes: bytes),
                hardware.gemmTime(rows: h, columns: v, inner: m.tokens, bytes: bytes))
    }

    /// Parameters of stage s (per GPU of its tensor-parallel group).
    public func parameters(stage: Int) -> Double {
        var count = Double(layersPerStage[stage]) * model.layerParameters
        if stage == 0 { count += model.embeddingParameters }
        if stage == stages - 1 { count += model.headParameters }
        return count / Double(tensorParallel)
    }

    /// Bytes of weights, gradients and optimizer state of stage s: 16 per parameter.
    public func modelStateBytes(stage: Int) -> Double { 16 * parameters(stage: stage) }

    /// Whether the pipeline's GPUs (devices × tensor-parallel degree) span more than one node.
    public var isMultiNode: Bool { devices * tensorParallel > hardware.gpusPerNode }

    /// The simulator's cost model.
    public var costModel: CostModel {
        let layer = layerTimes, head = headTimes, t = Double(tensorParallel)
        func perStage(_ value: (Int) -> Double) -> StageValues { .perStage((0..<stages).map { value($0).rounded() }) }
        let last = stages - 1
        let forward = perStage { Double(layersPerStage[$0]) * layer.forward + ($0 == last ? head.forward : 0) }
        let inputGrad = perStage { Double(layersPerStage[$0]) * layer.inputGrad + ($0 == last ? head.inputGrad : 0) }
        let weightGrad = perStage { Double(layersPerStage[$0]) * layer.weightGrad + ($0 == last ? head.weightGrad : 0) }
        let backward = StageValues.perStage(zip(inputGrad.values, weightGrad.values).map { $0 + $1 })
        var cost = CostModel(forward: forward, backward: backward, inputGrad: inputGrad, weightGrad: weightGrad)
        cost.recompute = forward
        cost.transferBytes = .uniform((model.boundaryBytes / t).rounded())
        cost.latency = isMultiNode ? hardware.interNodeLatency : hardware.intraNodeLatency
        cost.bandwidth = isMultiNode ? hardware.interNodeBandwidth : hardware.intraNodeBandwidth
        cost.activationBytes = perStage {
            (Double(layersPerStage[$0]) * model.layerActivationBytes + ($0 == last ? model.headActivationBytes : 0)) / t
        }
        if model.recompute == .full { cost.checkpointBytes = .uniform((model.boundaryBytes / t).rounded()) }
        cost.weightBytes = perStage { modelStateBytes(stage: $0) }
        return cost
    }

    /// Refuses a placement whose model state alone exceeds a device's memory (`stageDevices[s]` is the
    /// device of stage s).
    public func checkModelState(stageDevices: [Int]) throws(TransformerError) {
        try check(peakMemory: nil, stageDevices: stageDevices)
    }

    /// Refuses peak memories (bytes per device, weights included, as the simulator reports them) above
    /// the device's capacity, naming each device's model state and activations.
    public func check(peakMemory: [Int64]?, stageDevices: [Int]) throws(TransformerError) {
        var state = [Double](repeating: 0, count: devices)
        for (stage, device) in stageDevices.enumerated() where device < devices && stage < stages {
            state[device] += modelStateBytes(stage: stage)
        }
        let shortfalls = (0..<devices).compactMap { device -> MemoryShortfall? in
            let total = peakMemory.map { Double($0[device]) } ?? state[device]
            guard total > hardware.memoryBytes else { return nil }
            return MemoryShortfall(device: device, modelStateBytes: state[device], activationBytes: max(0, total - state[device]),
                                   capacityBytes: hardware.memoryBytes)
        }
        if !shortfalls.isEmpty { throw .doesNotFit(shortfalls) }
    }
}
