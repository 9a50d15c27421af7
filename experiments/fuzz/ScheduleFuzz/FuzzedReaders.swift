#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Schedule
import Simulator

/// The readers of user files that the fuzzer drives, and what must hold for every input besides not
/// crashing: a schedule that imports exports to text that imports to the same schedule and simulates;
/// a cost model that decodes encodes to JSON that decodes to the same model and simulates a schedule.
enum FuzzedReader: String, CaseIterable {
    case csv
    case costModel = "cost-model"

    func run(_ bytes: UnsafeRawBufferPointer) {
        switch self {
        case .csv: Self.csv(bytes)
        case .costModel: Self.costModel(bytes)
        }
    }

    private static func csv(_ bytes: UnsafeRawBufferPointer) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let imported = try? ScheduleCSV.parse(text) else { return }
        let schedule = imported.schedule
        guard let again = try? ScheduleCSV.parse(ScheduleCSV.export(schedule), name: schedule.name), again.schedule == schedule else {
            fatalError("an imported schedule does not survive export and import:\n\(text)")
        }
        do {
            _ = try Simulator(costModel: CostModel()).run(schedule)
        } catch {
            fatalError("a valid imported schedule does not simulate: \(error)\n\(text)")
        }
    }

    /// Schedules a decoded cost model is tried on: one and two stages per device, split backwards, replicas.
    private static let schedules: [Schedule] = [
        try! ScheduleFamily.oneFOneB.make(devices: 2, microbatches: 4),
        try! ScheduleFamily.interleaved.make(devices: 2, microbatches: 4, chunks: 2),
        try! ScheduleFamily.zeroBubbleV.make(devices: 2, microbatches: 4),
        try! ScheduleFamily.chimera.make(devices: 2, microbatches: 4),
    ]

    private static func costModel(_ bytes: UnsafeRawBufferPointer) {
        guard let model = try? CostModel.decode(json: Data(bytes)) else { return }
        guard let encoded = try? model.encodedJSON(), let again = try? CostModel.decode(json: encoded), again == model else {
            fatalError("a decoded cost model does not survive encoding and decoding:\n\(String(decoding: bytes, as: UTF8.self))")
        }
        for schedule in schedules {
            // Per-stage lists of the wrong length and values too large for the clock are refused, not crashed on.
            _ = try? Simulator(costModel: model).run(schedule)
        }
    }
}
