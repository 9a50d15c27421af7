import Schedule
import Testing
@testable import Simulator

/// `workingSet`: compute slows down with the parameter bytes a device holds.
struct WorkingSetTests {
    @Test("the factor interpolates linearly between the points and is constant beyond them")
    func interpolation() {
        let model = CostModel(workingSet: [WorkingSetPoint(bytes: 100, factor: 1), WorkingSetPoint(bytes: 300, factor: 1.5)])
        #expect(model.workingSetFactor(bytes: 50) == 1)
        #expect(model.workingSetFactor(bytes: 100) == 1)
        #expect(model.workingSetFactor(bytes: 200) == 1.25)
        #expect(model.workingSetFactor(bytes: 300) == 1.5)
        #expect(model.workingSetFactor(bytes: 1_000) == 1.5)
        #expect(CostModel().workingSetFactor(bytes: 1e9) == 1)
    }

    @Test("1F1B holds one stage per device: factor 1; Chimera holds two: every F and B scaled, not the gradient sum")
    func chimeraAgainstOneFOneB() throws {
        // Weights 100 bytes per stage: 1F1B devices hold 100, Chimera's (both replicas) 200 → factor 1.5.
        var model = uniform(forward: 10, backward: 20)
        model.weightBytes = .uniform(100)
        model.gradSync = .uniform(4)
        model.workingSet = [WorkingSetPoint(bytes: 100, factor: 1), WorkingSetPoint(bytes: 200, factor: 1.5)]
        // 1F1B p = 2, m = 2: (m + p − 1)(F + B) = 3 · 30, as without the term.
        #expect(try simulate(.oneFOneB, devices: 2, microbatches: 2, model).timeline.makespan == 90)
        // Chimera p = 2, m = 2 (one unit) with F = 15, B = 30: 2m + p − 2 = 4 time units of F + B = 45
        // under its unit-cost order, then the gradient sum (4) unscaled.
        let chimera = try simulate(.chimera, devices: 2, microbatches: 2, model).timeline
        var scaledModel = uniform(forward: 15, backward: 30)
        scaledModel.gradSync = .uniform(4)
        let scaled = try simulate(.chimera, devices: 2, microbatches: 2, scaledModel).timeline
        #expect(chimera.start == scaled.start && chimera.end == scaled.end)
        let sync = chimera.schedule.actions.indices.filter { chimera.schedule.actions[$0].op == .gradSync }
        #expect(!sync.isEmpty && sync.allSatisfy { chimera.end[$0] - chimera.start[$0] == 4 })
    }

    @Test("bad points are refused with the point named; the field round-trips through JSON")
    func validation() throws {
        let unordered = CostModel(workingSet: [WorkingSetPoint(bytes: 200, factor: 1), WorkingSetPoint(bytes: 100, factor: 1.2)])
        #expect(throws: CostModelError.self) { try unordered.validate() }
        #expect { try unordered.validate() } throws: { "\($0)".contains("point 1") && "\($0)".contains("increasing bytes") }
        let zero = CostModel(workingSet: [WorkingSetPoint(bytes: 100, factor: 0)])
        #expect { try zero.validate() } throws: { "\($0)".contains("factor 0.0") }
        let good = CostModel(workingSet: [WorkingSetPoint(bytes: 8_388_608, factor: 1), WorkingSetPoint(bytes: 16_777_216, factor: 1.1)])
        #expect(try CostModel.decode(json: try good.encodedJSON()) == good)
    }
}

/// `deviceSpeed` and `firstAction`.
struct DeviceSpeedTests {
    @Test("every compute action on a device takes its factor times the duration; a replica follows its own device")
    func perDevice() throws {
        // 1F1B p = 2, m = 1, F = 10, B = 20, device 1 twice as slow: F0 10, F1 20, B1 40, B0 20 → 90.
        var model = uniform(forward: 10, backward: 20)
        model.deviceSpeed = [1, 2]
        #expect(try simulate(.oneFOneB, devices: 2, microbatches: 1, model).timeline.makespan == 90)
        // Chimera: stage 0 of replica 1 runs on device 1 — twice as long as replica 0's on device 0.
        let chimera = try simulate(.chimera, devices: 2, microbatches: 2, model).timeline
        let schedule = chimera.schedule
        let id0 = try #require(schedule.actions.firstIndex(of: Action(.forward, stage: 0, microbatch: 0, replica: 0)))
        let id1 = try #require(schedule.actions.firstIndex { $0.op == .forward && $0.stage == 0 && $0.replica == 1 })
        #expect(chimera.end[id0] - chimera.start[id0] == 10)
        #expect(chimera.end[id1] - chimera.start[id1] == 20)
        model.deviceSpeed = [1]
        #expect { try simulate(.oneFOneB, devices: 2, microbatches: 1, model) } throws: { "\($0)".contains("lists 1 devices but the schedule has 2") }
        model.deviceSpeed = [1, -1]
        #expect { try model.validate() } throws: { "\($0)".contains("device 1 is -1.0") }
    }

    @Test("firstAction replaces the cold start for a device's first action only; JSON round trip")
    func firstAction() throws {
        var model = uniform(forward: 10, backward: 20)
        model.coldStart = .uniform(3)
        model.firstAction = .uniform(7)
        // 1F1B on one device, one stage: only the first action is extra (7, not 3): 3 · 30 + 7.
        #expect(try simulate(.oneFOneB, devices: 1, microbatches: 3, model).timeline.makespan == 97)
        model.deviceSpeed = [1.25]
        #expect(try CostModel.decode(json: try model.encodedJSON()) == model)
    }
}

/// `firstOfOp`: a device's first action of an op kind other than its very first action's.
struct FirstOfOpTests {
    @Test("GPipe pays each device's first B on the critical path; 1F1B on one device pays it once")
    func firstBackward() throws {
        var model = uniform(forward: 10, backward: 20)
        model.firstOfOp = ["B": 7]
        // Device 1's B0 ends 7 late, device 0's B0 waits for it and is 7 longer itself: 3 · 30 + 14.
        #expect(try simulate(.gpipe, devices: 2, microbatches: 2, model).timeline.makespan == 104)
        let one = try simulate(.oneFOneB, devices: 1, microbatches: 3, model).timeline
        #expect(one.end.indices.map { one.end[$0] - one.start[$0] } == [10, 27, 10, 20, 10, 20])
        model.firstOfOp = ["F": 5]
        #expect(try simulate(.oneFOneB, devices: 1, microbatches: 3, model).timeline.makespan == 90,
                "the device's very first action is not a first-of-op (firstAction covers it)")
    }

    @Test("first of its op on the device, not on each stage: an interleaved device's second stage pays a cold start")
    func perDevice() throws {
        var model = uniform(forward: 10, backward: 20)
        model.firstOfOp = ["F": 5, "B": 7]
        model.coldStart = .uniform(3)
        model.firstAction = .uniform(0)
        // 0F0 1F0 1B0 0F1 0B0 1F1 1B1 0B1 on one device, two stages.
        let timeline = try simulate(.interleaved, devices: 1, microbatches: 2, chunks: 2, model).timeline
        let schedule = timeline.schedule
        func duration(_ op: Op, stage: Int, microbatch: Int) throws -> Int64 {
            let id = try #require(schedule.actions.firstIndex(of: Action(op, stage: stage, microbatch: microbatch)))
            return timeline.end[id] - timeline.start[id]
        }
        #expect(try duration(.forward, stage: 0, microbatch: 0) == 10, "the device's first action: firstAction (0)")
        #expect(try duration(.forward, stage: 1, microbatch: 0) == 13, "its second stage's first F: cold, not a first F")
        #expect(try duration(.backward, stage: 1, microbatch: 0) == 27, "the device's first B")
        #expect(try duration(.backward, stage: 0, microbatch: 0) == 20, "stage 0's first B, after stage 0's F: warm, not a first B")
        #expect(try duration(.forward, stage: 1, microbatch: 1) == 13, "after stage 0's B: cold")
    }

    @Test("unknown op tokens are refused; the field round-trips through JSON")
    func validation() throws {
        let wrong = CostModel(firstOfOp: ["X": 1])
        #expect { try wrong.validate() } throws: { "\($0)".contains("key 'X'") && "\($0)".contains("F, B, I, W and R") }
        #expect { try CostModel(firstOfOp: ["REDUCE_GRAD": 1]).validate() } throws: { "\($0)".contains("key 'REDUCE_GRAD'") }
        #expect { try CostModel(firstOfOp: ["B": -1]).validate() } throws: { "\($0)".contains("below zero") }
        let good = CostModel(firstOfOp: ["B": 80_000, "W": 1_500])
        #expect(try CostModel.decode(json: try good.encodedJSON()) == good)
    }
}
