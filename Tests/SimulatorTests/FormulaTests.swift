import Schedule
import Testing
@testable import Simulator

/// Exact makespans under uniform costs and free communication, against closed forms.
struct FormulaTests {
    static let fillGrid: [(p: Int, m: Int)] = [(1, 1), (1, 5), (2, 1), (2, 2), (2, 7), (3, 4), (4, 1), (4, 3), (4, 8),
                                                (5, 16), (8, 8), (8, 3), (7, 20)]
    static let costs: [(f: Double, b: Double)] = [(1, 1), (1, 2), (3, 5), (1_000, 2_000), (7, 0)]

    @Test("GPipe and 1F1B: makespan = (m + p − 1)(F + B)", arguments: [ScheduleFamily.gpipe, .oneFOneB])
    func fillDrainAndOneFOneB(family: ScheduleFamily) throws {
        for (p, m) in Self.fillGrid {
            for (f, b) in Self.costs {
                let simulation = try simulate(family, devices: p, microbatches: m, uniform(forward: f, backward: b))
                #expect(simulation.timeline.makespan == Int64((m + p - 1)) * Int64(f + b), "p=\(p) m=\(m) F=\(f) B=\(b)")
            }
        }
    }

    @Test("1F1B: per-device busy time is m(F + B) and idle the rest")
    func oneFOneBBusyAndIdle() throws {
        let (p, m, f, b): (Int, Int, Int64, Int64) = (4, 8, 2, 3)
        let timeline = try simulate(.oneFOneB, devices: p, microbatches: m, uniform(forward: 2, backward: 3)).timeline
        for d in 0..<p {
            #expect(timeline.busy(device: d) == Int64(m) * (f + b))
            #expect(timeline.idle(device: d) == Int64(p - 1) * (f + b))
        }
        // Megatron's bubble fraction (p − 1)/m, and the idle share of the time available (p − 1)/(m + p − 1).
        #expect(timeline.bubbleOverCompute == Double(p - 1) / Double(m))
        #expect(timeline.bubbleRatio == Double(p - 1) / Double(m + p - 1))
    }

    @Test("Interleaved, v chunks, per-chunk F and B, m a multiple of p: makespan = v·m(F + B) + (p − 1)(F + B)")
    func interleaved() throws {
        var failures: [String] = []
        for p in [2, 3, 4, 8] {
            for v in [1, 2, 3, 4] {
                for groups in [1, 2, 3] {
                    let m = groups * p
                    for (f, b) in [(1.0, 1.0), (1.0, 2.0), (3.0, 5.0)] {
                        let simulation = try simulate(.interleaved, devices: p, microbatches: m, chunks: v,
                                                      uniform(forward: f, backward: b))
                        let expected = Int64(v * m + p - 1) * Int64(f + b)
                        if simulation.timeline.makespan != expected {
                            failures.append("p=\(p) m=\(m) v=\(v) F=\(f) B=\(b): \(simulation.timeline.makespan) ≠ \(expected)")
                        }
                    }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("Chimera, F = B = 1, m = p: makespan = 2m + p − 2, bubble ratio (p − 2)/(2m + p − 2)", arguments: [2, 4, 8])
    func chimera(p: Int) throws {
        let m = p
        let timeline = try simulate(.chimera, devices: p, microbatches: m, uniform(forward: 1, backward: 1)).timeline
        #expect(timeline.makespan == Int64(2 * m + p - 2))
        // gradSync is free here, so busy time is 2m per device and the idle share is the paper's ratio.
        let ratio = Double(p - 2) / Double(2 * m + p - 2)
        #expect(abs(timeline.bubbleRatio - ratio) < 1e-12)
    }
}
