import Schedule
import Simulator

/// A simulated candidate: its times, memory and place in the ranking.
public struct CandidateResult: Sendable {
    public let candidate: Candidate
    /// Virtual stages of its schedule (devices × chunks; the synthesizer's choice for `synth`).
    public let stages: Int
    /// Stages each device holds per replica (`Schedule.chunkCount`).
    public let chunks: Int
    /// Layers per stage, for a transformer.
    public let layersPerStage: [Int]?
    /// The simulated makespan (ns), and the iteration with the optimizer steps.
    public let makespan: Int64
    public let iterationTime: Int64
    public let bubbleRatio: Double
    /// Peak memory per device (bytes, weights included), as the simulator counts it.
    public let peakMemory: [Int64]
    /// Micro-batches per iteration divided by the iteration time: per second.
    public let microbatchesPerSecond: Double
    /// Samples per second when the micro-batch size is known.
    public let samplesPerSecond: Double?
    /// Whether the most loaded device's peak fits the budget (true without a budget).
    public let withinBudget: Bool
    /// The makespan no schedule can beat for the candidate's micro-batch count and costs (ns).
    public let lowerBound: Int64
    /// Whether no other candidate within the budget is both faster and needs less memory.
    public internal(set) var onFrontier = false
    /// Why it ranks where it does (set for the frontier and the winner).
    public internal(set) var reason: String?
    /// The schedule, kept for the synthesized ones (a handcrafted one is rebuilt from its knobs).
    public let synthesized: Schedule?

    /// The most loaded device's peak memory.
    public var maxPeakMemory: Int64 { peakMemory.max() ?? 0 }
    /// Makespan over the lower bound (≥ 1).
    public var boundRatio: Double { lowerBound > 0 ? Double(makespan) / Double(lowerBound) : 1 }
}

/// What `Tuner.run` found: every candidate it evaluated, ranked, and those it could not evaluate.
public struct TuneOutcome: Sendable {
    /// Within the budget, best first (highest throughput; ties: less memory, then the candidate order).
    public let ranked: [CandidateResult]
    /// Simulated but over the budget, least memory first.
    public let overBudget: [CandidateResult]
    /// Candidates the family cannot build or the costs cannot price, with the reason.
    public let skipped: [(candidate: Candidate, reason: String)]
    /// Candidates simulated (ranked plus over budget) and the seconds that took.
    public let evaluated: Int
    public let seconds: Double
    /// Of the candidates simulated, how many were synthesized, and the seconds synthesis took (part of
    /// `seconds`).
    public let synthesized: Int
    public let synthesisSeconds: Double
    /// The winner's lower bound (ns) and micro-batch count: no schedule of its costs beats it.
    public var lowerBound: (makespan: Int64, microbatches: Int)? {
        ranked.first.map { ($0.lowerBound, $0.candidate.microbatches) }
    }
    /// Handcrafted candidates simulated per second (synthesis left out).
    public var candidatesPerSecond: Double {
        let seconds = self.seconds - synthesisSeconds
        return seconds > 0 ? Double(evaluated - synthesized) / seconds : 0
    }
    /// The frontier within the budget, least memory first.
    public var frontier: [CandidateResult] {
        ranked.filter(\.onFrontier).sorted { $0.maxPeakMemory < $1.maxPeakMemory }
    }

    /// The other candidates within the budget whose throughput is within `uncertainty` (a fraction, the
    /// costs' `CostModel.uncertainty`) of the winner's, best first: predictions that close cannot tell
    /// which is faster, so they are the ones to measure.
    public func tiedWithWinner(uncertainty: Double) -> [CandidateResult] {
        guard let winner = ranked.first else { return [] }
        let best = winner.throughput
        return ranked.dropFirst().filter { best - $0.throughput <= uncertainty * best }
    }
}

extension CandidateResult {
    /// Samples per second when the micro-batch size is known, else micro-batches per second: what
    /// the ranking compares.
    public var throughput: Double { samplesPerSecond ?? microbatchesPerSecond }
}
