import Calibration
import Schedule
import Simulator
import Testing

@Test("a cost model read off a timeline: median durations per op and stage, mean hand-off and dispatch gaps")
func timelineFitByHand() throws {
    // GPipe, p = 2, m = 2 (ns). Device 0: 0F0 0F1 0B0 0B1; device 1: 1F0 1F1 1B0 1B1.
    let schedule = try ScheduleFamily.gpipe.make(devices: 2, microbatches: 2)
    #expect(schedule.actions.map(\.description) == ["0F0", "0F1", "0B0", "0B1", "1F0", "1F1", "1B0", "1B1"])
    let start: [Int64] = [0, 110, 700, 905, 150, 260, 420, 630]
    let end: [Int64] = [100, 210, 900, 1105, 250, 380, 620, 830]
    let fit = TimelineFit.fit(Timeline(schedule: schedule, start: start, end: end))
    let model = fit.costModel
    #expect(model.forward == .perStage([100, 110]))
    #expect(model.backward == .uniform(200))
    // Hand-offs (the action waited for another device): 1F0 150 − 100, 0B0 700 − 620 → mean 65.
    #expect(model.latency == 65 && fit.handOffSamples == 2)
    // Dispatch gaps (waited for nothing): 0F1 10, 1F1 10 (0F1 ended before 1F0 did), 1B0 40, 1B1 10, 0B1 5 (1B1
    // ended before 0B0 did) → mean 15, where the median would drop the 40 ns stall and say 10.
    #expect(model.dispatch == 15 && fit.dispatchSamples == 5)
    #expect(fit.samples == ["F": 4, "B": 4])
}
