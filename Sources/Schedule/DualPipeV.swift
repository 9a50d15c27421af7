/// DualPipeV (DeepSeek-AI, DeepSeek-V3 technical report, 2024; the order of deepseek-ai/DualPipe's
/// `dualpipev.py`, also PyTorch's `ScheduleDualPipeV`): the "cut-in-half" DualPipe over the V-shaped
/// placement (`Placement.vShape`) — device d holds stage d (phase 0, down) and stage 2p − 1 − d
/// (phase 1, back up). In the main phase each device pairs the forward of one phase with the backward
/// of the other; DualPipe overlaps each pair's computation with its communication — here, as in
/// the import of PyTorch's `OVERLAP_F_B`, the pair is two consecutive actions, forward first.
/// Some backwards are split (`I` now, `W` later, from one first-in-first-out queue of postponed
/// weight gradients) to fill the warm-up and the drain.
///
/// Device d runs, each phase's micro-batches in order ("B" is a full backward, "I…W" a split one):
/// 1. 2(p − d − 1) forwards of phase 0;
/// 2. d + 1 times: forward of phase 0, forward of phase 1;
/// 3. p − d − 1 times: `I` of phase 1, the oldest postponed `W`, forward of phase 1;
/// 4. m − 2p + d + 1 times: forward of phase 0 with `B` of phase 1, forward of phase 1 with `B` of phase 0;
/// 5. p − d − 1 times: `B` of phase 1, then forward of phase 1 with `B` of phase 0;
/// 6. d + 1 times: a backward of phase 1 and one of phase 0 — full for the first half of these steps,
///    split (`W` postponed) from the middle on (from its phase-1 backward when d is odd, from its
///    phase-0 backward when d is even);
/// 7. p − d − 1 times: the oldest postponed `W`, then `I` of phase 0 (its `W` postponed);
/// 8. the d + 1 postponed `W`s left.
///
/// Constraints: exactly 2 stages per device (`chunks` 2) and m ≥ 2p micro-batches (DualPipeV's own
/// requirement: the main phase must run at least once on device 0); any p ≥ 1 — unlike the
/// bidirectional DualPipe, DualPipeV needs neither an even p nor an even m.
///
/// Example, p = 2, m = 4 (validated in `GeneratorTests`):
/// ```
/// device 0: 0F0 0F1 0F2 3F0 3I0 3W0 3F1 0F3 3B1 3F2 0B0 3B2 3F3 0B1 3B3 0I2 0W2 0I3 0W3
/// device 1: 1F0 2F0 1F1 2F1 1F2 2B0 2F2 1B0 1F3 2B1 2F3 1B1 2B2 1B2 2I3 1I3 2W3 1W3
/// ```
enum DualPipeV {
    static func make(devices p: Int, microbatches m: Int) throws(ScheduleError) -> Schedule {
        guard m >= 2 * p else {
            throw .unsupported(ScheduleFamily.dualPipeV.rawValue,
                               "it needs at least twice as many micro-batches as devices (m ≥ 2p = \(2 * p)), as DeepSeek's DualPipeV requires; use --microbatches \(2 * p) or more")
        }
        let placement = try Placement.vShape(devices: p)
        let lists = (0..<p).map { order(device: $0, devices: p, microbatches: m) }
        return Schedule(name: ScheduleFamily.dualPipeV.rawValue, placement: placement, microbatchCount: m,
                        actionsByDevice: lists)
    }

    /// Device d's order (m ≥ 2p).
    private static func order(device d: Int, devices p: Int, microbatches m: Int) -> [Action] {
        let stages = [d, 2 * p - 1 - d]
        var list: [Action] = []
        list.reserveCapacity(6 * m)
        var forward = [0, 0], backward = [0, 0]
        var postponed: [Action] = []  // first in, first out
        var nextPostponed = 0
        func runForward(_ phase: Int) {
            list.append(Action(.forward, stage: stages[phase], microbatch: forward[phase]))
            forward[phase] += 1
        }
        func runBackward(_ phase: Int, split: Bool = false) {
            let microbatch = backward[phase]
            backward[phase] += 1
            if split {
                list.append(Action(.inputGrad, stage: stages[phase], microbatch: microbatch))
                postponed.append(Action(.weightGrad, stage: stages[phase], microbatch: microbatch))
            } else {
                list.append(Action(.backward, stage: stages[phase], microbatch: microbatch))
            }
        }
        func runPostponedWeight() {
            guard nextPostponed < postponed.count else { return }
            list.append(postponed[nextPostponed])
            nextPostponed += 1
        }

        for _ in 0..<(2 * (p - d - 1)) { runForward(0) }
        for _ in 0..<(d + 1) {
            runForward(0)
            runForward(1)
        }
        for _ in 0..<(p - d - 1) {
            runBackward(1, split: true)
            runPostponedWeight()
            runForward(1)
        }
        for _ in 0..<(m - 2 * p + d + 1) {
            runForward(0)
            runBackward(1)
            runForward(1)
            runBackward(0)
        }
        for _ in 0..<(p - d - 1) {
            runBackward(1)
            runForward(1)
            runBackward(0)
        }
        var split = false
        for i in 0..<(d + 1) {
            if i == (d + 1) / 2 && d % 2 == 1 { split = true }
            runBackward(1, split: split)
            if i == (d + 1) / 2 && d % 2 == 0 { split = true }
            runBackward(0, split: split)
        }
        for _ in 0..<(p - d - 1) {
            runPostponedWeight()
            runBackward(0, split: true)
        }
        while nextPostponed < postponed.count { runPostponedWeight() }
        return list
    }
}
