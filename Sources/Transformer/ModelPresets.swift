/// Named model shapes, as their papers give them. Micro-batch size 1 and no recompute unless changed.
extension TransformerModel {
    /// GPT-3 sizes from Brown et al., "Language Models are Few-Shot Learners" (2020), Table 2.1
    /// (n_layers, d_model, n_heads; context 2048), with GPT-2's 50257-token vocabulary padded to 51200 as
    /// Megatron-LM does. The table's 13B d_model of 5140 is taken as 5120 = 40 heads × 128, its d_head.
    public static let gpt3_1_3B = TransformerModel(name: "gpt3-1.3b", layers: 24, hidden: 2048, heads: 16, sequenceLength: 2048, vocabulary: 51_200)
    public static let gpt3_6_7B = TransformerModel(name: "gpt3-6.7b", layers: 32, hidden: 4096, heads: 32, sequenceLength: 2048, vocabulary: 51_200)
    public static let gpt3_13B = TransformerModel(name: "gpt3-13b", layers: 40, hidden: 5120, heads: 40, sequenceLength: 2048, vocabulary: 51_200)
    public static let gpt3_175B = TransformerModel(name: "gpt3-175b", layers: 96, hidden: 12288, heads: 96, sequenceLength: 2048, vocabulary: 51_200)
    /// LLaMA-style 7B (Touvron et al., "Llama 2", 2023, Table 1 and the released configuration: 32 layers,
    /// 4096 hidden, 32 heads, SwiGLU 11008, vocabulary 32000, context 4096, rotary positions).
    public static let llama7B = TransformerModel(name: "llama-7b", layers: 32, hidden: 4096, heads: 32, ffnHidden: 11_008, gatedMLP: true,
                                                 sequenceLength: 4096, vocabulary: 32_000, positionEmbeddings: false)
    /// LLaMA-style 70B (Llama 2: 80 layers, 8192 hidden, 64 heads, 8 key-value heads, SwiGLU 28672).
    public static let llama70B = TransformerModel(name: "llama-70b", layers: 80, hidden: 8192, heads: 64, kvHeads: 8, ffnHidden: 28_672,
                                                  gatedMLP: true, sequenceLength: 4096, vocabulary: 32_000, positionEmbeddings: false)

    public static let presets: [TransformerModel] = [gpt3_1_3B, gpt3_6_7B, gpt3_13B, gpt3_175B, llama7B, llama70B]
}
