import Foundation
import Schedule
import Simulator

/// What `stagecraft simulate` prints: a summary table, the same as JSON, and the action timeline.
struct SimulationSummary {
    let simulation: Simulation
    let costModel: CostModel
    let runID: Int64?
    private let makespan: Int64
    private let busy: [Int64]

    init(_ simulation: Simulation, costModel: CostModel, runID: Int64?) {
        self.simulation = simulation
        self.costModel = costModel
        self.runID = runID
        let timeline = simulation.timeline
        makespan = timeline.makespan
        busy = (0..<timeline.schedule.deviceCount).map { timeline.busy(device: $0) }
    }

    private var schedule: Schedule { simulation.timeline.schedule }

    /// The headline and one row per device.
    func table() -> String {
        let timeline = simulation.timeline
        var lines = [
            "\(schedule.name): \(schedule.deviceCount) devices, \(schedule.stageCount) stages"
                + (schedule.replicaCount > 1 ? " × \(schedule.replicaCount) replicas" : "")
                + ", \(schedule.microbatchCount) micro-batches, \(schedule.actions.count) actions (simulated)",
            "makespan            \(CommandText.duration(makespan))",
            "iteration time      \(CommandText.duration(simulation.iterationTime)) (with the optimizer step)",
            "bubble ratio        \(CommandText.percent(timeline.bubbleRatio, decimals: 2))  idle / (devices × makespan)",
            "bubble / compute    \(CommandText.percent(timeline.bubbleOverCompute, decimals: 2))  idle / busy (Megatron's bubble fraction)",
            "",
        ]
        let header = ["device", "actions", "busy", "idle", "peak memory", "activations", "weights"]
        let rows = (0..<schedule.deviceCount).map { d in
            [String(d), String(schedule.actionRange(of: d).count), CommandText.duration(busy[d]), CommandText.duration(makespan - busy[d]),
             CommandText.bytes(timeline.peakMemory[d]), CommandText.bytes(simulation.peakActivationBytes[d]), CommandText.bytes(simulation.weightBytes[d])]
        }
        lines.append(CommandText.numberTable(header, rows))
        return lines.joined(separator: "\n")
    }

    /// Every action: device, action, start and end in nanoseconds, device by device in run order.
    func actionTable() -> String {
        let timeline = simulation.timeline
        var rows: [[String]] = []
        rows.reserveCapacity(schedule.actions.count)
        for d in 0..<schedule.deviceCount {
            for id in schedule.actionRange(of: d) {
                rows.append([String(d), schedule.actions[id].description, String(timeline.start[id]), String(timeline.end[id])])
            }
        }
        return CommandText.numberTable(["device", "action", "start_ns", "end_ns"], rows)
    }

    private struct JSONForm: Encodable {
        struct Device: Encodable {
            let device, actions: Int
            let busy_ns, idle_ns, peak_memory_bytes, peak_activation_bytes, weight_bytes, optimizer_end_ns: Int64
        }
        struct ActionTime: Encodable {
            let device: Int
            let action: String
            let start_ns, end_ns: Int64
        }
        let schedule: String
        let devices, stages, replicas, microbatches, chunks: Int
        let makespan_ns, iteration_ns: Int64
        /// idle / (devices × makespan)
        let bubble_ratio: Double
        /// idle / busy
        let bubble_over_compute: Double
        let per_device: [Device]
        let cost_model: CostModel
        let run_id: Int64?
        let actions: [ActionTime]?
    }

    /// The summary (and with `includingActions` every action's times) as pretty-printed JSON.
    func json(includingActions: Bool) throws -> String {
        let timeline = simulation.timeline
        let devices = (0..<schedule.deviceCount).map { d in
            JSONForm.Device(device: d, actions: schedule.actionRange(of: d).count, busy_ns: busy[d], idle_ns: makespan - busy[d],
                            peak_memory_bytes: timeline.peakMemory[d], peak_activation_bytes: simulation.peakActivationBytes[d],
                            weight_bytes: simulation.weightBytes[d], optimizer_end_ns: simulation.optimizerEnd[d])
        }
        var actions: [JSONForm.ActionTime]?
        if includingActions {
            actions = (0..<schedule.deviceCount).flatMap { d in
                schedule.actionRange(of: d).map {
                    JSONForm.ActionTime(device: d, action: schedule.actions[$0].description, start_ns: timeline.start[$0], end_ns: timeline.end[$0])
                }
            }
        }
        let form = JSONForm(schedule: schedule.name, devices: schedule.deviceCount, stages: schedule.stageCount,
                            replicas: schedule.replicaCount, microbatches: schedule.microbatchCount, chunks: schedule.chunkCount,
                            makespan_ns: makespan, iteration_ns: simulation.iterationTime, bubble_ratio: timeline.bubbleRatio,
                            bubble_over_compute: timeline.bubbleOverCompute, per_device: devices, cost_model: costModel,
                            run_id: runID, actions: actions)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let text = String(data: try encoder.encode(form), encoding: .utf8) else {
            throw CommandError("could not encode the summary as UTF-8 JSON")
        }
        return text
    }
}
