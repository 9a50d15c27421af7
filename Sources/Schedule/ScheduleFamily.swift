/// The schedule families Stagecraft generates. The raw value is the name used on the command line
/// and stored with every run.
public enum ScheduleFamily: String, CaseIterable, Sendable {
    /// Fill-drain (GPipe): all forwards, then all backwards.
    case gpipe
    /// One-forward-one-backward (PipeDream-Flush / DAPPLE).
    case oneFOneB = "1f1b"
    /// Interleaved 1F1B with v chunks per device (Megatron-LM).
    case interleaved
    /// Chimera's two pipelines in opposite directions (Li & Hoefler, SC'21).
    case chimera

    /// Builds the schedule for `devices` devices, `microbatches` micro-batches and `chunks` stages per
    /// device; throws a `ScheduleError` naming the parameter when the family cannot serve them.
    public func make(devices: Int, microbatches: Int, chunks: Int = 1) throws(ScheduleError) -> Schedule {
        guard devices >= 1 else { throw .invalidParameter("devices", devices, "need at least 1 device") }
        guard microbatches >= 1 else { throw .invalidParameter("micro-batches", microbatches, "need at least 1 micro-batch") }
        guard chunks >= 1 else { throw .invalidParameter("chunks", chunks, "need at least 1 chunk per device") }
        if chunks > 1 && self != .interleaved {
            throw .unsupported(rawValue, "it holds one stage per device and pipeline; --chunks \(chunks) needs --schedule interleaved")
        }
        switch self {
        case .gpipe: return try FillDrain.make(devices: devices, microbatches: microbatches)
        case .oneFOneB: return try OneForwardOneBackward.make(devices: devices, microbatches: microbatches)
        case .interleaved: return try Interleaved.make(devices: devices, microbatches: microbatches, chunks: chunks)
        case .chimera: return try Chimera.make(devices: devices, microbatches: microbatches)
        }
    }
}

/// Fill-drain (GPipe, Huang et al. 2019): device d holds stage d, runs the forwards of all micro-batches
/// in order, then their backwards in order. Peak activations: m micro-batches on every device.
enum FillDrain {
    static func make(devices p: Int, microbatches m: Int) throws(ScheduleError) -> Schedule {
        let lists = (0..<p).map { d in
            (0..<m).map { Action(.forward, stage: d, microbatch: $0) } + (0..<m).map { Action(.backward, stage: d, microbatch: $0) }
        }
        return Schedule(name: ScheduleFamily.gpipe.rawValue, placement: try .looped(devices: p, chunks: 1),
                        microbatchCount: m, actionsByDevice: lists)
    }
}

/// 1F1B (PipeDream-Flush, Narayanan et al. 2021; DAPPLE, Fan et al. 2021): device d holds stage d, runs a
/// warm-up of min(p − d − 1, m) forwards, then alternates one forward and one backward, then drains
/// the remaining backwards. Peak activations on device d: min(p − d, m) micro-batches.
enum OneForwardOneBackward {
    static func make(devices p: Int, microbatches m: Int) throws(ScheduleError) -> Schedule {
        let lists = (0..<p).map { d in
            let warmup = min(p - d - 1, m)
            var list = (0..<warmup).map { Action(.forward, stage: d, microbatch: $0) }
            for i in 0..<(m - warmup) {
                list.append(Action(.forward, stage: d, microbatch: warmup + i))
                list.append(Action(.backward, stage: d, microbatch: i))
            }
            list += ((m - warmup)..<m).map { Action(.backward, stage: d, microbatch: $0) }
            return list
        }
        return Schedule(name: ScheduleFamily.oneFOneB.rawValue, placement: try .looped(devices: p, chunks: 1),
                        microbatchCount: m, actionsByDevice: lists)
    }
}
