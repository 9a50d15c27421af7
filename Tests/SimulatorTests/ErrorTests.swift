import Foundation
import Schedule
import Testing
@testable import Simulator

/// Bad cost input and bad schedules are rejected with messages that name what was wrong.
struct ErrorTests {
    private func validationError(_ model: CostModel) -> CostModelError? {
        do { try model.validate(); return nil } catch { return error }
    }

    private func decodingError(_ json: String) -> CostModelError? {
        do { _ = try CostModel.decode(json: Data(json.utf8), file: "costs.json"); return nil } catch { return error }
    }

    @Test("Negative, NaN and infinite values are rejected, naming the field and option")
    func badValues() {
        #expect(validationError(CostModel(forward: .uniform(-1))) == .negative(.forward, index: nil, -1))
        #expect(validationError(CostModel(backward: .perStage([1, .nan]))) == .notANumber(.backward, index: 1))
        #expect(validationError(CostModel(latency: .infinity)) == .infinite(.latency, index: nil))
        #expect(validationError(CostModel(inputGrad: .uniform(-.infinity))) == .infinite(.inputGrad, index: nil))
        #expect(validationError(CostModel(activationBytes: .uniform(2e18))) == .tooLarge(.activationBytes, index: nil, 2e18))
        #expect(validationError(CostModel(weightGrad: .perStage([]))) == .emptyList(.weightGrad))
        let message = validationError(CostModel(inputGrad: .uniform(-2)))?.description ?? ""
        #expect(message.contains("'inputGrad'") && message.contains("--input-grad") && message.contains("below zero"))
    }

    @Test("An uncertainty outside 0…1 is rejected, naming the field and what it means")
    func badUncertainty() {
        #expect(validationError(CostModel(uncertainty: 0)) == nil && validationError(CostModel(uncertainty: 1)) == nil)
        #expect(validationError(CostModel(uncertainty: -0.01)) == .negative(.uncertainty, index: nil, -0.01))
        #expect(validationError(CostModel(uncertainty: .nan)) == .notANumber(.uncertainty, index: nil))
        let message = validationError(CostModel(uncertainty: 3))?.description ?? ""
        #expect(message.contains("'uncertainty' (--uncertainty)") && message.contains("above 1") && message.contains("0.03: ±3%"), "\(message)")
    }

    @Test("Zero, negative or infinite bandwidth is rejected")
    func badBandwidth() {
        for value in [0.0, -5, .infinity, .nan] {
            let error = validationError(CostModel(bandwidth: value))
            #expect(error?.description.contains("'bandwidth' (--bandwidth)") == true, "\(value)")
            if case .notPositive(.bandwidth, _) = error {} else { Issue.record("bandwidth \(value): \(String(describing: error))") }
        }
    }

    @Test("A per-stage list of the wrong length is rejected when simulated")
    func wrongLength() throws {
        let schedule = try ScheduleFamily.interleaved.make(devices: 2, microbatches: 2, chunks: 2)
        let model = CostModel(forward: .perStage([1, 2]))
        #expect(throws: SimulationError.invalidCostModel(.wrongLength(.forward, count: 2, stages: 4))) {
            try Simulator(costModel: model).run(schedule)
        }
        let message = SimulationError.invalidCostModel(.wrongLength(.forward, count: 2, stages: 4)).description
        #expect(message.contains("'forward'") && message.contains("4 stages"))
    }

    @Test("Malformed cost-model files are rejected, naming the field where there is one")
    func malformedFiles() {
        if case let .malformed(file, reason, field) = decodingError("{ forward: 1 }") {
            #expect(file == "costs.json" && field == nil && reason.contains("not valid JSON"))
        } else { Issue.record("invalid JSON accepted") }
        if case let .malformed(_, reason, field) = decodingError(#"{"forward": "fast"}"#) {
            #expect(field == "forward" && reason.contains("nanoseconds"))
        } else { Issue.record("a string duration accepted") }
        if case let .malformed(_, reason, field) = decodingError(#"{"forwrd": 1}"#) {
            #expect(field == "forwrd" && reason.contains("unknown field"))
        } else { Issue.record("an unknown field accepted") }
        if case let .malformed(_, _, field) = decodingError(#"{"contention": 3}"#) {
            #expect(field == "contention")
        } else { Issue.record("a number for a flag accepted") }
        #expect(decodingError(#"{"backward": [1, -2]}"#) == .negative(.backward, index: 1, -2))
        #expect(decodingError(#"{"bandwidth": 0}"#) == .notPositive(.bandwidth, 0))
        // Foundation's parser itself refuses numbers beyond Double (1e999): rejected as invalid JSON.
        if case .malformed = decodingError(#"{"latency": 1e999}"#) {} else { Issue.record("an infinite latency accepted") }
        #expect(decodingError("[1, 2]") != nil)
        do {
            _ = try CostModel.load(from: "/nonexistent/costs.json")
            Issue.record("a missing file accepted")
        } catch {
            #expect(error.description.contains("/nonexistent/costs.json"))
        }
    }

    @Test("JSON round trip: save, load, equal")
    func roundTrip() throws {
        let model = CostModel(forward: .perStage([1.5, 2, 3]), backward: .uniform(4), inputGrad: .uniform(2),
                              gradSync: .uniform(9), latency: 12, bandwidth: 2.5e10, transferBytes: .uniform(4096),
                              activationBytes: .perStage([1, 2, 3]), weightBytes: .uniform(7), contention: true, uncertainty: 0.032)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stagecraft-costs-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        #expect(try CostModel.load(from: path) == model)
        #expect(try CostModel.decode(json: Data("{}".utf8)) == CostModel())
    }

    @Test("Sums that could overflow 64-bit nanoseconds or bytes are refused up front")
    func overflow() throws {
        let schedule = try ScheduleFamily.oneFOneB.make(devices: 2, microbatches: 10_000)
        #expect(throws: SimulationError.tooLong(40_000 * 1e15)) {
            try Simulator(costModel: CostModel(forward: .uniform(1e15))).run(schedule)
        }
        #expect(throws: SimulationError.tooMuchMemory(40_000 * 1e15)) {
            try Simulator(costModel: CostModel(activationBytes: .uniform(1e15))).run(schedule)
        }
    }

    @Test("Invalid schedules are rejected; unvalidated deadlocks stall with a message, not a hang")
    func badSchedules() throws {
        let placement = try Placement.looped(devices: 2, chunks: 1)
        // Device 0 runs its backward before its own forward: an ordering error.
        let wrongOrder = Schedule(name: "bad", placement: placement, microbatchCount: 1, actionsByDevice: [
            [Action(.backward, stage: 0), Action(.forward, stage: 0)],
            [Action(.forward, stage: 1), Action(.backward, stage: 1)],
        ])
        #expect(throws: SimulationError.self) { try Simulator().run(wrongOrder) }
        do {
            _ = try Simulator().run(wrongOrder, validate: false)
            Issue.record("a deadlocked schedule simulated")
        } catch {
            #expect(error == .stalled(device: 0, action: Action(.backward, stage: 0), waitsFor: Action(.backward, stage: 1), otherDevice: 1)
                    || error == .stalled(device: 0, action: Action(.backward, stage: 0), waitsFor: Action(.forward, stage: 0), otherDevice: 0))
            #expect(error.description.contains("validate"))
        }
        let outOfRange = Schedule(name: "bad", placement: placement, microbatchCount: 1, actionsByDevice: [
            [Action(.forward, stage: 5)], [],
        ])
        #expect(throws: SimulationError.actionOutOfRange(Action(.forward, stage: 5), device: 0, position: 0)) {
            try Simulator().run(outOfRange, validate: false)
        }
        #expect(!Dependencies(schedule: outOfRange).allActionsInRange)
    }
}
