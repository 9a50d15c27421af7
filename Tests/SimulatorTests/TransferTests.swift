import Schedule
import Testing
@testable import Simulator

/// Transfers between devices: latency, bandwidth, contention.
struct TransferTests {
    /// 1F1B with uniform F and B and a latency c on every hop between devices, no contention.
    ///
    /// Derivation. Every action starts when its device is free and its inputs have arrived, so its
    /// start is the longest path to it in the graph of actions (weighted by their durations) whose
    /// edges are the device order (weight 0) and the dependencies (weight c between devices). The
    /// makespan is the heaviest path: compute on it plus c × its hops.
    ///
    /// Device d runs w = min(p − d − 1, m) warm-up forwards, then pairs F_d(w + i) B_d(i), then the
    /// remaining backwards; in the pairs, B_d(i) is followed by F_d(i + p − d). The heaviest paths at
    /// c = 0 (compute (m + p − 1)(F + B)) are: F(0) down from device 0 to device p − 1 (p − 1 hops);
    /// then "turns": backward B(i) up from p − 1 to some device d (p − 1 − d hops), the device edge
    /// B_d(i) → F_d(i + a) with a = p − d ∈ 1…p, and F(i + a) down again to p − 1 (p − 1 − d hops); and
    /// finally B(m − 1) up to device 0 (p − 1 hops). A turn by a adds a forwards and a backwards and the
    /// advances sum to m − 1, so each such path runs m + p − 1 forwards and backwards: all tie at c = 0.
    /// With c > 0 the heaviest has the most hops: 2(p − 1) + Σ 2(a − 1) = 2(p − 1) + 2(m − 1) − 2·turns,
    /// and since a ≤ p the fewest turns is ⌈(m − 1)/p⌉. Hence
    ///
    ///     makespan(c) = (m + p − 1)(F + B) + 2c · (p − 1 + m − 1 − ⌈(m − 1)/p⌉).
    ///
    /// (For m = 1 this is the one round trip, 2(p − 1)c; for m − 1 a multiple of p it is a chain of
    /// (m − 1)/p + 1 full round trips from device 0, each 2(p − 1)c.) No other path weighs more for any
    /// c ≥ 0 — the grid below checks that too, with c far above F and B.
    @Test("1F1B with per-hop latency c grows by exactly 2c(p − 1 + m − 1 − ⌈(m − 1)/p⌉)")
    func oneFOneBLatency() throws {
        var failures: [String] = []
        for p in [2, 3, 4, 5, 8] {
            for m in [1, 2, 3, 4, 5, 7, 8, 12, 17] {
                for (f, b, c) in [(1, 1, 1), (1, 2, 1), (2, 3, 1), (3, 5, 2), (1, 1, 3), (10, 20, 7), (1, 1, 50)] {
                    let model = CostModel(forward: .uniform(Double(f)), backward: .uniform(Double(b)), latency: Double(c))
                    let makespan = try simulate(.oneFOneB, devices: p, microbatches: m, model).timeline.makespan
                    let turns = (m - 1 + p - 1) / p
                    let expected = (m + p - 1) * (f + b) + 2 * c * (p - 1 + m - 1 - turns)
                    if makespan != Int64(expected) { failures.append("p=\(p) m=\(m) F=\(f) B=\(b) c=\(c): \(makespan) ≠ \(expected)") }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("A transfer takes latency + bytes / bandwidth, rounded to the nanosecond")
    func bandwidth() throws {
        // 5 ns + 1000 B / 1e11 B/s = 5 + 10 ns per hop; m = 1 is one round trip: p(F + B) + 2(p − 1)·15.
        let model = CostModel(forward: .uniform(2), backward: .uniform(3), latency: 5, bandwidth: 1e11,
                              transferBytes: .uniform(1_000))
        for p in [2, 4, 6] {
            let makespan = try simulate(.oneFOneB, devices: p, microbatches: 1, model).timeline.makespan
            #expect(makespan == Int64(p * 5 + 2 * (p - 1) * 15))
        }
    }

    @Test("Per-stage transfer sizes: boundary s ↔ s + 1 carries transferBytes[s] both ways")
    func perStageTransfer() throws {
        // p = 3, m = 1, bandwidth 1e9 B/s: 1 B = 1 ns. Hops 0→1 and 1→0 take 4, hops 1→2 and 2→1 take 7.
        let model = CostModel(forward: .uniform(1), backward: .uniform(1), bandwidth: 1e9, transferBytes: .perStage([4, 7, 100]))
        let makespan = try simulate(.oneFOneB, devices: 3, microbatches: 1, model).timeline.makespan
        #expect(makespan == 6 + 2 * (4 + 7))
    }

    @Test("Contention: one transfer at a time per direction of a link")
    func contention() throws {
        // GPipe over 2 devices, F = B = 1, every transfer T = 3 > F, B. Without contention the forward
        // of j reaches device 1 at (j + 1)F + T, so makespan = (m + 1)(F + B) + 2T. With contention the
        // link 0 → 1 is the bottleneck: forward j arrives at F + (j + 1)T, device 1's last forward ends
        // at 2F + mT, its backwards run back to back and queue on link 1 → 0 the same way, so
        // makespan = 2(F + B) + 2mT.
        for m in [1, 2, 4, 9] {
            let free = CostModel(forward: .uniform(1), backward: .uniform(1), latency: 3)
            var queued = free
            queued.contention = true
            #expect(try simulate(.gpipe, devices: 2, microbatches: m, free).timeline.makespan == Int64((m + 1) * 2 + 6))
            #expect(try simulate(.gpipe, devices: 2, microbatches: m, queued).timeline.makespan == Int64(4 + 6 * m))
        }
    }

    @Test("Contention changes nothing when transfers never overlap")
    func contentionWithoutOverlap() throws {
        // 1F1B with T ≤ F: each link carries at most one transfer per F, so the queue is always empty.
        for (p, m) in [(2, 4), (4, 8), (5, 3)] {
            let free = CostModel(forward: .uniform(4), backward: .uniform(4), latency: 2)
            var queued = free
            queued.contention = true
            let a = try simulate(.oneFOneB, devices: p, microbatches: m, free).timeline
            let b = try simulate(.oneFOneB, devices: p, microbatches: m, queued).timeline
            #expect(a.start == b.start && a.end == b.end)
        }
    }
}
