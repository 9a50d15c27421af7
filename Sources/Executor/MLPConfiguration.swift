import Schedule

/// The model the executor trains: an MLP of `layers` fully connected layers of width `hidden`
/// (float32, bias, ReLU after every layer but the last), a mean-squared-error loss on the last layer's
/// output, and a fixed batch of `batch` random inputs and targets — all generated from `seed`.
///
/// Loss: L = Σ over the batch's rows and columns of (y − t)² / (batch × hidden), the mean over the
/// whole batch. Each micro-batch contributes its part of that sum, so the gradients accumulated over
/// the micro-batches equal the gradient of the full batch and a pipelined step equals a sequential one.
public struct MLPConfiguration: Sendable, Equatable {
    /// Number of layers, at least the number of stages.
    public var layers: Int
    /// Width of every layer (inputs, hidden units and outputs).
    public var hidden: Int
    /// Rows in the batch; the micro-batches are equal slices of it.
    public var batch: Int
    /// Seed of the initial weights, the inputs and the targets.
    public var seed: UInt64
    /// SGD learning rate.
    public var learningRate: Float
    /// Layers of each virtual stage, in stage order; nil splits the layers as evenly as possible (the
    /// first `layers mod stages` stages get one more).
    public var layersPerStage: [Int]?

    public init(layers: Int, hidden: Int, batch: Int, seed: UInt64 = 1, learningRate: Float = 0.05,
                layersPerStage: [Int]? = nil) {
        self.layers = layers
        self.hidden = hidden
        self.batch = batch
        self.seed = seed
        self.learningRate = learningRate
        self.layersPerStage = layersPerStage
    }

    /// Checks the model's own parameters (independent of any schedule).
    public func validate() throws(ExecutorError) {
        guard layers >= 1 else { throw .invalidModel("--layers \(layers): need at least 1 layer") }
        guard hidden >= 1 else { throw .invalidModel("--hidden \(hidden): need a width of at least 1") }
        guard batch >= 1 else { throw .invalidModel("--batch \(batch): need at least 1 row") }
        guard learningRate.isFinite else { throw .invalidModel("the learning rate must be a finite number") }
    }

    /// The layers of each of `stages` stages: `layersPerStage` when given, else an even split.
    public func stageLayerCounts(stages: Int) throws(ExecutorError) -> [Int] {
        if let given = layersPerStage {
            guard given.count == stages else {
                throw .invalidModel("--layers-per-stage lists \(given.count) stage(s) but the schedule has \(stages) stages; give one count per stage")
            }
            guard given.allSatisfy({ $0 >= 1 }) else {
                throw .invalidModel("--layers-per-stage \(given.map(String.init).joined(separator: ",")): every stage needs at least 1 layer")
            }
            let total = given.reduce(0, +)
            guard total == layers else {
                throw .invalidModel("--layers-per-stage sums to \(total) but the model has \(layers) layers; make them agree")
            }
            return given
        }
        guard layers >= stages else {
            throw .invalidModel("\(layers) layer(s) cannot be split into \(stages) stages (each stage needs at least 1 layer); use --layers \(stages) or more, or fewer devices/chunks")
        }
        return (0..<stages).map { layers / stages + ($0 < layers % stages ? 1 : 0) }
    }

    /// Rows per micro-batch for `microbatches` micro-batches; the batch must divide evenly.
    public func microbatchRows(microbatches: Int) throws(ExecutorError) -> Int {
        guard microbatches >= 1, batch % microbatches == 0 else {
            let lower = batch / max(microbatches, 1) * max(microbatches, 1)
            throw .invalidModel("a batch of \(batch) rows cannot be cut into \(microbatches) equal micro-batches; use --batch \(max(lower, microbatches)) or \(lower + microbatches), or a micro-batch count that divides \(batch)")
        }
        return batch / microbatches
    }

    /// The initial parameters of every layer, from the seed (uniform in ±1/√hidden).
    public func initialParameters() -> [LayerParameters] {
        var generator = SeededGenerator(seed: seed)
        let bound = 1 / Float(hidden).squareRoot()
        return (0..<layers).map { _ in
            let weights = (0..<(hidden * hidden)).map { _ in generator.nextFloat(bound: bound) }
            let bias = (0..<hidden).map { _ in generator.nextFloat(bound: bound) }
            return LayerParameters(weights: weights, bias: bias)
        }
    }

    /// The batch's inputs and targets, row-major `batch × hidden` each, uniform in ±1.
    public func data() -> (inputs: [Float], targets: [Float]) {
        var generator = SeededGenerator(seed: seed ^ 0xDA7A_DA7A_DA7A_DA7A)
        let inputs = (0..<(batch * hidden)).map { _ in generator.nextFloat(bound: 1) }
        let targets = (0..<(batch * hidden)).map { _ in generator.nextFloat(bound: 1) }
        return (inputs, targets)
    }
}

/// The weights and bias of one layer: `weights` is `hidden × hidden`, row-major, input index by output
/// index (y = x · W + b); `bias` has `hidden` entries. Also used for a layer's gradients.
public struct LayerParameters: Sendable, Equatable {
    public var weights: [Float]
    public var bias: [Float]

    public init(weights: [Float], bias: [Float]) {
        self.weights = weights
        self.bias = bias
    }
}
