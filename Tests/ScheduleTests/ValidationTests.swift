import Testing
@testable import Schedule

private func schedule(_ rows: [[Action]], stages: Int, microbatches: Int) throws -> Schedule {
    let placement = try Placement(deviceCount: rows.count, devicesByReplica: [(0..<stages).map { $0 % rows.count }])
    return Schedule(name: "hand", placement: placement, microbatchCount: microbatches, actionsByDevice: rows)
}

private func problems(_ schedule: Schedule) -> [ScheduleProblem] {
    do {
        try schedule.validate()
        return []
    } catch {
        guard case let .invalid(problems) = error else { return [] }
        return problems
    }
}

@Test func crossDeviceDeadlockIsReportedAsTheCycle() throws {
    // Device 0 runs 0B0 before 0F1; device 1 needs 0F1 before it can send back 1B0... A two-device cycle:
    // device 0 waits at 0B1 for 1B1, device 1 waits at 1F2 for 0F2, which device 0 runs only after 0B1.
    let hand = try schedule([
        [.init(.forward, stage: 0, microbatch: 0), .init(.forward, stage: 0, microbatch: 1), .init(.backward, stage: 0, microbatch: 0),
         .init(.backward, stage: 0, microbatch: 1), .init(.forward, stage: 0, microbatch: 2), .init(.backward, stage: 0, microbatch: 2)],
        [.init(.forward, stage: 1, microbatch: 0), .init(.backward, stage: 1, microbatch: 0), .init(.forward, stage: 1, microbatch: 1),
         .init(.forward, stage: 1, microbatch: 2), .init(.backward, stage: 1, microbatch: 1), .init(.backward, stage: 1, microbatch: 2)],
    ], stages: 2, microbatches: 3)
    let found = problems(hand)
    #expect(found.count == 1)
    guard case let .deadlock(waits) = found.first else { Issue.record("expected a deadlock, got \(found)"); return }
    #expect(Set(waits.map(\.description)) == ["device 0 waits at 0B1 for 1B1", "device 1 waits at 1F2 for 0F2"])
    #expect(found[0].description.hasPrefix("deadlock: device"))
}

@Test func localOrderViolationNamesBothActions() throws {
    let hand = try schedule([[.init(.backward, stage: 0, microbatch: 0), .init(.forward, stage: 0, microbatch: 0)]],
                            stages: 1, microbatches: 1)
    #expect(problems(hand) == [.outOfOrder(.init(.backward, stage: 0, microbatch: 0), device: 0, position: 0,
                                           waitsFor: .init(.forward, stage: 0, microbatch: 0), laterPosition: 1)])
}

@Test func missingAndDuplicatedActionsAreNamed() throws {
    let hand = try schedule([
        [.init(.forward, stage: 0, microbatch: 0), .init(.forward, stage: 0, microbatch: 0), .init(.backward, stage: 0, microbatch: 0)],
        [.init(.forward, stage: 1, microbatch: 0)],
    ], stages: 2, microbatches: 1)
    #expect(problems(hand) == [.duplicate(.init(.forward, stage: 0, microbatch: 0), device: 0, position: 1, firstDevice: 0, firstPosition: 0)])

    let incomplete = try schedule([
        [.init(.forward, stage: 0, microbatch: 0), .init(.backward, stage: 0, microbatch: 0)],
        [.init(.forward, stage: 1, microbatch: 0)],
    ], stages: 2, microbatches: 1)
    let found = problems(incomplete)
    #expect(found.count == 1)
    guard case let .missing(action, device, _) = found.first else { Issue.record("expected missing, got \(found)"); return }
    #expect(action == .init(.backward, stage: 1, microbatch: 0) && device == 1)
}

@Test func splitBackwardNeedsBothHalvesAndNotAlsoB() throws {
    let missingW = try schedule([[.init(.forward, stage: 0, microbatch: 0), .init(.inputGrad, stage: 0, microbatch: 0)]],
                                stages: 1, microbatches: 1)
    guard case let .missing(action, _, _) = problems(missingW).first else { Issue.record("expected missing W"); return }
    #expect(action == .init(.weightGrad, stage: 0, microbatch: 0))

    let both = try schedule([[.init(.forward, stage: 0, microbatch: 0), .init(.backward, stage: 0, microbatch: 0),
                              .init(.inputGrad, stage: 0, microbatch: 0), .init(.weightGrad, stage: 0, microbatch: 0)]],
                            stages: 1, microbatches: 1)
    guard case .conflictingBackward = problems(both).first else { Issue.record("expected conflicting backward"); return }

    let split = try schedule([[.init(.forward, stage: 0, microbatch: 0), .init(.inputGrad, stage: 0, microbatch: 0),
                               .init(.weightGrad, stage: 0, microbatch: 0)]], stages: 1, microbatches: 1)
    #expect(problems(split).isEmpty)
}

@Test func actionsOnTheWrongDeviceOrOutOfRangeAreRejected() throws {
    let wrong = try schedule([[.init(.forward, stage: 1, microbatch: 0)], [.init(.forward, stage: 0, microbatch: 0)]],
                             stages: 2, microbatches: 1)
    #expect(problems(wrong).first == .wrongDevice(.init(.forward, stage: 1, microbatch: 0), device: 0, position: 0, expected: 1))
    let outside = try schedule([[.init(.forward, stage: 0, microbatch: 3)]], stages: 1, microbatches: 1)
    guard case .outOfRange = problems(outside).first else { Issue.record("expected out of range"); return }
}

@Test func chimeraWithoutItsGradientSyncIsIncomplete() throws {
    let chimera = try ScheduleFamily.chimera.make(devices: 2, microbatches: 2)
    let stripped = Schedule(name: "chimera", placement: chimera.placement, microbatchCount: 2,
                            actionsByDevice: (0..<2).map { Array(chimera.actions(on: $0).filter { $0.op != .gradSync }) })
    #expect(problems(stripped).count == 4)
    #expect(problems(stripped).allSatisfy { if case .missing(let a, _, _) = $0 { a.op == .gradSync } else { false } })
}

@Test func forwardOnlySchedulesAreValid() throws {
    let forward = try schedule([[.init(.forward, stage: 0, microbatch: 0), .init(.forward, stage: 0, microbatch: 1)],
                                [.init(.forward, stage: 1, microbatch: 0), .init(.forward, stage: 1, microbatch: 1)]],
                               stages: 2, microbatches: 2)
    #expect(problems(forward).isEmpty)
}

@Test func dependenciesFollowTheRule() throws {
    let s = try ScheduleFamily.oneFOneB.make(devices: 3, microbatches: 2)
    let deps = Dependencies(schedule: s)
    #expect(deps.predecessors(of: Action(.forward, stage: 0, microbatch: 1)).isEmpty)
    #expect(deps.predecessors(of: Action(.forward, stage: 2, microbatch: 1)) == [Action(.forward, stage: 1, microbatch: 1)])
    #expect(deps.predecessors(of: Action(.backward, stage: 2, microbatch: 1)) == [Action(.forward, stage: 2, microbatch: 1)])
    #expect(deps.predecessors(of: Action(.backward, stage: 1, microbatch: 0))
            == [Action(.forward, stage: 1, microbatch: 0), Action(.backward, stage: 2, microbatch: 0)])
    let chimera = try ScheduleFamily.chimera.make(devices: 2, microbatches: 2)
    let syncDeps = Dependencies(schedule: chimera).predecessors(of: Action(.gradSync, stage: 0, replica: 1))
    #expect(Set(syncDeps) == [Action(.backward, stage: 0, microbatch: 0), Action(.backward, stage: 0, microbatch: 1, replica: 1)])
}
