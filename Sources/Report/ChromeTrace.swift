import Foundation
import Schedule

/// A timeline as Chrome trace JSON (the Trace Event Format read by Perfetto and chrome://tracing):
/// one complete event (`ph: "X"`) per action with `ts` and `dur` in microseconds, `pid` = device,
/// `tid` = 0 (one track per device, as in the Gantt chart) or the stage (one track per stage), `name` in
/// PyTorch's action form (`0F1`) and `args` with stage, micro-batch, replica and op; plus metadata
/// events (`ph: "M"`) naming each process `device N` and each thread.
public struct ChromeTrace: Sendable {
    /// Which track of its device an action goes on.
    public enum Tracks: String, Sendable, Hashable, CaseIterable {
        /// One track per device (`tid` 0): the device's actions in the order it ran them.
        case perDevice
        /// One track per stage (`tid` = stage): a device's chunks on separate tracks.
        case perStage
    }

    /// The timeline and its run.
    public let chart: RunTimeline
    /// Track layout.
    public let tracks: Tracks

    public init(_ chart: RunTimeline, tracks: Tracks = .perDevice) {
        self.chart = chart
        self.tracks = tracks
    }

    /// The trace events, metadata first, then one `X` event per action in action-id order.
    public var events: [TraceEvent] {
        let timeline = chart.timeline, schedule = timeline.schedule
        var events: [TraceEvent] = []
        events.reserveCapacity(schedule.actions.count + 3 * schedule.deviceCount)
        for device in 0..<schedule.deviceCount {
            events.append(.metadata("process_name", pid: device, tid: 0, args: ["name": .string("device \(device)")]))
            events.append(.metadata("process_sort_index", pid: device, tid: 0, args: ["sort_index": .int(device)]))
            switch tracks {
            case .perDevice:
                events.append(.metadata("thread_name", pid: device, tid: 0, args: ["name": .string("actions")]))
            case .perStage:
                for (replica, stage) in schedule.placement.stages(on: device) {
                    let name = replica > 0 ? "stage \(stage) (replica \(replica))" : "stage \(stage)"
                    events.append(.metadata("thread_name", pid: device, tid: stage, args: ["name": .string(name)]))
                }
            }
        }
        let origin = chart.origin
        for device in 0..<schedule.deviceCount {
            for id in schedule.actionRange(of: device) {
                let action = schedule.actions[id]
                let start = timeline.start[id] - origin, end = max(timeline.end[id] - origin, start)
                var args: [String: TraceValue] = [
                    "stage": .int(action.stage), "replica": .int(action.replica), "op": .string(action.op.token),
                    "action_id": .int(id),
                ]
                if action.op.isPerMicrobatch { args["microbatch"] = .int(action.microbatch) }
                events.append(TraceEvent(
                    name: action.description, category: OpStyle.of(action.op).key, phase: "X",
                    timestamp: Self.microseconds(start), duration: Self.microseconds(end - start),
                    pid: device, tid: tracks == .perDevice ? 0 : action.stage, args: args))
            }
        }
        return events
    }

    /// The trace as JSON: `{"traceEvents": [...], "displayTimeUnit": "ms", "otherData": {...}}`.
    public func json() throws(ReportError) -> Data {
        let file = TraceFile(traceEvents: events, displayTimeUnit: "ms", otherData: [
            "schedule": .string(chart.run.scheduleName),
            "parameters": .string(chart.run.parameters.map(\.text).joined(separator: ", ")),
            "kind": .string(chart.run.kind.rawValue),
            "run": chart.run.runID.map { .int(Int($0)) } ?? .string("unknown"),
            "makespan_us": .double(Self.microseconds(chart.timeline.makespan)),
            "bubble_ratio": .double(chart.timeline.bubbleRatio),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return try encoder.encode(file)
        } catch {
            throw .encodingFailed(String(describing: error))
        }
    }

    /// Nanoseconds as microseconds, exact to the nanosecond.
    static func microseconds(_ nanoseconds: Int64) -> Double { Double(nanoseconds) / 1_000 }
}

/// One event of the Trace Event Format.
public struct TraceEvent: Sendable, Hashable, Encodable {
    /// The event's name (`0F1` for actions, `process_name` for metadata).
    public var name: String
    /// Category (`cat`): the op key for actions.
    public var category: String?
    /// Phase (`ph`): `X` for a complete event, `M` for metadata.
    public var phase: String
    /// Start in microseconds (`ts`).
    public var timestamp: Double
    /// Duration in microseconds (`dur`), for complete events.
    public var duration: Double?
    /// Process: the device.
    public var pid: Int
    /// Thread: 0 or the stage.
    public var tid: Int
    /// Extra fields shown when the event is selected.
    public var args: [String: TraceValue]

    public init(name: String, category: String?, phase: String, timestamp: Double, duration: Double?,
                pid: Int, tid: Int, args: [String: TraceValue]) {
        self.name = name
        self.category = category
        self.phase = phase
        self.timestamp = timestamp
        self.duration = duration
        self.pid = pid
        self.tid = tid
        self.args = args
    }

    static func metadata(_ name: String, pid: Int, tid: Int, args: [String: TraceValue]) -> TraceEvent {
        TraceEvent(name: name, category: nil, phase: "M", timestamp: 0, duration: nil, pid: pid, tid: tid, args: args)
    }

    enum CodingKeys: String, CodingKey {
        case name, category = "cat", phase = "ph", timestamp = "ts", duration = "dur", pid, tid, args
    }
}

/// A JSON scalar in trace `args` and `otherData`.
public enum TraceValue: Sendable, Hashable, Encodable {
    /// A whole number (ids, indices).
    case int(Int)
    /// A real number (times in µs, ratios).
    case double(Double)
    /// Text.
    case string(String)

    /// Encodes the bare scalar.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .int(value): try container.encode(value)
        case let .double(value): try container.encode(value)
        case let .string(value): try container.encode(value)
        }
    }
}

/// The top-level object of a trace file.
struct TraceFile: Encodable {
    var traceEvents: [TraceEvent]
    var displayTimeUnit: String
    var otherData: [String: TraceValue]
}
