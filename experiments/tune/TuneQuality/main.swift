// tune-quality: synthesized schedules (`Synthesizer`) against every handcrafted family and the makespan
// lower bound, on cost sets the project does not tune to, for p ∈ {4, 8} and m ∈ {2p, 4p}, under three
// budgets: (a) weights + p micro-batches of activations per device (1F1B's level), (b) the peak of the
// best handcrafted family, (c) none. Run with experiments/tune/quality.sh (release build).
import Foundation
import Schedule
import Simulator
import Tune

/// Bytes of one micro-batch's activations on one stage, and of one stage's weights.
let activationBytes = 1_000_000.0
let weightBytes = 10_000_000.0

/// The cost sets, per p stages: durations in ns. `activationBytes` counts everything a micro-batch
/// holds until its weight gradient (so `gradientBytes` and `transientBytes` are 0 and budget (a) is
/// exactly 1F1B's peak).
struct CostSet {
    let name: String
    let model: (Int) -> CostModel
}

/// F = I = W = 1000 ns on every stage, each scaled by `factor(stage)`.
func scaled(_ p: Int, _ factor: (Int) -> Double) -> CostModel {
    let f = (0..<p).map { 1000 * factor($0) }
    return CostModel(forward: .perStage(f), backward: .perStage(f.map { 2 * $0 }), inputGrad: .perStage(f), weightGrad: .perStage(f),
                     activationBytes: .uniform(activationBytes), weightBytes: .uniform(weightBytes))
}

let costSets = [
    CostSet(name: "uniform") { p in scaled(p) { _ in 1 } },
    CostSet(name: "slow stage") { p in scaled(p) { $0 == p / 2 ? 1.5 : 1 } },
    CostSet(name: "embed+head") { p in scaled(p) { $0 == 0 ? 1.2 : $0 == p - 1 ? 1.8 : 1 } },
    CostSet(name: "transfer 10%") { p in
        var model = scaled(p) { _ in 1 }
        model.transferBytes = .uniform(activationBytes)
        model.bandwidth = activationBytes / 100e-9  // 100 ns per transfer: 10% of F
        return model
    },
]

/// A simulated schedule: name, makespan and peak memory (max over devices).
struct Run {
    let name: String
    let makespan: Int64
    let peak: Int64
}

/// Every handcrafted family (v = 2 for those that choose their chunks), priced with the base cost
/// model cut into the family's stages.
func handcrafted(devices p: Int, microbatches m: Int, base: CostModel) -> [Run] {
    ScheduleFamily.allCases.compactMap { family in
        let chunks = family.fixedChunks ?? 2
        guard let schedule = try? family.make(devices: p, microbatches: m, chunks: chunks),
              let simulation = try? Simulator(costModel: StageSplit.split(base, parts: chunks)).run(schedule) else { return nil }
        let name = family.fixedChunks == nil ? "\(family.rawValue) v=2" : family.rawValue
        return Run(name: name, makespan: simulation.timeline.makespan, peak: simulation.timeline.peakMemory.max() ?? 0)
    }
}

/// `text` padded to `width`, always followed by at least one space.
func pad(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(1, width - text.count))
}
func ratio(_ a: Int64, _ b: Int64) -> String { String(format: "%.4f", Double(a) / Double(b)) }
func megabytes(_ bytes: Int64) -> String { String(format: "%.1fMB", Double(bytes) / 1e6) }

let widths = [24, 21, 18, 9, 8, 9, 8, 11, 11, 9, 10, 8]
var comparedCases = 0, beatCases = 0, boundCases = 0, nearBoundCases = 0
var misses: [String] = []
print(["case", "budget", "best handcrafted", "makespan", "peak", "synth", "peak", "origin", "synth/hand", "synth/LB", "LB any/LB", "time"]
    .enumerated().map { pad($1, widths[$0]) }.joined())
for p in [4, 8] {
    for m in [2 * p, 4 * p] {
        for set in costSets {
            let base = set.model(p)
            let families = handcrafted(devices: p, microbatches: m, base: base)
            guard let bestOverall = families.min(by: { ($0.makespan, $0.peak) < ($1.makespan, $1.peak) }) else { continue }
            let budgets: [(String, Int64?)] = [
                ("a) 1F1B level", Int64(weightBytes + Double(p) * activationBytes)),
                ("b) best family", bestOverall.peak),
                ("c) none", nil),
            ]
            let anyBound = (try? MakespanLowerBound.best(devices: p, microbatches: m, baseCosts: base,
                                                         placements: SynthesisPlacement.synthesized + [.looped(chunks: 4)])) ?? 0
            for (label, budget) in budgets {
                let caseName = "p=\(p) m=\(m) \(set.name)"
                let fitting = families.filter { run in budget.map { run.peak <= $0 } ?? true }
                let clock = ContinuousClock.now
                let result: SynthesisResult
                do {
                    result = try Synthesizer.synthesize(devices: p, microbatches: m, baseCosts: base, memoryBudget: budget)
                } catch {
                    print("\(caseName) \(label): \(error)")
                    misses.append("\(caseName) \(label): synthesis failed: \(error)")
                    continue
                }
                let elapsed = ContinuousClock.now - clock
                let makespan = result.simulation.timeline.makespan, peak = result.simulation.timeline.peakMemory.max() ?? 0
                let best = fitting.min { ($0.makespan, $0.peak) < ($1.makespan, $1.peak) }
                if let best {
                    comparedCases += 1
                    if makespan <= best.makespan && peak <= (budget ?? .max) { beatCases += 1 } else {
                        misses.append("\(caseName) \(label): synth \(makespan) ns at \(megabytes(peak)) vs \(best.name) \(best.makespan) ns at \(megabytes(best.peak))")
                    }
                }
                // Budgets that allow p micro-batches of activations on every device.
                if budget.map({ $0 >= Int64(weightBytes + Double(p) * activationBytes) }) ?? true {
                    boundCases += 1
                    if Double(makespan) <= 1.03 * Double(result.lowerBound) { nearBoundCases += 1 } else {
                        misses.append("\(caseName) \(label): synth \(makespan) ns is \(ratio(makespan, result.lowerBound))× the lower bound \(result.lowerBound) ns")
                    }
                }
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let budgetText = label + (budget.map { " " + megabytes($0) } ?? "")
                let handText: [String] = best.map { [$0.name, "\($0.makespan)", megabytes($0.peak)] } ?? ["-", "-", "-"]
                let versus = best.map { ratio(makespan, $0.makespan) } ?? "-"
                let cells: [String] = [caseName, budgetText] + handText
                    + ["\(makespan)", megabytes(peak), result.origin, versus, ratio(makespan, result.lowerBound),
                       ratio(anyBound, result.lowerBound), String(format: "%.3fs", seconds)]
                print(cells.enumerated().map { pad($1, widths[$0]) }.joined())
            }
        }
    }
}
print("")
print("synth ≤ best handcrafted at ≤ its peak memory (within the budget): \(beatCases) of \(comparedCases) cases")
print("synth within 3% of the lower bound where the budget allows p micro-batches: \(nearBoundCases) of \(boundCases) cases")
print("LB: MakespanLowerBound.best under the case's budget over the placements synthesis may return (looped, V, looped×2); LB any: without a budget, looped×4 added.")
if misses.isEmpty { print("misses: none") } else {
    print("misses:")
    for miss in misses { print("  - \(miss)") }
}
