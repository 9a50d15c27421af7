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
    /// Zero-bubble ZB-H1: 1F1B with split backwards and postponed weight gradients (Qi et al., ICLR'24).
    case zeroBubbleH1 = "zb-h1"
    /// Zero-bubble ZB-H2: longer warm-up, weight gradients fill the drain (Qi et al., ICLR'24).
    case zeroBubbleH2 = "zb-h2"
    /// Zero-bubble ZB-V: two stages per device in a V shape, split backwards (Qi et al., ICLR'24).
    case zeroBubbleV = "zb-v"
    /// DualPipeV: V shape, paired forward/backward of opposite phases (DeepSeek-V3).
    case dualPipeV = "dualpipev"
    /// Looped breadth-first: looped placement, every micro-batch through a stage before the next.
    case loopedBFS = "looped-bfs"

    /// The number of actions (at most, for DualPipeV's partly split backwards) of the family's schedule,
    /// without building it; nil when it does not fit in an `Int`.
    public func actionCount(devices: Int, microbatches: Int, chunks: Int) -> Int? {
        let opsPerMicrobatch: Int
        switch self {
        case .gpipe, .oneFOneB, .interleaved, .loopedBFS, .chimera: opsPerMicrobatch = 2
        case .zeroBubbleH1, .zeroBubbleH2, .zeroBubbleV, .dualPipeV: opsPerMicrobatch = 3
        }
        // Chimera: each micro-batch flows through one of two replicas; each replica's stage has a gradient sum.
        let syncs = self == .chimera ? 2 * devices : 0
        let (stages, o1) = devices.multipliedReportingOverflow(by: chunks)
        let (perOp, o2) = stages.multipliedReportingOverflow(by: microbatches)
        let (compute, o3) = perOp.multipliedReportingOverflow(by: opsPerMicrobatch)
        let (total, o4) = compute.addingReportingOverflow(syncs)
        return o1 || o2 || o3 || o4 ? nil : total
    }

    /// How many stages each device holds (per replica): the one count the family allows, or nil when
    /// `--chunks` chooses it.
    public var fixedChunks: Int? {
        switch self {
        case .gpipe, .oneFOneB, .chimera, .zeroBubbleH1, .zeroBubbleH2: 1
        case .zeroBubbleV, .dualPipeV: 2
        case .interleaved, .loopedBFS: nil
        }
    }

    /// Builds the schedule for `devices` devices, `microbatches` micro-batches and `chunks` stages per
    /// device (nil: the family's own count, 1 where `--chunks` chooses); throws a `ScheduleError` naming
    /// the parameter when the family cannot serve them.
    /// The size is checked before anything is allocated: a schedule of more than `actionLimit` actions
    /// is refused with `ScheduleError.tooLarge`.
    public func make(devices: Int, microbatches: Int, chunks: Int? = nil,
                     actionLimit: Int = ScheduleSize.defaultActionLimit) throws(ScheduleError) -> Schedule {
        guard devices >= 1 else { throw .invalidParameter("devices", devices, "need at least 1 device") }
        guard microbatches >= 1 else { throw .invalidParameter("micro-batches", microbatches, "need at least 1 micro-batch") }
        let v = chunks ?? fixedChunks ?? 1
        guard v >= 1 else { throw .invalidParameter("chunks", v, "need at least 1 chunk per device") }
        if let fixed = fixedChunks, v != fixed {
            let why = fixed == 1
                ? "it holds one stage per device and pipeline; --chunks \(v) needs --schedule interleaved or looped-bfs"
                : "its V shape holds exactly \(fixed) stages per device; use --chunks \(fixed) or leave --chunks out"
            throw .unsupported(rawValue, why)
        }
        let actions = actionCount(devices: devices, microbatches: microbatches, chunks: v)
        if actions.map({ $0 > actionLimit }) ?? true {
            throw .tooLarge(ScheduleSize(what: "\(rawValue) with \(devices) device(s), \(microbatches) micro-batch(es) and \(v) chunk(s) per device",
                                         actions: actions, limit: actionLimit))
        }
        switch self {
        case .gpipe: return try FillDrain.make(devices: devices, microbatches: microbatches)
        case .oneFOneB: return try OneForwardOneBackward.make(devices: devices, microbatches: microbatches)
        case .interleaved: return try Interleaved.make(devices: devices, microbatches: microbatches, chunks: v)
        case .chimera: return try Chimera.make(devices: devices, microbatches: microbatches)
        case .zeroBubbleH1: return try ZeroBubbleH1.make(devices: devices, microbatches: microbatches)
        case .zeroBubbleH2: return try ZeroBubbleH2.make(devices: devices, microbatches: microbatches)
        case .zeroBubbleV: return try ZeroBubbleV.make(devices: devices, microbatches: microbatches)
        case .dualPipeV: return try DualPipeV.make(devices: devices, microbatches: microbatches)
        case .loopedBFS: return try LoopedBFS.make(devices: devices, microbatches: microbatches, chunks: v)
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
