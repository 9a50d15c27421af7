import Schedule

/// Which knobs `tune` may move: every combination of them is a candidate.
public struct TuneSpace: Sendable {
    /// Handcrafted families to try.
    public var families: [ScheduleFamily]
    /// Micro-batch counts to try.
    public var microbatchCounts: [Int]
    /// Stages per device for the families that take any (interleaved, looped BFS); 1 is skipped there,
    /// being 1F1B and GPipe.
    public var chunkCounts: [Int]
    /// Activation recompute off, on, or both.
    public var recompute: [Bool]
    /// Layer splits to try (transformers only; ignored for fixed cost models).
    public var layerSplits: [LayerSplit]
    /// Whether to add one synthesized schedule per micro-batch count (and split), without recompute.
    public var synthesize: Bool

    public init(families: [ScheduleFamily], microbatchCounts: [Int], chunkCounts: [Int] = [2, 4], recompute: [Bool] = [false],
                layerSplits: [LayerSplit] = [.even], synthesize: Bool = false) {
        self.families = families
        self.microbatchCounts = microbatchCounts
        self.chunkCounts = chunkCounts
        self.recompute = recompute
        self.layerSplits = layerSplits
        self.synthesize = synthesize
    }

    /// The micro-batch counts among the divisors of `globalBatch` that are at most `limit`.
    public static func divisors(of globalBatch: Int, atMost limit: Int = .max) -> [Int] {
        guard globalBatch >= 1 else { return [] }
        return (1...min(globalBatch, max(limit, 1))).filter { globalBatch % $0 == 0 }
    }

    /// Every candidate, in a fixed order (family, micro-batches, chunks, recompute, split); the split is
    /// nil for fixed cost models. Synthesized candidates (family nil) come last.
    public func candidates(withLayerSplits: Bool) -> [Candidate] {
        let splits: [LayerSplit?] = withLayerSplits ? layerSplits.map { $0 } : [nil]
        var result: [Candidate] = []
        for family in families {
            // One chunk makes interleaved 1F1B and looped BFS plain 1F1B and GPipe: left to those.
            let chunks = family.fixedChunks.map { [$0] } ?? chunkCounts.filter { $0 > 1 }
            for m in microbatchCounts {
                for v in chunks {
                    for recompute in recompute {
                        for split in splits {
                            result.append(Candidate(family: family, microbatches: m, chunks: v, recompute: recompute, layerSplit: split))
                        }
                    }
                }
            }
        }
        if synthesize {
            for m in microbatchCounts {
                for split in splits {
                    result.append(Candidate(family: nil, microbatches: m, chunks: 1, recompute: false, layerSplit: split))
                }
            }
        }
        return result
    }
}
