import Schedule
import Testing
@testable import Simulator

/// The zero-bubble schedules against the closed forms of Qi et al. (ICLR 2024, Table 2), exactly.
///
/// Conditions every test here shares: uniform costs — T_F for a forward, T_B for an input gradient
/// `I`, T_W for a weight gradient `W`, the same on every stage — and free communication (zero latency,
/// zero bytes). The ZB-H1 and ZB-H2 bounds also need T_W ≤ min(T_F, T_B) (a postponed `W` must fit in
/// the gap it fills; the grid below covers every (T_F, T_B, T_W) ∈ {1, 2, 3, 4}³ with that property,
/// scaled by 1 and by 1000), and enough micro-batches to fill the warm-up: m ≥ p for ZB-H1, m ≥ 2p − 1
/// for ZB-H2 and ZB-V; p runs over 1…6.
struct ZeroBubbleFormulaTests {
    /// (T_F, T_B, T_W) with T_W ≤ min(T_F, T_B), in unit steps and in microseconds.
    static let costs: [(f: Int64, b: Int64, w: Int64)] = {
        var list: [(Int64, Int64, Int64)] = []
        for f in Int64(1)...4 {
            for b in Int64(1)...4 {
                for w in Int64(1)...min(f, b) { list.append((f, b, w)) }
            }
        }
        return list + [(1_000, 2_000, 1_000), (3_000, 2_000, 1_500)]
    }()

    static func model(_ f: Int64, _ b: Int64, _ w: Int64) -> CostModel {
        CostModel(forward: .uniform(Double(f)), backward: .uniform(Double(b + w)),
                  inputGrad: .uniform(Double(b)), weightGrad: .uniform(Double(w)))
    }

    /// `iterations` copies of `schedule` run back to back with no barrier between them (the paper's
    /// post-validation, which lets ZB-H2's parallelogram tile): copy k runs micro-batches k·m …
    static func backToBack(_ schedule: Schedule, iterations: Int) -> Schedule {
        let m = schedule.microbatchCount
        let lists = (0..<schedule.deviceCount).map { d in
            (0..<iterations).flatMap { k in
                schedule.actions(on: d).map { Action($0.op, stage: $0.stage, microbatch: $0.microbatch + k * m, replica: $0.replica) }
            }
        }
        return Schedule(name: schedule.name, placement: schedule.placement, microbatchCount: m * iterations, actionsByDevice: lists)
    }

    /// Time by which each further back-to-back iteration extends the makespan (checked equal for the
    /// second and the third iteration): the period of the steady state.
    static func period(_ schedule: Schedule, _ model: CostModel) throws -> Int64 {
        let simulator = Simulator(costModel: model)
        let spans = try (1...3).map { try simulator.run(backToBack(schedule, iterations: $0)).timeline.makespan }
        #expect(spans[2] - spans[1] == spans[1] - spans[0], "\(schedule.name) is not periodic: \(spans)")
        return spans[2] - spans[1]
    }

    @Test("ZB-H1, m ≥ p, T_W ≤ min(T_F, T_B): every device idles (p − 1)(T_F + T_B − T_W)")
    func zeroBubbleH1Idle() throws {
        var failures: [String] = []
        for p in 1...6 {
            for m in Set([p, p + 1, 2 * p, 3 * p + 1]) {
                let schedule = try ScheduleFamily.zeroBubbleH1.make(devices: p, microbatches: m)
                for (f, b, w) in Self.costs {
                    let timeline = try Simulator(costModel: Self.model(f, b, w)).run(schedule).timeline
                    let idle = Int64(p - 1) * (f + b - w)
                    if timeline.makespan != Int64(m) * (f + b + w) + idle { failures.append("p=\(p) m=\(m) F=\(f) B=\(b) W=\(w): makespan \(timeline.makespan)") }
                    for d in 0..<p where timeline.idle(device: d) != idle {
                        failures.append("p=\(p) m=\(m) F=\(f) B=\(b) W=\(w) device \(d): idle \(timeline.idle(device: d)) ≠ \(idle)")
                    }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10).joined(separator: "\n"))")
    }

    @Test("ZB-H2, m ≥ 2p − 1, T_W ≤ min(T_F, T_B): back to back, each iteration idles (p − 1)(T_F + T_B − 2T_W) per device")
    func zeroBubbleH2Idle() throws {
        var failures: [String] = []
        for p in 1...6 {
            for m in Set([2 * p - 1, 2 * p, 3 * p + 1]) {
                let schedule = try ScheduleFamily.zeroBubbleH2.make(devices: p, microbatches: m)
                for (f, b, w) in Self.costs {
                    let model = Self.model(f, b, w)
                    let busy = Int64(m) * (f + b + w)
                    // Steady state (the paper's bubble): period − busy, the same on every device.
                    let steady = try Self.period(schedule, model) - busy
                    if steady != Int64(p - 1) * (f + b - 2 * w) {
                        failures.append("p=\(p) m=\(m) F=\(f) B=\(b) W=\(w): steady idle \(steady) ≠ \(Int64(p - 1) * (f + b - 2 * w))")
                    }
                    // One isolated iteration also pays the parallelogram's slanted ends: (p − 1)·max(T_F, T_F + T_B − 2T_W).
                    let timeline = try Simulator(costModel: model).run(schedule).timeline
                    let single = Int64(p - 1) * max(f, f + b - 2 * w)
                    for d in 0..<p where timeline.idle(device: d) != single {
                        failures.append("p=\(p) m=\(m) F=\(f) B=\(b) W=\(w) device \(d): idle \(timeline.idle(device: d)) ≠ \(single)")
                    }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10).joined(separator: "\n"))")
    }

    @Test("ZB-H2 with T_F = T_B = T_W has no bubble in the steady state")
    func zeroBubbleH2IsZeroBubble() throws {
        for p in 1...8 {
            let schedule = try ScheduleFamily.zeroBubbleH2.make(devices: p, microbatches: 2 * p + 3)
            #expect(try Self.period(schedule, Self.model(5, 5, 5)) == Int64(2 * p + 3) * 15)
        }
    }

    @Test("ZB-V, T_F = T_B = T_W, m ≥ 2p − 1: no bubble in the steady state")
    func zeroBubbleVSteadyState() throws {
        var failures: [String] = []
        for p in 1...6 {
            for m in Set([2 * p - 1, 2 * p, 3 * p + 2]) {
                let schedule = try ScheduleFamily.zeroBubbleV.make(devices: p, microbatches: m)
                for c in [Int64(1), 7, 1_000] {
                    let model = Self.model(c, c, c)
                    let busy = 2 * Int64(m) * 3 * c  // two stages per device
                    let timeline = try Simulator(costModel: model).run(schedule).timeline
                    for d in 0..<p {
                        let range = schedule.actionRange(of: d)
                        let span = range.map { timeline.end[$0] }.max()! - range.map { timeline.start[$0] }.min()!
                        // Busy without a gap from the device's first action to its last …
                        if span != busy { failures.append("p=\(p) m=\(m) c=\(c) device \(d): span \(span) ≠ busy \(busy)") }
                        // … so an isolated iteration idles only for the V's slanted ends.
                        if timeline.idle(device: d) != Int64(p - 1) * c {
                            failures.append("p=\(p) m=\(m) c=\(c) device \(d): idle \(timeline.idle(device: d)) ≠ \(Int64(p - 1) * c)")
                        }
                    }
                    // Back to back, iterations repeat with no idle time at all.
                    let period = try Self.period(schedule, model)
                    if period != busy { failures.append("p=\(p) m=\(m) c=\(c): period \(period) ≠ busy \(busy)") }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10).joined(separator: "\n"))")
    }

    @Test("Peak activations: ZB-H1 p micro-batches, ZB-H2 2p − 1, ZB-V 2p chunk-activations (p micro-batches of a device's layers)")
    func peakActivations() throws {
        for p in 1...6 {
            for m in [2 * p - 1, 2 * p + 3] {
                let model = CostModel(forward: .uniform(2), backward: .uniform(3), activationBytes: .uniform(10))
                let h1 = try Simulator(costModel: model).run(ScheduleFamily.zeroBubbleH1.make(devices: p, microbatches: m))
                let h2 = try Simulator(costModel: model).run(ScheduleFamily.zeroBubbleH2.make(devices: p, microbatches: m))
                let v = try Simulator(costModel: model).run(ScheduleFamily.zeroBubbleV.make(devices: p, microbatches: m))
                #expect(h1.peakActivationBytes == [Int64](repeating: Int64(10 * p), count: p), "zb-h1 p=\(p) m=\(m)")
                #expect(h2.peakActivationBytes == [Int64](repeating: Int64(10 * (2 * p - 1)), count: p), "zb-h2 p=\(p) m=\(m)")
                #expect(v.peakActivationBytes == [Int64](repeating: Int64(10 * 2 * p), count: p), "zb-v p=\(p) m=\(m)")
            }
        }
    }

    @Test("Against 1F1B under the same costs, ZB-H1 saves 2(p − 1)T_W of idle time per device")
    func zeroBubbleH1AgainstOneFOneB() throws {
        let (p, m, f, b, w): (Int, Int, Int64, Int64, Int64) = (4, 8, 3, 3, 2)
        let model = Self.model(f, b, w)
        let oneFOneB = try Simulator(costModel: model).run(ScheduleFamily.oneFOneB.make(devices: p, microbatches: m)).timeline
        let h1 = try Simulator(costModel: model).run(ScheduleFamily.zeroBubbleH1.make(devices: p, microbatches: m)).timeline
        #expect(oneFOneB.idle(device: 0) - h1.idle(device: 0) == 2 * Int64(p - 1) * w)
    }
}
