/// A decoder-only transformer as pipeline parallelism sees it: the shape of its layers, its vocabulary,
/// the micro-batch it is trained with, the precision and the activation recompute.
///
/// FLOP counts (a multiply-add is 2 FLOPs), for s = sequence length, b = micro-batch size, h = hidden,
/// h_kv = hidden of the keys and values (h without grouped-query attention), f = feed-forward hidden,
/// g = 3 with a gated (SwiGLU) MLP and 2 otherwise:
///
/// - linear layers of one layer: 2sb·(h(h + 2h_kv) + h² + g·h·f); with h_kv = h, f = 4h, g = 2 this is
///   24sbh², the term of Narayanan et al., "Efficient Large-Scale Language Model Training on GPU
///   Clusters Using Megatron-LM" (SC'21), eq. (2): 24Bslh²(1 + s/(6h)) per forward.
/// - attention scores and their weighted sum: 4s²bh.
/// - forward F = linear + attention = sbh(24h + 4s); input gradient I = linear + 2·attention =
///   sbh(24h + 8s); weight gradient W = linear = 24sbh² — Qi et al., "Zero Bubble Pipeline
///   Parallelism" (ICLR'24), Table 1. A full backward B is I + W.
/// - output head (last stage): 2sbhV forward, 2sbhV input gradient, 2sbhV weight gradient (the logit
///   layer's 6BshV of Narayanan et al. eq. (3)); the embedding lookup costs no FLOPs.
public struct TransformerModel: Codable, Equatable, Sendable {
    public var name: String
    public var layers: Int
    public var hidden: Int
    public var heads: Int
    /// Heads of the keys and values (grouped-query attention); nil: `heads`.
    public var kvHeads: Int?
    /// Feed-forward hidden size; nil: 4 × `hidden`.
    public var ffnHidden: Int?
    /// A gated MLP (SwiGLU, as LLaMA): three matrices instead of two.
    public var gatedMLP: Bool
    public var sequenceLength: Int
    public var vocabulary: Int
    /// Sequences per micro-batch.
    public var microbatchSize: Int
    /// Bytes per value of weights and activations: 2 (bf16, fp16) or 4 (fp32).
    public var precisionBytes: Int
    /// Learned position embeddings (GPT): s × h more parameters on the first stage.
    public var positionEmbeddings: Bool
    public var recompute: ActivationRecompute

    public init(name: String, layers: Int, hidden: Int, heads: Int, kvHeads: Int? = nil, ffnHidden: Int? = nil,
                gatedMLP: Bool = false, sequenceLength: Int, vocabulary: Int, microbatchSize: Int = 1,
                precisionBytes: Int = 2, positionEmbeddings: Bool = true, recompute: ActivationRecompute = .none) {
        self.name = name
        self.layers = layers
        self.hidden = hidden
        self.heads = heads
        self.kvHeads = kvHeads
        self.ffnHidden = ffnHidden
        self.gatedMLP = gatedMLP
        self.sequenceLength = sequenceLength
        self.vocabulary = vocabulary
        self.microbatchSize = microbatchSize
        self.precisionBytes = precisionBytes
        self.positionEmbeddings = positionEmbeddings
        self.recompute = recompute
    }

    var feedForward: Int { ffnHidden ?? 4 * hidden }
    var keyValueHidden: Int { hidden / heads * (kvHeads ?? heads) }
    /// s · b: the rows of every linear layer's GEMM.
    var tokens: Double { Double(sequenceLength) * Double(microbatchSize) }

    /// FLOPs of one layer's linear layers in a forward (also in an input gradient and in a weight gradient).
    public var linearFLOPs: Double {
        let h = Double(hidden), f = Double(feedForward), kv = Double(keyValueHidden)
        return 2 * tokens * (h * (h + 2 * kv) + h * h + (gatedMLP ? 3 : 2) * h * f)
    }

    /// FLOPs of one layer's attention scores and weighted sum in a forward: 4s²bh.
    public var attentionFLOPs: Double { 4 * tokens * Double(sequenceLength) * Double(hidden) }

    /// Forward FLOPs of one layer: sbh(24h + 4s) for GPT.
    public var forwardFLOPs: Double { linearFLOPs + attentionFLOPs }
    /// Input-gradient FLOPs of one layer: sbh(24h + 8s) for GPT.
    public var inputGradFLOPs: Double { linearFLOPs + 2 * attentionFLOPs }
    /// Weight-gradient FLOPs of one layer: 24sbh² for GPT.
    public var weightGradFLOPs: Double { linearFLOPs }
    /// FLOPs of the output head in each of F, I and W: 2sbhV.
    public var headFLOPs: Double { 2 * tokens * Double(hidden) * Double(vocabulary) }

    /// Parameters of one layer. GPT style: attention h(h + 2h_kv) + h² weights and h + 2h_kv + h biases,
    /// MLP 2hf weights and f + h biases, two layer norms 4h — 12h² + 13h (Narayanan et al., §5.1).
    /// Gated (LLaMA style): no biases, MLP 3hf, two RMS norms 2h — 202,383,360 for LLaMA 7B.
    public var layerParameters: Double {
        let h = Double(hidden), f = Double(feedForward), kv = Double(keyValueHidden)
        let weights = h * (h + 2 * kv) + h * h + (gatedMLP ? 3 : 2) * h * f
        return gatedMLP ? weights + 2 * h : weights + (h + 2 * kv) + h + f + h + 4 * h
    }

    /// Parameters of the embedding (first stage): Vh, plus sh learned positions.
    public var embeddingParameters: Double {
        Double(vocabulary) * Double(hidden) + (positionEmbeddings ? Double(sequenceLength) * Double(hidden) : 0)
    }

    /// Parameters of the output head (last stage): Vh. Megatron-LM keeps a copy of tied embeddings on
    /// the last stage, so it is counted there as well.
    public var headParameters: Double { Double(vocabulary) * Double(hidden) }

    /// Activation bytes one layer keeps for a micro-batch from its forward to its backward, for 16-bit
    /// values without tensor or sequence parallelism — Korthikanti et al., "Reducing Activation
    /// Recomputation in Large Transformer Models" (MLSys'23), eq. (1): sbh(34 + 5as/h); with selective
    /// recompute (§4.2) the attention's 5as²b is recomputed and 34sbh remains.
    public var layerActivationBytes: Double {
        let s = Double(sequenceLength), b = Double(microbatchSize), h = Double(hidden), a = Double(heads)
        let scale = Double(precisionBytes) / 2
        switch recompute {
        case .selective: return scale * 34 * s * b * h
        case .none, .full: return scale * s * b * h * (34 + 5 * a * s / h)
        }
    }

    /// Bytes of the tensor between two stages, and of a stage's input kept under full recompute: sbh values.
    public var boundaryBytes: Double { tokens * Double(hidden) * Double(precisionBytes) }

    /// Bytes the output head keeps per micro-batch: the logits in fp32 for the loss, 4sbV (Korthikanti
    /// et al., §4.1, output layer and cross entropy).
    public var headActivationBytes: Double { 4 * tokens * Double(vocabulary) }

    /// Checks the shape; every problem names the field and a fix.
    public func validate() throws(TransformerError) {
        func positive(_ value: Int, _ field: String) throws(TransformerError) {
            guard value >= 1 else { throw .invalidModel("\(field) is \(value); it must be at least 1") }
        }
        try positive(layers, "layers")
        try positive(hidden, "hidden")
        try positive(heads, "heads")
        try positive(sequenceLength, "sequenceLength")
        try positive(vocabulary, "vocabulary")
        try positive(microbatchSize, "microbatchSize")
        guard hidden % heads == 0 else { throw .invalidModel("hidden \(hidden) is not a multiple of heads \(heads)") }
        if let kvHeads {
            guard kvHeads >= 1, heads % kvHeads == 0 else { throw .invalidModel("kvHeads \(kvHeads) must divide heads \(heads)") }
        }
        if let ffnHidden { try positive(ffnHidden, "ffnHidden") }
        guard precisionBytes == 2 || precisionBytes == 4 else {
            throw .invalidModel("precisionBytes is \(precisionBytes); use 2 (bf16/fp16) or 4 (fp32)")
        }
        for value in [Double(layers), Double(hidden), Double(sequenceLength), Double(vocabulary), Double(microbatchSize)] where value > 1e7 {
            throw .invalidModel("a dimension of \(Int(value)) is beyond any model this tool describes (at most 10,000,000)")
        }
    }
}

/// Which activations a stage keeps between a micro-batch's forward and backward.
public enum ActivationRecompute: String, Codable, Sendable, CaseIterable {
    /// Keep every activation.
    case none
    /// Recompute the attention's softmax and dropout (Korthikanti et al. §4.2): 34sbh bytes per layer.
    case selective
    /// Keep only each stage's input and recompute the stage before its backward (run the schedule with
    /// `--recompute`): 2sbh bytes per micro-batch while waiting.
    case full
}
