import Schedule
import Store

/// The JSON forms of recorded runs, for `runs --json` and `show --json`.
enum RunRecordJSON {
    /// One run as `runs --json` lists it.
    struct Run: Encodable {
        let id: Int64
        let kind, schedule, status: String
        let devices, stages, replicas, microbatches, chunks, actions: Int
        let makespan_ns: Int64?
        /// Σ idle / (devices × makespan)
        let bubble_ratio: Double?
        let created_at: String
        let finished_at: String?
        let error: String?

        init(_ record: RunRecord) {
            id = record.id
            kind = record.kind.rawValue
            schedule = record.schedule
            status = record.status.rawValue
            devices = record.devices
            stages = record.stages
            replicas = record.replicas
            microbatches = record.microbatches
            chunks = record.chunks
            actions = record.actions
            makespan_ns = record.makespanNs
            bubble_ratio = record.bubbleRatio
            created_at = record.createdAt
            finished_at = record.finishedAt
            error = record.error
        }
    }

    /// `runs --json`.
    struct Listing: Encodable {
        let database: String
        let runs: [Run]
    }

    /// One run in full, as `show --json` prints it.
    struct Detail: Encodable {
        struct Device: Encodable {
            let device, actions: Int
            let busy_ns, idle_ns: Int64
            let idle_share: Double?
            let peak_memory_bytes: Int64?
            /// Over the kept iterations of an executed run.
            let busy_spread_ns, bubble_spread: Spread?
        }
        struct Measurement: Encodable {
            let iterations, kept: Int
            let discard_rule: String
            /// `typical` (per-action medians) or `iteration N`.
            let timeline: String
            let makespan_ns: Spread
        }
        let run: Run
        let host, tool_version: String
        let config: JSONValue
        let per_device: [Device]
        let measurement: Measurement?

        init(record: RunRecord, stats: [DeviceStats], measurement stored: StoredMeasurement?) {
            run = Run(record)
            host = record.host
            tool_version = record.toolVersion
            config = JSONValue(parsing: record.configJSON)
            let spread = stored?.spread
            per_device = stats.map { device in
                let inSpread = spread.map { device.device < $0.busy.count } ?? false
                return Device(device: device.device, actions: device.actions, busy_ns: device.busyNs, idle_ns: device.idleNs,
                              idle_share: record.makespanNs.flatMap { $0 > 0 ? Double(device.idleNs) / Double($0) : nil },
                              peak_memory_bytes: device.peakMemoryBytes,
                              busy_spread_ns: inSpread ? spread?.busy[device.device] : nil,
                              bubble_spread: inSpread ? spread?.bubble[device.device] : nil)
            }
            measurement = stored.map {
                Measurement(iterations: $0.spread.iterations, kept: $0.spread.kept, discard_rule: $0.rule, timeline: $0.timeline,
                            makespan_ns: $0.spread.makespan)
            }
        }
    }
}
