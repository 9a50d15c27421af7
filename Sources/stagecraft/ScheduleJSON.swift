import Schedule

/// The JSON form of a schedule, for `schedule show --json` and `schedule validate --json`.
struct ScheduleJSON: Encodable {
    let name: String
    let devices, stages, replicas, microbatches, chunks, actions: Int
    /// Per replica, the device of each stage.
    let placement: [[Int]]
    /// Per device, its actions in order, as PyTorch's CSV writes them (`0F1`, `3REDUCE_GRAD@1`).
    let order: [[String]]
    /// `schedule validate`: communication kinds skipped while reading, with their counts.
    let skipped: [String: Int]?

    init(_ schedule: Schedule, skipped: [String: Int]?) {
        name = schedule.name
        devices = schedule.deviceCount
        stages = schedule.stageCount
        replicas = schedule.replicaCount
        microbatches = schedule.microbatchCount
        chunks = schedule.chunkCount
        actions = schedule.actions.count
        placement = (0..<schedule.replicaCount).map { replica in
            (0..<schedule.stageCount).map { schedule.placement.device(replica: replica, stage: $0) }
        }
        order = (0..<schedule.deviceCount).map { schedule.actions(on: $0).map(\.description) }
        self.skipped = skipped
    }
}
