/// Which device holds each (replica, stage).
public struct Placement: Hashable, Sendable {
    /// Number of devices.
    public let deviceCount: Int
    /// Number of virtual stages (devices × chunks for looped placements).
    public let stageCount: Int
    /// Number of copies of every stage (2 for Chimera, 1 otherwise).
    public let replicaCount: Int
    /// Device of (replica, stage), at index `replica * stageCount + stage`.
    private let devices: [Int]

    /// A placement from an explicit table: `devicesByReplica[r][s]` is the device of stage s of replica r.
    public init(deviceCount: Int, devicesByReplica: [[Int]]) throws(ScheduleError) {
        guard deviceCount >= 1 else { throw .invalidParameter("devices", deviceCount, "need at least 1 device") }
        guard let stageCount = devicesByReplica.first?.count, stageCount >= 1 else {
            throw .invalidParameter("stages", 0, "need at least 1 stage")
        }
        for (replica, row) in devicesByReplica.enumerated() {
            guard row.count == stageCount else {
                throw .invalidParameter("stages", row.count, "replica \(replica) has \(row.count) stages, replica 0 has \(stageCount)")
            }
            for device in row where !(0..<deviceCount).contains(device) {
                throw .invalidParameter("device", device, "placement names device \(device) but there are \(deviceCount) devices")
            }
        }
        self.deviceCount = deviceCount
        self.stageCount = stageCount
        self.replicaCount = devicesByReplica.count
        self.devices = devicesByReplica.flatMap { $0 }
    }

    /// Looped placement: virtual stage s on device s mod p (plain pipelines when chunks = 1,
    /// Megatron's interleaved placement otherwise).
    public static func looped(devices: Int, chunks: Int) throws(ScheduleError) -> Placement {
        guard chunks >= 1 else { throw .invalidParameter("chunks", chunks, "need at least 1 chunk per device") }
        return try Placement(deviceCount: devices, devicesByReplica: [(0..<(devices * chunks)).map { $0 % max(devices, 1) }])
    }

    /// Chimera's bidirectional placement over p devices: replica 0 (the down pipeline) holds stage s on
    /// device s, replica 1 (the up pipeline) holds stage s on device p − 1 − s.
    public static func chimera(devices: Int) throws(ScheduleError) -> Placement {
        try Placement(deviceCount: devices, devicesByReplica: [
            Array(0..<devices), (0..<devices).map { devices - 1 - $0 },
        ])
    }

    /// The V-shaped placement of ZB-V and DualPipeV: 2p stages over p devices, stage s on device s for
    /// s < p and on device 2p − 1 − s otherwise, so device d holds stages d and 2p − 1 − d, the model's
    /// first and last stages share device 0, and the turn (stages p − 1 and p) stays on device p − 1.
    public static func vShape(devices: Int) throws(ScheduleError) -> Placement {
        try Placement(deviceCount: devices, devicesByReplica: [
            (0..<(2 * max(devices, 0))).map { $0 < devices ? $0 : 2 * devices - 1 - $0 },
        ])
    }

    /// The device that holds stage `stage` of replica `replica`.
    @inline(__always)
    public func device(replica: Int = 0, stage: Int) -> Int {
        devices[replica * stageCount + stage]
    }

    /// The device that runs `action`.
    @inline(__always)
    public func device(of action: Action) -> Int {
        device(replica: action.replica, stage: action.stage)
    }

    /// The (replica, stage) pairs held by `device`, in replica then stage order.
    public func stages(on device: Int) -> [(replica: Int, stage: Int)] {
        var result: [(replica: Int, stage: Int)] = []
        for replica in 0..<replicaCount {
            for stage in 0..<stageCount where self.device(replica: replica, stage: stage) == device {
                result.append((replica, stage))
            }
        }
        return result
    }
}
