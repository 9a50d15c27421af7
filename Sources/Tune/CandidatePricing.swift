import Simulator
import Transformer

/// What a candidate costs: the cost model of its stages, and how many samples one micro-batch holds.
public protocol CandidatePricing: Sendable {
    /// The cost model of `stages` virtual stages over `devices` devices for `microbatches`
    /// micro-batches per iteration and the candidate's recompute and layer split.
    func costModel(devices: Int, stages: Int, microbatches: Int, recompute: Bool, layerSplit: LayerSplit?) throws(TuneError) -> CostModel
    /// Samples (sequences, rows) per micro-batch at `microbatches` per iteration; nil when unknown.
    func samplesPerMicrobatch(microbatches: Int) -> Int?
    /// Whether the costs depend on a layer split (a transformer's).
    var splitsLayers: Bool { get }
    /// Whether the costs depend on the micro-batch count (a fixed global batch's micro-batch size does).
    var dependsOnMicrobatchCount: Bool { get }
    /// The layers of each stage, for a transformer; nil otherwise.
    func layersPerStage(devices: Int, stages: Int, microbatches: Int, recompute: Bool, layerSplit: LayerSplit?) -> [Int]?
}

/// A cost model of one micro-batch of fixed size, for k·p stages (k stages per device: p for a plain
/// cost model, 2p from `calibrate --chunks 2`) or uniform. A candidate of another stage count gets it
/// merged (`StageMerge`, when its stages are groups of these) or cut in equal parts (`StageSplit`).
/// Every micro-batch count prices micro-batches alike, so more micro-batches mean a larger global batch.
/// Calibrate at the finest split you will tune (`--chunks` as high as the candidates go): merging
/// measured stages is exact up to a tensor copy, cutting one assumes its work divides evenly.
public struct FixedCostPricing: CandidatePricing {
    public let base: CostModel
    public let devices: Int
    /// Stages of `base` (nil when every value is uniform).
    public let baseStages: Int?

    public init(base: CostModel, devices: Int) throws(TuneError) {
        let lengths = Set(Self.perStageLengths(base))
        if lengths.count > 1 {
            throw .invalidCosts("the cost model's per-stage lists have \(lengths.sorted().map(String.init).joined(separator: " and ")) values; give every list the same length")
        }
        if let length = lengths.first, devices < 1 || length % devices != 0 {
            throw .invalidCosts("the cost model gives \(length) per-stage values but tune prices \(devices) device(s): give one value per device (or a multiple of them, e.g. from calibrate --chunks 2), or one value for all")
        }
        self.base = base
        self.devices = devices
        self.baseStages = lengths.first
    }

    public func costModel(devices: Int, stages: Int, microbatches: Int, recompute: Bool, layerSplit: LayerSplit?) throws(TuneError) -> CostModel {
        // Uniform values are one device's stage: cut them for the candidate's stages per device.
        guard let baseStages else { return StageSplit.split(base, parts: max(1, stages / max(devices, 1))) }
        if baseStages == stages { return base }
        if baseStages % stages == 0 {
            do { return try StageMerge.merge(base, into: stages) } catch { throw .candidate(error.description) }
        }
        guard stages % baseStages == 0 else {
            throw .candidate("\(stages) stages cannot be priced from a cost model of \(baseStages): neither divides the other")
        }
        return StageSplit.split(base, parts: stages / baseStages)
    }

    public func samplesPerMicrobatch(microbatches: Int) -> Int? { nil }
    public var splitsLayers: Bool { false }
    public var dependsOnMicrobatchCount: Bool { false }
    public func layersPerStage(devices: Int, stages: Int, microbatches: Int, recompute: Bool, layerSplit: LayerSplit?) -> [Int]? { nil }

    /// The lengths of the model's per-stage lists.
    static func perStageLengths(_ model: CostModel) -> [Int] {
        model.stageFields.compactMap { entry in
            if case let .perStage(list) = entry.values { return list.count }
            return nil
        }
    }
}

/// A transformer on a hardware kind (`TransformerPipeline`): a fixed global batch divided into
/// `microbatches` micro-batches of `globalBatch / microbatches` sequences, and the layers split over
/// the candidate's stages.
public struct TransformerPricing: CandidatePricing {
    public let model: TransformerModel
    public let hardware: Hardware
    public let tensorParallel: Int
    /// Sequences per iteration.
    public let globalBatch: Int

    public init(model: TransformerModel, hardware: Hardware, tensorParallel: Int, globalBatch: Int) {
        self.model = model
        self.hardware = hardware
        self.tensorParallel = tensorParallel
        self.globalBatch = globalBatch
    }

    public func pipeline(devices: Int, stages: Int, microbatches: Int, recompute: Bool, layerSplit: LayerSplit?) throws(TuneError) -> TransformerPipeline {
        guard microbatches >= 1, globalBatch % microbatches == 0 else {
            throw .invalidSpace("\(microbatches) micro-batches do not divide the global batch of \(globalBatch) sequences")
        }
        var model = model
        model.microbatchSize = globalBatch / microbatches
        if recompute { model.recompute = .full }
        do {
            let even = try TransformerPipeline(model: model, hardware: hardware, devices: devices, stages: stages, tensorParallel: tensorParallel)
            guard layerSplit == .balanced else { return even }
            return try TransformerPipeline(model: model, hardware: hardware, devices: devices, stages: stages,
                                           layersPerStage: Self.balancedSplit(of: even), tensorParallel: tensorParallel)
        } catch {
            throw .invalidCosts(error.description)
        }
    }

    public func costModel(devices: Int, stages: Int, microbatches: Int, recompute: Bool, layerSplit: LayerSplit?) throws(TuneError) -> CostModel {
        try pipeline(devices: devices, stages: stages, microbatches: microbatches, recompute: recompute, layerSplit: layerSplit).costModel
    }

    public func samplesPerMicrobatch(microbatches: Int) -> Int? { globalBatch / max(microbatches, 1) }
    public var splitsLayers: Bool { true }
    public var dependsOnMicrobatchCount: Bool { true }

    public func layersPerStage(devices: Int, stages: Int, microbatches: Int, recompute: Bool, layerSplit: LayerSplit?) -> [Int]? {
        try? pipeline(devices: devices, stages: stages, microbatches: microbatches, recompute: recompute, layerSplit: layerSplit).layersPerStage
    }

    /// The layer counts that make the slowest stage (its layers' F + I + W, plus the output head's on
    /// the last stage) fastest: the last stage gets k layers, the others share the rest as evenly as
    /// possible, for the best k.
    static func balancedSplit(of pipeline: TransformerPipeline) -> [Int] {
        let layers = pipeline.model.layers, stages = pipeline.stages
        guard stages > 1 else { return [layers] }
        let layer = pipeline.layerTimes, head = pipeline.headTimes
        let perLayer = layer.forward + layer.inputGrad + layer.weightGrad
        let headTime = head.forward + head.inputGrad + head.weightGrad
        var best = pipeline.layersPerStage
        var bestTime = Double.infinity
        for last in 0...(layers / stages + 1) where last <= layers {
            let rest = layers - last, others = stages - 1
            let split = (0..<others).map { rest / others + ($0 < rest % others ? 1 : 0) } + [last]
            let slowest = max(Double(split.dropLast().max() ?? 0) * perLayer, Double(last) * perLayer + headTime)
            if slowest < bestTime { bestTime = slowest; best = split }
        }
        return best
    }
}
