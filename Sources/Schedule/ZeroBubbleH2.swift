/// ZB-H2 (Qi et al., "Zero Bubble Pipeline Parallelism", ICLR 2024, §3.1, the second handcrafted
/// schedule): more forwards in the warm-up fill the bubble before the first backward, and the weight
/// gradients are postponed further so that they fill the drain, turning the iteration into a
/// parallelogram that consecutive iterations tile without gaps once the optimizer step no longer
/// synchronises them (the paper's post-validation).
///
/// Device d holds stage d and runs: a warm-up of w = min(2(p − d − 1) + 1, m) forwards; then for each
/// micro-batch j = 0, 1, …, m − 1: `I` of j, `W` of j − 2d once j ≥ 2d, and the next forward while any
/// remain; then the 2d postponed `W`s. Device d therefore holds at most w + 2d = 2p − 1 micro-batches'
/// activations (for m ≥ 2p − 1): the paper's memory of ZB-H2.
///
/// Under uniform costs (T_F, T_B for `I`, T_W), free communication, m ≥ 2p − 1 and
/// T_W ≤ min(T_F, T_B), iterations that follow each other without a barrier repeat every
/// m(T_F + T_B + T_W) + (p − 1)(T_F + T_B − 2T_W), so each device idles (p − 1)(T_F + T_B − 2T_W) per
/// iteration — the paper's Table 2, zero when T_F + T_B = 2T_W; within one isolated iteration a device
/// also waits for the parallelogram's slanted start and end. Constraints: one stage per device
/// (`chunks` 1); any p ≥ 1, m ≥ 1 (with m < 2p − 1 the warm-up is cut short and the bound does not hold).
///
/// Example, p = 2, m = 3 (validated in `GeneratorTests`):
/// ```
/// device 0: 0F0 0F1 0F2 0I0 0W0 0I1 0W1 0I2 0W2
/// device 1: 1F0 1I0 1F1 1I1 1F2 1I2 1W0 1W1 1W2
/// ```
enum ZeroBubbleH2 {
    static func make(devices p: Int, microbatches m: Int) throws(ScheduleError) -> Schedule {
        let lists = (0..<p).map { d in
            ZeroBubbleH1.splitBackwardOrder(stage: d, microbatches: m, warmup: min(2 * (p - d - 1) + 1, m),
                                            forwardFirst: false, postponed: 2 * d)
        }
        return Schedule(name: ScheduleFamily.zeroBubbleH2.rawValue, placement: try .looped(devices: p, chunks: 1),
                        microbatchCount: m, actionsByDevice: lists)
    }
}
