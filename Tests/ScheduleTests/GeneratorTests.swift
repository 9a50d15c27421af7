import Testing
@testable import Schedule

/// Every valid (family, p, m, v) of the acceptance grid: p ∈ 1…8, m ∈ 1…32, v ∈ 1…4 (2 for the V shapes).
func validGrid() -> [(ScheduleFamily, Int, Int, Int)] {
    var grid: [(ScheduleFamily, Int, Int, Int)] = []
    for p in 1...8 {
        for m in 1...32 {
            grid.append((.gpipe, p, m, 1))
            grid.append((.oneFOneB, p, m, 1))
            grid.append((.interleaved, p, m, 1))
            for v in 2...4 where m % p == 0 { grid.append((.interleaved, p, m, v)) }
            if p % 2 == 0 { grid.append((.chimera, p, m, 1)) }
            grid.append((.zeroBubbleH1, p, m, 1))
            grid.append((.zeroBubbleH2, p, m, 1))
            grid.append((.zeroBubbleV, p, m, 2))
            if m >= 2 * p { grid.append((.dualPipeV, p, m, 2)) }
            for v in 1...4 { grid.append((.loopedBFS, p, m, v)) }
        }
    }
    return grid
}

@Test func everyGeneratedScheduleValidates() throws {
    for (family, p, m, v) in validGrid() {
        let schedule = try family.make(devices: p, microbatches: m, chunks: v)
        #expect(throws: Never.self, "\(family) p=\(p) m=\(m) v=\(v)") { try schedule.validate() }
    }
}

@Test func everyStageRunsEveryMicrobatchOnceForwardAndBackward() throws {
    for (family, p, m, v) in validGrid() {
        let schedule = try family.make(devices: p, microbatches: m, chunks: v)
        #expect(schedule.deviceCount == p)
        #expect(schedule.stageCount == p * v)
        // Forwards; input gradients (B or I); weight gradients (B or W).
        let kinds: [(String, (Op) -> Bool)] = [("F", { $0 == .forward }), ("B|I", \.producesInputGrad), ("B|W", \.completesWeightGrad)]
        for (name, matches) in kinds {
            var perStage = [Set<Int>](repeating: [], count: schedule.stageCount)
            var count = 0
            for action in schedule.actions where matches(action.op) {
                perStage[action.stage].insert(action.microbatch)
                count += 1
            }
            #expect(count == m * p * v, "\(family) p=\(p) m=\(m) v=\(v) \(name)")
            #expect(perStage.allSatisfy { $0 == Set(0..<m) }, "\(family) p=\(p) m=\(m) v=\(v) \(name)")
        }
    }
}

@Test func oneFOneBWarmsUpWithPMinusDMinusOneForwards() throws {
    for p in 1...8 {
        for m in 1...32 {
            let schedule = try ScheduleFamily.oneFOneB.make(devices: p, microbatches: m)
            for d in 0..<p {
                let warmup = schedule.actions(on: d).prefix { $0.op == .forward }.count
                // With enough micro-batches the first backward follows warm-up + one steady forward.
                #expect(warmup == min(p - d - 1, m) + (p - d - 1 < m ? 1 : 0), "p=\(p) m=\(m) d=\(d)")
            }
        }
    }
}

@Test func gpipeRunsAllForwardsThenAllBackwards() throws {
    let schedule = try ScheduleFamily.gpipe.make(devices: 3, microbatches: 5)
    for d in 0..<3 {
        let ops = schedule.actions(on: d).map(\.op)
        #expect(ops == Array(repeating: .forward, count: 5) + Array(repeating: .backward, count: 5))
    }
}

@Test func interleavedPlacesVirtualStageSOnDeviceSModP() throws {
    for p in 1...8 {
        for v in 1...4 {
            let schedule = try ScheduleFamily.interleaved.make(devices: p, microbatches: p * 2, chunks: v)
            for s in 0..<(p * v) { #expect(schedule.placement.device(stage: s) == s % p) }
            for d in 0..<p {
                #expect(Set(schedule.actions(on: d).map(\.stage)) == Set(stride(from: d, to: p * v, by: p)))
            }
        }
    }
}

@Test func interleavedFollowsMegatronsOrder() throws {
    // p = 2, v = 2, m = 4: device 0 warms up with 2(p−d−1) + (v−1)p = 4 forwards over chunk 0 then chunk 1
    // for micro-batches 0 and 1, and its first backward is on its last chunk (virtual stage 2).
    let schedule = try ScheduleFamily.interleaved.make(devices: 2, microbatches: 4, chunks: 2)
    #expect(schedule.actions(on: 0).prefix(6).map(\.description) == ["0F0", "0F1", "2F0", "2F1", "0F2", "2B0"])
    #expect(schedule.actions(on: 1).prefix(4).map(\.description) == ["1F0", "1F1", "3F0", "3B0"])
}

@Test func chimeraHoldsTwoPipelinesInOppositeDirections() throws {
    for p in [2, 4, 6, 8] {
        let schedule = try ScheduleFamily.chimera.make(devices: p, microbatches: 2 * p)
        #expect(schedule.replicaCount == 2)
        for s in 0..<p {
            #expect(schedule.placement.device(replica: 0, stage: s) == s)
            #expect(schedule.placement.device(replica: 1, stage: s) == p - 1 - s)
        }
        // Micro-batches alternate between the pipelines in halves of each basic unit of p.
        for j in 0..<(2 * p) {
            let replicas = Set(schedule.actions.filter { $0.op == .forward && $0.microbatch == j }.map(\.replica))
            #expect(replicas == [(j % p) < p / 2 ? 0 : 1], "p=\(p) j=\(j)")
        }
        // One gradient sync per (replica, stage), each the last action of its device.
        #expect(schedule.actions.filter { $0.op == .gradSync }.count == 2 * p)
        for d in 0..<p { #expect(schedule.actions(on: d).suffix(2).allSatisfy { $0.op == .gradSync }) }
    }
}

@Test func chimeraBasicUnitMatchesThePaper() throws {
    // Worked by hand with F = B = 1: device 0 idles at t = 2 and t = 8; makespan 2m + p − 2 = 10.
    let schedule = try ScheduleFamily.chimera.make(devices: 4, microbatches: 4)
    #expect(schedule.actions(on: 0).map(\.description)
            == ["0F0", "0F1", "3F2@1", "3B2@1", "3F3@1", "3B3@1", "0B0", "0B1", "3REDUCE_GRAD@1", "0REDUCE_GRAD"])
}
