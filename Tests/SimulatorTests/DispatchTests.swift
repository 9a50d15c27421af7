import Schedule
import Testing
@testable import Simulator

/// `dispatch`: a device's own time between two of its actions (and before its first); a cross-device
/// wait takes `latency` after the predecessor's end instead, when that is later.
struct DispatchTests {
    @Test("one device: every action starts dispatch after the previous one ends")
    func oneDevice() throws {
        var model = uniform(forward: 10, backward: 20)
        model.dispatch = 5
        let simulation = try simulate(.oneFOneB, devices: 1, microbatches: 3, model)
        #expect(simulation.timeline.start == [5, 20, 45, 60, 85, 100])
        #expect(simulation.timeline.makespan == 3 * 30 + 5 * 5)
    }

    @Test("two devices: the later of dispatch after the device's last action and latency after the predecessor")
    func twoDevices() throws {
        var model = uniform(forward: 10, backward: 20)
        model.dispatch = 5
        model.latency = 3
        let simulation = try simulate(.gpipe, devices: 2, microbatches: 1, model)
        // Device 0: 0F0 [5, 15], 0B0 waits for 1B0 (ends 53): starts 56. Device 1: 1F0 at 15 + 3 = 18, 1B0 at 28 + 5 = 33.
        #expect(simulation.timeline.start == [5, 56, 18, 33])
        #expect(simulation.timeline.end == [15, 76, 28, 53])
    }

    @Test("dispatch round-trips through the JSON form and is validated")
    func json() throws {
        let model = CostModel(dispatch: 1_250)
        #expect(try CostModel.decode(json: try model.encodedJSON()) == model)
        #expect(throws: CostModelError.self) { try CostModel(dispatch: -1).validate() }
    }
}
