import Foundation
import Testing
import Schedule
@testable import Simulator

// Schedule files written by PyTorch itself: torch 2.13.0+cpu, torch.distributed.pipelining's _dump_csv
// (csv.writer, CRLF rows), made by Tests/Fixtures/pytorch/generate.py (see the README there).

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures/pytorch")

private func importFixture(_ name: String) throws -> ScheduleCSV.Imported {
    let data = try Data(contentsOf: fixtures.appendingPathComponent(name))
    #expect(data.contains(0x0D), "\(name) should have PyTorch's CRLF line ends")
    return try ScheduleCSV.parse(String(decoding: data, as: UTF8.self), name: name)
}

/// F = 1, B = 2, I = W = 1 (µs): every backward costs the same whether split or not.
private let costs = CostModel(forward: .uniform(1_000), backward: .uniform(2_000),
                              inputGrad: .uniform(1_000), weightGrad: .uniform(1_000))

@Test(arguments: [
    ("GPipe_p4_m8_compute.csv", ScheduleFamily.gpipe, 1),
    ("Interleaved1F1B_p4_v2_m8_compute.csv", .interleaved, 2),
    ("LoopedBFS_p4_v2_m8_compute.csv", .loopedBFS, 2),
    ("ZBVZeroBubble_p4_v2_m8_compute.csv", .zeroBubbleV, 2),
    ("DualPipeV_p4_v2_m8_compute.csv", .dualPipeV, 2),
])
func pytorchFilesImportValidateAndSimulateLikeOurFamily(file: String, family: ScheduleFamily, chunks: Int) throws {
    let imported = try importFixture(file)
    let schedule = imported.schedule
    #expect(schedule.deviceCount == 4 && schedule.stageCount == 4 * chunks && schedule.microbatchCount == 8)
    try schedule.validate()
    let ours = try family.make(devices: 4, microbatches: 8, chunks: chunks)
    let simulator = Simulator(costModel: costs)
    #expect(try simulator.run(schedule).timeline.makespan == simulator.run(ours).timeline.makespan, "\(file)")
}

@Test func pytorchGPipeFileHasTheFillDrainMakespan() throws {
    // (m + p − 1)(F + B) with p = 4, m = 8; its REDUCE_GRAD cells cost nothing by default.
    let simulation = try Simulator(costModel: costs).run(importFixture("GPipe_p4_m8_compute.csv").schedule)
    #expect(simulation.timeline.makespan == 11 * 3_000)
}

@Test func pytorchInterleavedZeroBubbleFileSimulates() throws {
    let schedule = try importFixture("InterleavedZeroBubble_p4_v2_m8_compute.csv").schedule
    #expect(schedule.splitsBackward && schedule.stageCount == 8)
    let simulation = try Simulator(costModel: costs).run(schedule)
    // No device can finish before its own work: 2 stages × 8 micro-batches × (F + I + W).
    #expect(simulation.timeline.makespan >= 48_000)
    #expect(simulation.timeline.makespan < 57_000, "it should beat plain interleaved 1F1B on these costs")
}

@Test func pytorchLoweredFileWithCommunicationEqualsItsComputeOnlyForm() throws {
    let imported = try importFixture("Interleaved1F1B_p2_v2_m4_compute_comms.csv")
    #expect(imported.skipped["SEND_F"] == 12 && imported.skipped["RECV_B"] == 12)
    #expect(imported.skipped["UNSHARD"] == 4 && imported.skipped["RESHARD"] == 4)
    let ours = try ScheduleFamily.interleaved.make(devices: 2, microbatches: 4, chunks: 2)
    let simulator = Simulator(costModel: costs)
    #expect(try simulator.run(imported.schedule).timeline.makespan == simulator.run(ours).timeline.makespan)
}

@Test func pytorchOneFOneBFileWithItsOffByOneIsRefused() {
    #expect {
        _ = try importFixture("1F1B_p4_m8_compute_lastrank_fwd_off_by_one.csv")
    } throws: { error in
        guard case let ScheduleError.csv(issues) = error else { return false }
        return issues.count == 1 && issues[0].row == 4 && issues[0].reason.contains("off-by-one")
    }
}
