/// ZB-H1 (Qi et al., "Zero Bubble Pipeline Parallelism", ICLR 2024, §3.1, the first handcrafted
/// schedule): 1F1B with every backward split into the input gradient `I` and the weight gradient `W`,
/// and device d's first d weight gradients postponed, so the input gradients flow back to device 0
/// sooner and the postponed `W`s fill the drain where 1F1B idles. The order per device follows the
/// zero-bubble variant of PyTorch's `_get_1f1b_rank_ops` (`torch.distributed.pipelining`) with one
/// stage per rank.
///
/// Device d holds stage d and runs: a warm-up of w = min(p − d − 1, m) forwards; then for each
/// micro-batch j = 0, 1, …, m − 1: the next forward (while any remain), `I` of j, and — once j ≥ d —
/// `W` of j − d; then the d postponed `W`s.
///
/// Under uniform costs (T_F, T_B for `I`, T_W), free communication, m ≥ p and T_W ≤ min(T_F, T_B),
/// every device idles (p − 1)(T_F + T_B − T_W) per iteration — the paper's Table 2 — against
/// (p − 1)(T_F + T_B + T_W) for 1F1B; each device holds at most min(p, m) micro-batches' activations,
/// as in 1F1B. Constraints: one stage per device (`chunks` 1); any p ≥ 1, m ≥ 1.
///
/// Example, p = 2, m = 3 (validated in `GeneratorTests`):
/// ```
/// device 0: 0F0 0F1 0I0 0W0 0F2 0I1 0W1 0I2 0W2
/// device 1: 1F0 1I0 1F1 1I1 1W0 1F2 1I2 1W1 1W2
/// ```
enum ZeroBubbleH1 {
    static func make(devices p: Int, microbatches m: Int) throws(ScheduleError) -> Schedule {
        let lists = (0..<p).map { d in
            splitBackwardOrder(stage: d, microbatches: m, warmup: min(p - d - 1, m), forwardFirst: true, postponed: d)
        }
        return Schedule(name: ScheduleFamily.zeroBubbleH1.rawValue, placement: try .looped(devices: p, chunks: 1),
                        microbatchCount: m, actionsByDevice: lists)
    }

    /// The one-stage split-backward order shared by ZB-H1 and ZB-H2: `warmup` forwards, then per
    /// micro-batch j its `I` together with the next forward (before `I` when `forwardFirst`, after the
    /// weight gradient otherwise) and, once j ≥ `postponed`, `W` of j − `postponed`; then the
    /// postponed `W`s.
    static func splitBackwardOrder(stage: Int, microbatches m: Int, warmup: Int, forwardFirst: Bool, postponed: Int) -> [Action] {
        var list = (0..<warmup).map { Action(.forward, stage: stage, microbatch: $0) }
        list.reserveCapacity(3 * m)
        var nextForward = warmup, nextWeight = 0
        for j in 0..<m {
            if forwardFirst, nextForward < m {
                list.append(Action(.forward, stage: stage, microbatch: nextForward))
                nextForward += 1
            }
            list.append(Action(.inputGrad, stage: stage, microbatch: j))
            if j >= postponed {
                list.append(Action(.weightGrad, stage: stage, microbatch: nextWeight))
                nextWeight += 1
            }
            if !forwardFirst, nextForward < m {
                list.append(Action(.forward, stage: stage, microbatch: nextForward))
                nextForward += 1
            }
        }
        list += (nextWeight..<m).map { Action(.weightGrad, stage: stage, microbatch: $0) }
        return list
    }
}
