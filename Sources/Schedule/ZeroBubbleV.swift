/// ZB-V (Qi et al., "Zero Bubble Pipeline Parallelism", ICLR 2024, §6; the handcrafted order of
/// sail-sg/zero-bubble-pipeline-parallelism's `handcrafted_zb_v`, also PyTorch's
/// `ScheduleZBVZeroBubble`): 2p stages in the V-shaped placement (`Placement.vShape`) — device d holds
/// stage d (chunk 0, on the way down) and stage 2p − 1 − d (chunk 1, on the way back up) — with every
/// backward split into `I` and `W`.
///
/// Device d runs, counting micro-batches per chunk in order and writing n = max(m, 2p − 1):
/// 1. 2(p − d) − 1 forwards of chunk 0;
/// 2. d times: a forward of chunk 1, a forward of chunk 0;
/// 3. p − d times: a forward, `I` and `W` of chunk 1;
/// 4. while chunk 0 has forwards left or chunk 1 lags behind it: a forward of chunk 0 (if any left),
///    `I` and `W` of chunk 0, a forward, `I` and `W` of chunk 1;
/// 5. d times: `I` of chunk 0, `I` of chunk 1 (their `W`s wait); then p − d times: `I` of chunk 0 and
///    the oldest waiting `W` of chunk 0; then the waiting `W`s of chunk 1, then those of chunk 0.
/// For m < 2p − 1 the order is built for n = 2p − 1 micro-batches and those ≥ m are left out.
///
/// Under uniform costs with T_F = T_B = T_W (per chunk), free communication and m ≥ 2p − 1, every
/// device is busy without a gap from its first action to its last: no bubble in the steady state, as
/// the paper shows, and iterations that follow each other without a barrier repeat every 2m(T_F + T_B
/// + T_W); within one isolated iteration each device waits only for the V's slanted start and end,
/// (p − 1)·T_F. Each device holds at most 2p chunk-activations — p micro-batches' worth of its layers,
/// the memory of 1F1B and ZB-H1. Constraints: exactly 2 stages per device (`chunks` 2); any p ≥ 1,
/// m ≥ 1.
///
/// Example, p = 2, m = 3 (validated in `GeneratorTests`):
/// ```
/// device 0: 0F0 0F1 0F2 3F0 3I0 3W0 3F1 3I1 3W1 0I0 0W0 3F2 3I2 3W2 0I1 0W1 0I2 0W2
/// device 1: 1F0 2F0 1F1 2F1 2I0 2W0 1F2 1I0 1W0 2F2 2I1 2W1 1I1 2I2 1I2 1W1 2W2 1W2
/// ```
enum ZeroBubbleV {
    static func make(devices p: Int, microbatches m: Int) throws(ScheduleError) -> Schedule {
        let placement = try Placement.vShape(devices: p)
        let n = max(m, 2 * p - 1)
        let lists = (0..<p).map { d in
            order(device: d, devices: p, microbatches: n).filter { $0.microbatch < m }
        }
        return Schedule(name: ScheduleFamily.zeroBubbleV.rawValue, placement: placement, microbatchCount: m,
                        actionsByDevice: lists)
    }

    /// Device d's order for n micro-batches (n ≥ 2p − 1).
    private static func order(device d: Int, devices p: Int, microbatches n: Int) -> [Action] {
        let down = d, up = 2 * p - 1 - d
        var list: [Action] = []
        list.reserveCapacity(6 * n)
        var forward = [0, 0], input = [0, 0], weight = [0, 0]
        func stage(_ chunk: Int) -> Int { chunk == 0 ? down : up }
        func emit(_ op: Op, _ chunk: Int, _ counter: inout [Int]) {
            list.append(Action(op, stage: stage(chunk), microbatch: counter[chunk]))
            counter[chunk] += 1
        }
        for _ in 0..<(2 * (p - d) - 1) { emit(.forward, 0, &forward) }
        for _ in 0..<d {
            emit(.forward, 1, &forward)
            emit(.forward, 0, &forward)
        }
        for _ in 0..<(p - d) {
            emit(.forward, 1, &forward)
            emit(.inputGrad, 1, &input)
            emit(.weightGrad, 1, &weight)
        }
        while forward[1] < forward[0] || forward[0] < n {
            if forward[0] < n { emit(.forward, 0, &forward) }
            emit(.inputGrad, 0, &input)
            emit(.weightGrad, 0, &weight)
            emit(.forward, 1, &forward)
            emit(.inputGrad, 1, &input)
            emit(.weightGrad, 1, &weight)
        }
        for _ in 0..<d {
            emit(.inputGrad, 0, &input)
            emit(.inputGrad, 1, &input)
        }
        for _ in 0..<(p - d) {
            emit(.inputGrad, 0, &input)
            emit(.weightGrad, 0, &weight)
        }
        while weight[1] < input[1] { emit(.weightGrad, 1, &weight) }
        while weight[0] < input[0] { emit(.weightGrad, 0, &weight) }
        return list
    }
}
