import Testing
@testable import Schedule

/// The orders of the zero-bubble family, DualPipeV and looped BFS: the worked examples of their
/// documentation, their placements, memory bounds and constraints.
struct ZeroBubbleGeneratorTests {
    private func rows(_ family: ScheduleFamily, p: Int, m: Int, v: Int? = nil) throws -> [String] {
        let schedule = try family.make(devices: p, microbatches: m, chunks: v)
        try schedule.validate()
        return (0..<p).map { schedule.actions(on: $0).map(\.description).joined(separator: " ") }
    }

    @Test func documentedExamples() throws {
        #expect(try rows(.zeroBubbleH1, p: 2, m: 3) == ["0F0 0F1 0I0 0W0 0F2 0I1 0W1 0I2 0W2",
                                                        "1F0 1I0 1F1 1I1 1W0 1F2 1I2 1W1 1W2"])
        #expect(try rows(.zeroBubbleH2, p: 2, m: 3) == ["0F0 0F1 0F2 0I0 0W0 0I1 0W1 0I2 0W2",
                                                        "1F0 1I0 1F1 1I1 1F2 1I2 1W0 1W1 1W2"])
        #expect(try rows(.zeroBubbleV, p: 2, m: 3) == [
            "0F0 0F1 0F2 3F0 3I0 3W0 3F1 3I1 3W1 0I0 0W0 3F2 3I2 3W2 0I1 0W1 0I2 0W2",
            "1F0 2F0 1F1 2F1 2I0 2W0 1F2 1I0 1W0 2F2 2I1 2W1 1I1 2I2 1I2 1W1 2W2 1W2"])
        #expect(try rows(.dualPipeV, p: 2, m: 4) == [
            "0F0 0F1 0F2 3F0 3I0 3W0 3F1 0F3 3B1 3F2 0B0 3B2 3F3 0B1 3B3 0I2 0W2 0I3 0W3",
            "1F0 2F0 1F1 2F1 1F2 2B0 2F2 1B0 1F3 2B1 2F3 1B1 2B2 1B2 2I3 1I3 2W3 1W3"])
        #expect(try rows(.loopedBFS, p: 2, m: 2, v: 2) == ["0F0 0F1 2F0 2F1 2B1 2B0 0B1 0B0",
                                                           "1F0 1F1 3F0 3F1 3B1 3B0 1B1 1B0"])
    }

    @Test func vShapedFamiliesPlaceStageSOnDeviceSThenBack() throws {
        for family in [ScheduleFamily.zeroBubbleV, .dualPipeV] {
            for p in 1...8 {
                let schedule = try family.make(devices: p, microbatches: 2 * p)
                #expect(schedule.stageCount == 2 * p && schedule.chunkCount == 2)
                for s in 0..<(2 * p) { #expect(schedule.placement.device(stage: s) == (s < p ? s : 2 * p - 1 - s)) }
                for d in 0..<p { #expect(Set(schedule.actions(on: d).map(\.stage)) == [d, 2 * p - 1 - d]) }
            }
        }
    }

    /// Micro-batches whose forward ran and whose weight gradient (W or B) has not, at most, per device
    /// and stage kind: the activation count the paper's memory column refers to.
    private func peakInFlight(_ schedule: Schedule, device: Int) -> Int {
        var held = 0, peak = 0
        for action in schedule.actions(on: device) {
            if action.op == .forward { held += 1; peak = max(peak, held) }
            if action.op.completesWeightGrad { held -= 1 }
        }
        return peak
    }

    @Test func zeroBubbleMemoryBounds() throws {
        for p in 1...8 {
            for m in 1...24 {
                let h1 = try ScheduleFamily.zeroBubbleH1.make(devices: p, microbatches: m)
                let h2 = try ScheduleFamily.zeroBubbleH2.make(devices: p, microbatches: m)
                let v = try ScheduleFamily.zeroBubbleV.make(devices: p, microbatches: m)
                for d in 0..<p {
                    // ZB-H1: 1F1B's p micro-batches; ZB-H2: 2p − 1; ZB-V: 2p chunk-activations (p micro-batches of a device's layers).
                    #expect(peakInFlight(h1, device: d) == min(p, m), "zb-h1 p=\(p) m=\(m) d=\(d)")
                    if m >= 2 * p - 1 {
                        #expect(peakInFlight(h2, device: d) == 2 * p - 1, "zb-h2 p=\(p) m=\(m) d=\(d)")
                        #expect(peakInFlight(v, device: d) == 2 * p, "zb-v p=\(p) m=\(m) d=\(d)")
                    } else {
                        #expect(peakInFlight(h2, device: d) <= 2 * p - 1 && peakInFlight(v, device: d) <= 2 * p)
                    }
                }
            }
        }
    }

    @Test func zeroBubbleSplitsEveryBackward() throws {
        for family in [ScheduleFamily.zeroBubbleH1, .zeroBubbleH2, .zeroBubbleV] {
            let schedule = try family.make(devices: 4, microbatches: 8)
            #expect(schedule.splitsBackward)
            #expect(!schedule.actions.contains { $0.op == .backward })
        }
    }

    @Test func dualPipeVNeedsTwiceAsManyMicrobatchesAsDevices() {
        for p in 1...6 {
            #expect {
                try ScheduleFamily.dualPipeV.make(devices: p, microbatches: 2 * p - 1)
            } throws: { error in
                guard case let .unsupported(family, why) = error as? ScheduleError else { return false }
                return family == "dualpipev" && why.contains("m ≥ 2p = \(2 * p)") && why.contains("--microbatches \(2 * p)")
            }
        }
    }

    @Test func dualPipeVRunsOddDevicesAndMicrobatches() throws {
        for p in [1, 3, 5] {
            for m in [2 * p, 2 * p + 1, 2 * p + 3] {
                try ScheduleFamily.dualPipeV.make(devices: p, microbatches: m).validate()
            }
        }
    }

    @Test func vShapedFamiliesTakeTwoChunksOrNone() throws {
        for family in [ScheduleFamily.zeroBubbleV, .dualPipeV] {
            #expect(try family.make(devices: 2, microbatches: 4).stageCount == 4)
            #expect(try family.make(devices: 2, microbatches: 4, chunks: 2).stageCount == 4)
            for chunks in [1, 3] {
                #expect {
                    try family.make(devices: 2, microbatches: 4, chunks: chunks)
                } throws: { error in
                    guard case let .unsupported(name, why) = error as? ScheduleError else { return false }
                    return name == family.rawValue && why.contains("use --chunks 2 or leave --chunks out")
                }
            }
        }
        for family in [ScheduleFamily.zeroBubbleH1, .zeroBubbleH2] {
            #expect(throws: ScheduleError.self) { try family.make(devices: 2, microbatches: 4, chunks: 2) }
        }
    }
}
