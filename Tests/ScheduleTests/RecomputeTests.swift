import Testing
@testable import Schedule

/// `Schedule.recomputingActivations()` and the recompute action `R` in the shared model.
struct RecomputeTests {
    @Test func everyBackwardIsPrecededByItsRecompute() throws {
        for (family, p, m, v) in validGrid() where m <= 12 {
            let schedule = try family.make(devices: p, microbatches: m, chunks: v).recomputingActivations()
            #expect(throws: Never.self, "\(family) p=\(p) m=\(m) v=\(v)") { try schedule.validate() }
            #expect(schedule.name == family.rawValue + "+recompute")
            for d in 0..<p {
                let list = Array(schedule.actions(on: d))
                for (position, action) in list.enumerated() where action.op.producesInputGrad {
                    #expect(position > 0 && list[position - 1] == Action(.recompute, stage: action.stage, microbatch: action.microbatch, replica: action.replica),
                            "\(family) p=\(p) m=\(m) v=\(v): \(action) on device \(d)")
                }
                #expect(list.filter { $0.op == .recompute }.count == list.filter(\.op.producesInputGrad).count)
            }
        }
    }

    @Test func recomputeDependsOnItsForwardAndTheBackwardOnTheRecompute() throws {
        let schedule = try ScheduleFamily.zeroBubbleH1.make(devices: 3, microbatches: 4).recomputingActivations()
        let dependencies = Dependencies(schedule: schedule)
        #expect(dependencies.predecessors(of: Action(.recompute, stage: 1, microbatch: 2)) == [Action(.forward, stage: 1, microbatch: 2)])
        #expect(dependencies.predecessors(of: Action(.inputGrad, stage: 1, microbatch: 2))
                == [Action(.recompute, stage: 1, microbatch: 2), Action(.inputGrad, stage: 2, microbatch: 2)])
        #expect(dependencies.predecessors(of: Action(.weightGrad, stage: 1, microbatch: 2)) == [Action(.inputGrad, stage: 1, microbatch: 2)])
    }

    @Test func applyingTwiceIsApplyingOnce() throws {
        let once = try ScheduleFamily.oneFOneB.make(devices: 3, microbatches: 5).recomputingActivations()
        #expect(once.recomputingActivations() == once)
        let forwardOnly = Schedule(name: "fwd", placement: try .looped(devices: 1, chunks: 1), microbatchCount: 2,
                                   actionsByDevice: [[Action(.forward, stage: 0, microbatch: 0), Action(.forward, stage: 0, microbatch: 1)]])
        #expect(forwardOnly.recomputingActivations() == forwardOnly)
    }

    @Test func csvWritesAndReadsRecomputeAsR() throws {
        let schedule = try ScheduleFamily.oneFOneB.make(devices: 2, microbatches: 2).recomputingActivations()
        let text = ScheduleCSV.export(schedule)
        #expect(text == "0F0,0F1,0R0,0B0,0R1,0B1\n1F0,1R0,1B0,1F1,1R1,1B1\n")
        let imported = try ScheduleCSV.parse(text).schedule
        #expect(imported.actions == schedule.actions && imported.recomputes)
        for (family, p, m, v) in validGrid() where m <= 6 && p <= 4 {
            let recomputed = try family.make(devices: p, microbatches: m, chunks: v).recomputingActivations()
            #expect(try ScheduleCSV.parse(ScheduleCSV.export(recomputed), microbatches: m).schedule.actions == recomputed.actions)
        }
    }

    @Test func aRecomputeAfterItsBackwardIsAnOrderingMistake() throws {
        let csv = "0F0,0B0,0R0\n"
        #expect {
            try ScheduleCSV.parse(csv)
        } throws: { error in
            "\(error)".contains("0B0 comes before 0R0")
        }
    }

    @Test func unknownKindsListR() {
        #expect {
            try ScheduleCSV.parse("0X0\n")
        } throws: { error in
            "\(error)".contains("R (recompute)")
        }
    }
}
