import Schedule
import Simulator

/// A complete order to start the search from: each device's actions, the placement they run on and
/// where it came from.
struct SynthesisCandidate: Sendable {
    let shape: SynthesisPlacement
    let lists: [[Action]]
    /// What built it (a family's name, `list` for the list scheduler, `sequential`), for reports.
    let origin: String
}

/// The orders the search starts from besides the list scheduler's.
enum SynthesisSeeds {
    /// Every handcrafted family with one replica (all but Chimera) — on the looped placement, the V
    /// shape, and for interleaved and looped BFS with two chunks — so that the result is never worse
    /// than any of them under the same budget.
    static func families(devices: Int, microbatches: Int) -> [SynthesisCandidate] {
        ScheduleFamily.allCases.compactMap { family in
            guard family != .chimera else { return nil }
            let chunks = family.fixedChunks ?? 2
            guard let schedule = try? family.make(devices: devices, microbatches: microbatches, chunks: chunks) else { return nil }
            let shape: SynthesisPlacement = schedule.placement == (try? Placement.vShape(devices: devices)) ? .vShape : .looped(chunks: chunks)
            return SynthesisCandidate(shape: shape, lists: lists(of: schedule), origin: family.rawValue)
        }
    }

    /// One micro-batch at a time: on each device, for each micro-batch, its forwards up the device's
    /// stages, then their input and weight gradients back down. The least memory any schedule on the
    /// placement needs: one micro-batch's activations on each stage.
    static func sequential(shape: SynthesisPlacement, placement: Placement, microbatches: Int) -> SynthesisCandidate {
        let lists = (0..<placement.deviceCount).map { device in
            let held = placement.stages(on: device).map(\.stage)
            return (0..<microbatches).flatMap { j in
                held.map { Action(.forward, stage: $0, microbatch: j) }
                    + held.reversed().flatMap { [Action(.inputGrad, stage: $0, microbatch: j), Action(.weightGrad, stage: $0, microbatch: j)] }
            }
        }
        return SynthesisCandidate(shape: shape, lists: lists, origin: "sequential")
    }

    static func lists(of schedule: Schedule) -> [[Action]] {
        (0..<schedule.deviceCount).map { Array(schedule.actions(on: $0)) }
    }
}
