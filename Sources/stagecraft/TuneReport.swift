import Foundation
import Schedule
import Store
import Tune

/// What `tune` prints: the ranked table, the frontier and why the winner wins, as text or JSON.
struct TuneReport {
    let outcome: TuneOutcome
    let devices: Int
    let budget: Int64?
    let top: Int
    /// The costs' `CostModel.uncertainty`; nil when unknown.
    let uncertainty: Double?

    func text() -> String {
        var lines: [String] = []
        lines.append("tune: \(devices) device(s); memory budget \(budget.map { TuneText.bytes($0) + " per device" } ?? "none")")
        let synthesis = outcome.synthesized > 0
            ? ", \(outcome.synthesized) synthesized in \(CommandText.fixed(outcome.synthesisSeconds, 3)) s" : ""
        lines.append("evaluated \(outcome.evaluated) candidates in \(CommandText.fixed(outcome.seconds, 3)) s "
                     + "(handcrafted: \(Int(outcome.candidatesPerSecond.rounded())) per second\(synthesis)); "
                     + "\(outcome.ranked.count) within the budget, \(outcome.overBudget.count) over it, \(outcome.skipped.count) skipped")
        for (candidate, reason) in outcome.skipped.prefix(3) { lines.append("  skipped \(candidate.label): \(reason)") }
        if outcome.skipped.count > 3 { lines.append("  … and \(outcome.skipped.count - 3) more skipped (--json lists them)") }
        if let bound = outcome.lowerBound {
            lines.append("lower bound at the winner's m = \(bound.microbatches): makespan \(CommandText.duration(bound.makespan)) (no schedule of these costs is shorter)")
        }
        lines.append("")
        let perSample = outcome.ranked.first?.samplesPerSecond != nil
        let header = ["rank", "candidate", "makespan", "iteration", perSample ? "samples/s" : "micro-batches/s", "bubble", "peak memory", "× bound", "frontier"]
        let rows = outcome.ranked.prefix(top).enumerated().map { index, r in
            [String(index + 1), r.candidate.label, CommandText.duration(r.makespan), CommandText.duration(r.iterationTime),
             CommandText.fixed(r.throughput, 2), CommandText.percent(r.bubbleRatio, decimals: 1),
             TuneText.bytes(r.maxPeakMemory), CommandText.fixed(r.boundRatio, 3), r.onFrontier ? "yes" : ""]
        }
        lines.append(CommandText.table(header, rows, rightAligned: [0, 2, 3, 4, 5, 6, 7]))
        if outcome.ranked.count > top { lines.append("(\(outcome.ranked.count - top) more within the budget: --top N)") }
        lines.append("")
        lines.append("frontier (throughput against memory, least memory first):")
        for r in outcome.frontier {
            lines.append("  \(TuneText.bytes(r.maxPeakMemory))  \(r.candidate.label): \(r.reason ?? "")")
        }
        if let winner = outcome.ranked.first {
            lines.append("")
            lines.append("choice: \(winner.candidate.label) — \(winner.reason ?? ""); \(CommandText.fixed((winner.boundRatio - 1) * 100, 2))% above the lower bound of m = \(winner.candidate.microbatches)")
            if let layers = winner.layersPerStage { lines.append("        layers per stage \(layers.map(String.init).joined(separator: ","))") }
            if let uncertainty {
                let tied = outcome.tiedWithWinner(uncertainty: uncertainty)
                let bound = "±" + CommandText.fixed(uncertainty * 100, 1) + "%"
                if tied.isEmpty {
                    lines.append("        no other candidate within the costs' uncertainty (\(bound)) of it")
                } else {
                    let named = tied.prefix(8).map { "\($0.candidate.label) (\(CommandText.fixed(($0.throughput / winner.throughput - 1) * 100, 2))%)" }
                    lines.append("        within the costs' uncertainty (\(bound)) of it, so measure them before choosing: "
                                 + named.joined(separator: ", ") + (tied.count > 8 ? ", and \(tied.count - 8) more (--json lists them)" : ""))
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    func json(tuneID: Int64?, measured: TuneMeasurement.JSONForm? = nil) throws -> String {
        let form = JSONForm(
            devices: devices, memory_budget_bytes: budget, evaluated: outcome.evaluated, seconds: outcome.seconds,
            candidates_per_second: outcome.candidatesPerSecond, synthesized: outcome.synthesized, synthesis_seconds: outcome.synthesisSeconds,
            lower_bound_ns: outcome.lowerBound?.makespan, lower_bound_microbatches: outcome.lowerBound?.microbatches,
            within_budget: outcome.ranked.count, over_budget: outcome.overBudget.count,
            ranked: outcome.ranked.prefix(top).enumerated().map { Entry($1, rank: $0 + 1) },
            frontier: outcome.frontier.map { r in Entry(r, rank: (outcome.ranked.firstIndex { $0.candidate == r.candidate } ?? 0) + 1) },
            skipped: outcome.skipped.map { Skipped(candidate: $0.candidate.label, reason: $0.reason) }, tune_id: tuneID,
            uncertainty: uncertainty, tied_with_choice: uncertainty.map { outcome.tiedWithWinner(uncertainty: $0).map(\.candidate.label) },
            measured: measured)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(form), as: UTF8.self)
    }

    /// The stored form of a result.
    static func record(_ r: CandidateResult, rank: Int?) -> TuneCandidateRecord {
        TuneCandidateRecord(
            rank: rank, schedule: r.candidate.scheduleName, microbatches: r.candidate.microbatches, chunks: r.chunks,
            stages: r.stages, recompute: r.candidate.recompute, layerSplit: r.candidate.layerSplit?.rawValue, layersPerStage: r.layersPerStage,
            makespanNs: r.makespan, iterationNs: r.iterationTime, bubbleRatio: r.bubbleRatio, peakMemoryPerDevice: r.peakMemory,
            microbatchesPerSecond: r.microbatchesPerSecond, samplesPerSecond: r.samplesPerSecond, withinBudget: r.withinBudget,
            onFrontier: r.onFrontier, lowerBoundNs: r.lowerBound, reason: r.reason, scheduleCSV: r.synthesized.map(ScheduleCSV.export))
    }

    struct JSONForm: Encodable {
        let devices: Int
        let memory_budget_bytes: Int64?
        let evaluated: Int
        let seconds, candidates_per_second: Double
        let synthesized: Int
        let synthesis_seconds: Double
        let lower_bound_ns: Int64?
        let lower_bound_microbatches: Int?
        let within_budget, over_budget: Int
        let ranked, frontier: [Entry]
        let skipped: [Skipped]
        let tune_id: Int64?
        /// The costs' uncertainty (fraction), and the candidates within it of the choice; nil when unknown.
        let uncertainty: Double?
        let tied_with_choice: [String]?
        /// With --measure: the measured candidates, fastest first, and the measured choice.
        let measured: TuneMeasurement.JSONForm?
    }

    struct Entry: Encodable {
        let rank: Int
        let label, schedule: String
        let microbatches, chunks, stages: Int
        let recompute: Bool
        let layer_split: String?
        let layers_per_stage: [Int]?
        let makespan_ns, iteration_ns: Int64
        let bubble_ratio: Double
        let peak_memory_bytes: Int64
        let peak_memory_per_device: [Int64]
        let microbatches_per_s: Double
        let samples_per_s: Double?
        let lower_bound_ns: Int64
        let bound_ratio: Double
        let on_frontier: Bool
        let reason: String?

        init(_ r: CandidateResult, rank: Int) {
            self.rank = rank
            label = r.candidate.label
            schedule = r.candidate.scheduleName
            microbatches = r.candidate.microbatches
            stages = r.stages
            chunks = r.chunks
            recompute = r.candidate.recompute
            layer_split = r.candidate.layerSplit?.rawValue
            layers_per_stage = r.layersPerStage
            makespan_ns = r.makespan
            iteration_ns = r.iterationTime
            bubble_ratio = r.bubbleRatio
            peak_memory_bytes = r.maxPeakMemory
            peak_memory_per_device = r.peakMemory
            microbatches_per_s = r.microbatchesPerSecond
            samples_per_s = r.samplesPerSecond
            lower_bound_ns = r.lowerBound
            bound_ratio = r.boundRatio
            on_frontier = r.onFrontier
            reason = r.reason
        }
    }

    struct Skipped: Encodable {
        let candidate, reason: String
    }
}
