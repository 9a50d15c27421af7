import Schedule
import Simulator
import Testing
@testable import Tune

@Suite("Tuner")
struct TunerTests {
    /// F = 1 µs, B = 2 µs per stage, 1 MB of activations per micro-batch and stage, 10 MB of weights.
    static func costs(devices: Int) throws -> FixedCostPricing {
        var model = CostModel(forward: .uniform(1000), backward: .uniform(2000))
        model.activationBytes = .uniform(1_000_000)
        model.checkpointBytes = .uniform(100_000)
        model.weightBytes = .uniform(10_000_000)
        return try FixedCostPricing(base: model, devices: devices)
    }

    static let space = TuneSpace(families: ScheduleFamily.allCases, microbatchCounts: [4, 8, 16], chunkCounts: [1, 2], recompute: [false, true])

    @Test("candidates over the budget are never ranked, and every ranked one fits")
    func budgetIsRespected() throws {
        let budget: Int64 = 10_000_000 + 4_000_000
        let outcome = try Tuner(devices: 4, space: Self.space, pricing: try Self.costs(devices: 4), memoryBudget: budget).run()
        #expect(!outcome.ranked.isEmpty)
        #expect(!outcome.overBudget.isEmpty)
        for result in outcome.ranked { #expect(result.maxPeakMemory <= budget) }
        for result in outcome.overBudget { #expect(result.maxPeakMemory > budget) }
        #expect(outcome.ranked.count + outcome.overBudget.count == outcome.evaluated)
    }

    @Test("the frontier is non-dominated and every other candidate is dominated by a frontier point")
    func frontierIsNonDominated() throws {
        let outcome = try Tuner(devices: 4, space: Self.space, pricing: try Self.costs(devices: 4), memoryBudget: nil).run()
        let frontier = outcome.frontier
        #expect(!frontier.isEmpty)
        func dominates(_ a: CandidateResult, _ b: CandidateResult) -> Bool {
            a.microbatchesPerSecond >= b.microbatchesPerSecond && a.maxPeakMemory <= b.maxPeakMemory
                && (a.microbatchesPerSecond > b.microbatchesPerSecond || a.maxPeakMemory < b.maxPeakMemory)
        }
        for point in frontier {
            #expect(!outcome.ranked.contains { dominates($0, point) }, "\(point.candidate.label) is dominated")
        }
        for other in outcome.ranked where !other.onFrontier {
            #expect(frontier.contains { dominates($0, other) || ($0.microbatchesPerSecond == other.microbatchesPerSecond && $0.maxPeakMemory == other.maxPeakMemory) })
        }
        // The winner has the highest throughput, and it is on the frontier.
        let best = outcome.ranked.map(\.microbatchesPerSecond).max()
        #expect(outcome.ranked.first?.microbatchesPerSecond == best)
        #expect(outcome.ranked.first?.onFrontier == true)
    }

    @Test("every result is at least its lower bound; 1F1B's makespan is (m + p − 1)(F + B)")
    func resultsRespectTheBound() throws {
        let outcome = try Tuner(devices: 4, space: Self.space, pricing: try Self.costs(devices: 4), memoryBudget: nil).run()
        for result in outcome.ranked { #expect(result.makespan >= result.lowerBound, "\(result.candidate.label)") }
        let oneFOneB = try #require(outcome.ranked.first { $0.candidate.family == .oneFOneB && $0.candidate.microbatches == 8 && !$0.candidate.recompute })
        #expect(oneFOneB.makespan == (8 + 4 - 1) * 3000)
    }

    @Test("the candidates tied with the winner are those within the uncertainty of its throughput")
    func tiesWithinTheUncertainty() throws {
        let outcome = try Tuner(devices: 4, space: Self.space, pricing: try Self.costs(devices: 4), memoryBudget: nil).run()
        let best = try #require(outcome.ranked.first).throughput
        for uncertainty in [0, 0.02, 0.1, 1] {
            let tied = outcome.tiedWithWinner(uncertainty: uncertainty)
            #expect(!tied.contains { $0.candidate == outcome.ranked[0].candidate }, "the winner is not its own tie")
            for result in outcome.ranked.dropFirst() {
                let close = result.throughput >= best * (1 - uncertainty) * (1 - 1e-12)
                #expect(tied.contains { $0.candidate == result.candidate } == close, "\(result.candidate.label) at \(uncertainty)")
            }
        }
        #expect(outcome.tiedWithWinner(uncertainty: 1).count == outcome.ranked.count - 1)
        // ZB-V and DualPipeV tie exactly under uniform costs: at 0 the tie is named.
        #expect(outcome.tiedWithWinner(uncertainty: 0).allSatisfy { $0.throughput == best })
        #expect(outcome.tiedWithWinner(uncertainty: 0.1).count > outcome.tiedWithWinner(uncertainty: 0).count)
    }

    @Test("a budget below every candidate names the least memory any needs")
    func budgetBelowEveryCandidate() throws {
        let tuner = Tuner(devices: 4, space: Self.space, pricing: try Self.costs(devices: 4), memoryBudget: 1_000)
        #expect {
            try tuner.run()
        } throws: { error in
            guard case let TuneError.overBudget(budget, smallest, _, _) = error else { return false }
            return budget == 1_000 && smallest > 10_000_000 && (error as? TuneError)?.description.contains("at least") == true
        }
    }

    @Test("an empty search space and mismatched per-stage costs are refused with what to change")
    func badSpaces() throws {
        let pricing = try Self.costs(devices: 2)
        #expect(throws: TuneError.self) { try Tuner(devices: 2, space: TuneSpace(families: [], microbatchCounts: [4]), pricing: pricing, memoryBudget: nil).run() }
        #expect(throws: TuneError.self) { try Tuner(devices: 2, space: TuneSpace(families: [.gpipe], microbatchCounts: []), pricing: pricing, memoryBudget: nil).run() }
        #expect(throws: TuneError.self) { try FixedCostPricing(base: CostModel(forward: .perStage([1, 2, 3])), devices: 2) }
    }

    @Test("divisors of a global batch")
    func divisors() {
        #expect(TuneSpace.divisors(of: 12) == [1, 2, 3, 4, 6, 12])
        #expect(TuneSpace.divisors(of: 12, atMost: 4) == [1, 2, 3, 4])
        #expect(TuneSpace.divisors(of: 0).isEmpty)
    }
}
