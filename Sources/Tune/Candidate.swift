import Schedule

/// How a transformer's layers are divided among the stages of a candidate.
public enum LayerSplit: String, CaseIterable, Sendable, Codable {
    /// As even as possible, earlier stages one layer more.
    case even
    /// The split that makes the slowest stage fastest, counting the output head on the last stage.
    case balanced
}

/// One point of `tune`'s search space: a schedule (a family, or a synthesized one), its micro-batch and
/// chunk counts, activation recompute, and — for a transformer — the split of layers over the stages.
public struct Candidate: Hashable, Sendable {
    /// The handcrafted family, or nil for a schedule the synthesizer builds.
    public var family: ScheduleFamily?
    public var microbatches: Int
    /// Stages per device (1 for one-stage families, 2 for the V shapes; the synthesizer's own choice is
    /// known only after it ran and is kept in `CandidateResult.stages`).
    public var chunks: Int
    public var recompute: Bool
    /// nil when the costs are not a transformer's (the stages are the cost model's).
    public var layerSplit: LayerSplit?

    public init(family: ScheduleFamily?, microbatches: Int, chunks: Int, recompute: Bool, layerSplit: LayerSplit? = nil) {
        self.family = family
        self.microbatches = microbatches
        self.chunks = chunks
        self.recompute = recompute
        self.layerSplit = layerSplit
    }

    /// The schedule's name: the family's, or `synth`.
    public var scheduleName: String { family?.rawValue ?? Candidate.synthesizedName }

    /// The name of synthesized schedules.
    public static let synthesizedName = "synth"

    /// A short label, e.g. `interleaved v=2 m=16 +recompute balanced`.
    public var label: String {
        var parts = [scheduleName]
        if family.map({ $0.fixedChunks == nil }) ?? false { parts.append("v=\(chunks)") }
        parts.append("m=\(microbatches)")
        if recompute { parts.append("+recompute") }
        if let layerSplit { parts.append(layerSplit.rawValue) }
        return parts.joined(separator: " ")
    }
}
