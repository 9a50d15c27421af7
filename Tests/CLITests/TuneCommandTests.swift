import Foundation
import Testing

/// `stagecraft tune` end to end: the JSON shape, the record in the database, the plot and the winner's
/// schedule, which simulates to the makespan tune reported.
@Suite struct TuneCommandTests {
    static let costs = ["--forward", "1ms", "--backward", "2ms", "--activation-bytes", "1GB", "--weight-bytes", "2GB", "--checkpoint-bytes", "100MB"]

    @Test func tuneRanksRecordsPlotsAndWritesTheWinner() throws {
        let workspace = try Workspace()
        let output = try workspace.json(["tune", "--devices", "4", "--microbatches", "8,16", "--synthesize", "--memory-budget", "7GB",
                                         "--plot", "frontier.svg", "--save-schedule", "winner.csv", "--top", "3", "--json", "--db", "t.db"] + Self.costs)
        let ranked = try #require(output["ranked"] as? [[String: Any]])
        #expect(ranked.count == 3)
        let winner = try #require(ranked.first)
        for key in ["label", "schedule", "microbatches", "chunks", "stages", "recompute", "makespan_ns", "iteration_ns", "bubble_ratio",
                    "peak_memory_bytes", "peak_memory_per_device", "microbatches_per_s", "lower_bound_ns", "bound_ratio", "on_frontier", "reason", "rank"] {
            #expect(winner[key] != nil, "ranked[0] lacks \(key)")
        }
        for entry in ranked { #expect((entry["peak_memory_bytes"] as? Int ?? .max) <= 7_000_000_000) }
        #expect((winner["bound_ratio"] as? Double ?? 0) >= 1)
        let frontier = try #require(output["frontier"] as? [[String: Any]])
        #expect(!frontier.isEmpty)
        #expect((output["over_budget"] as? Int ?? 0) > 0)
        #expect((output["synthesized"] as? Int) == 2)
        let tuneID = try #require(output["tune_id"] as? Int)

        // Stored: the tune and every candidate simulated, the winner ranked 1.
        let stored = try workspace.succeed(["query", "SELECT count(*), min(rank) FROM tune_candidates WHERE tune_id = \(tuneID)", "--db", "t.db", "--csv"])
        let evaluated = try #require(output["evaluated"] as? Int)
        #expect(stored.stdout == "count(*),min(rank)\n\(evaluated),1\n")

        // The plot is an SVG with one point per candidate; the winner's schedule simulates to its makespan.
        let svg = try String(contentsOfFile: workspace.path("frontier.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.components(separatedBy: "<circle").count - 1 >= evaluated)
        let simulated = try workspace.json(["simulate", "--file", "winner.csv", "--json", "--no-record"] + Self.splitCosts(for: winner))
        #expect(simulated["makespan_ns"] as? Int == winner["makespan_ns"] as? Int)
    }

    @Test func measureRunsTheBestCandidatesInTurnsAndChoosesTheFastestMeasured() throws {
        let workspace = try Workspace()
        let output = try workspace.json(["tune", "--devices", "2", "--microbatches", "2,4", "--families", "gpipe,1f1b,zb-h1", "--recompute", "no",
                                         "--forward", "1ms", "--backward", "2ms", "--measure", "3", "--layers", "2", "--hidden", "8", "--rows", "2",
                                         "--measure-rounds", "2", "--measure-iterations", "3", "--save-schedule", "choice.csv", "--json", "--db", "t.db"])
        let measured = try #require(output["measured"] as? [String: Any])
        let entries = try #require(measured["entries"] as? [[String: Any]])
        let ranked = try #require(output["ranked"] as? [[String: Any]])
        #expect(entries.count == 3)
        #expect(entries.compactMap { $0["measured_rank"] as? Int } == [1, 2, 3])
        #expect(Set(entries.compactMap { $0["predicted_rank"] as? Int }) == [1, 2, 3])
        // Every measured candidate is one of the three best predicted, under its own label.
        for entry in entries {
            let rank = try #require(entry["predicted_rank"] as? Int)
            #expect(entry["label"] as? String == ranked[rank - 1]["label"] as? String)
            #expect(entry["iterations"] as? Int == 2 * (3 - 1), "two turns of three iterations, each turn's first dropped")
            let step = try #require(entry["measured_step_ns"] as? [String: Any])
            #expect((step["median"] as? Double ?? 0) > 0)
        }
        let throughputs = entries.compactMap { $0["measured_microbatches_per_s"] as? Double }
        #expect(throughputs == throughputs.sorted(by: >))
        // The choice: the best predicted of those the measurement cannot tell from the fastest.
        #expect(measured["fastest"] as? String == entries[0]["label"] as? String)
        #expect(entries[0]["overlaps_fastest"] as? Bool == true)
        let tied = entries.filter { $0["overlaps_fastest"] as? Bool == true }
        let choiceLabel = tied.min { ($0["predicted_rank"] as? Int ?? 0) < ($1["predicted_rank"] as? Int ?? 0) }?["label"] as? String
        #expect(measured["choice"] as? String == choiceLabel)

        // Stored with the tune: the measured candidates carry their measured rank and step.
        let tuneID = try #require(output["tune_id"] as? Int)
        let stored = try workspace.succeed(["query", "SELECT rank, measured_rank, measured_iterations FROM tune_candidates WHERE tune_id = \(tuneID) "
                                            + "AND measured_rank IS NOT NULL ORDER BY measured_rank", "--db", "t.db", "--csv"])
        let rows = entries.map { "\($0["predicted_rank"] as? Int ?? 0),\($0["measured_rank"] as? Int ?? 0),4" }
        #expect(stored.stdout == "rank,measured_rank,measured_iterations\n" + rows.joined(separator: "\n") + "\n")
        // The schedule written is the measured choice's: it simulates to the choice's predicted iteration.
        let choice = try #require(entries.first { $0["label"] as? String == choiceLabel })
        let written = try workspace.json(["simulate", "--file", "choice.csv", "--forward", "1ms", "--backward", "2ms", "--json", "--no-record"])
        #expect(written["microbatches"] as? Int == choice["microbatches"] as? Int)
        #expect(written["iteration_ns"] as? Int == choice["predicted_iteration_ns"] as? Int)
    }

    @Test func theCandidatesWithinTheCostsUncertaintyAreNamed() throws {
        let workspace = try Workspace()
        let base = ["tune", "--devices", "4", "--microbatches", "8", "--no-record"] + Self.costs
        let json = try workspace.json(base + ["--uncertainty", "5%", "--json"])
        #expect(json["uncertainty"] as? Double == 0.05)
        let tied = try #require(json["tied_with_choice"] as? [String])
        let ranked = try #require(json["ranked"] as? [[String: Any]])
        let best = try #require(ranked.first?["microbatches_per_s"] as? Double)
        for entry in ranked.dropFirst() {
            let close = (entry["microbatches_per_s"] as? Double ?? 0) >= best * 0.95 * (1 - 1e-12)
            #expect(tied.contains(entry["label"] as? String ?? "") == close, "\(entry["label"] ?? "?")")
        }
        #expect(!tied.isEmpty, "ZB-V and DualPipeV tie under uniform costs")
        let text = try workspace.succeed(base + ["--uncertainty", "5%"]).stdout
        #expect(text.contains("within the costs' uncertainty (±5.0%) of it, so measure them before choosing: "))
        // Without an uncertainty, nothing is said about ties.
        let plain = try workspace.json(base + ["--json"])
        #expect(plain["uncertainty"] == nil && plain["tied_with_choice"] == nil)
    }

    /// The cost options of the winner: stages cut in equal parts when it holds more than one per device.
    static func splitCosts(for winner: [String: Any]) -> [String] {
        let parts = (winner["stages"] as? Int ?? 4) / 4
        guard parts > 1 else { return costs }
        let milliseconds = { (value: Double) in "\(value / Double(parts))ms" }
        return ["--forward", milliseconds(1), "--backward", milliseconds(2), "--activation-bytes", "\(1_000_000_000 / parts)",
                "--weight-bytes", "\(2_000_000_000 / parts)", "--checkpoint-bytes", "100MB"]
    }

    @Test func transformerTuneChoosesTheMicrobatchSize() throws {
        let workspace = try Workspace()
        let output = try workspace.json(["tune", "--devices", "4", "--model", "gpt3-1.3b", "--hardware", "h100", "--global-batch", "16",
                                         "--families", "1f1b,zb-h1,interleaved", "--json", "--no-record"])
        let ranked = try #require(output["ranked"] as? [[String: Any]])
        let winner = try #require(ranked.first)
        #expect([1, 2, 4, 8, 16].contains(winner["microbatches"] as? Int ?? 0))
        #expect(winner["samples_per_s"] as? Double != nil)
        let layers = try #require(winner["layers_per_stage"] as? [Int])
        #expect(layers.reduce(0, +) == 24)
        #expect((output["memory_budget_bytes"] as? Int) == 80_000_000_000)
    }
}
