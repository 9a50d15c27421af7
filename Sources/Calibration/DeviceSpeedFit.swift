import Schedule

/// The device-speed term of a calibrated cost model (`CostModel.deviceSpeed`): how much faster or
/// slower each device computes than the others. The cores of a shared machine differ while another
/// program shares one, and a schedule need not run a stage on the device the calibration measured it
/// on. Chimera runs every stage on two devices (one per replica), the same actions on each: per
/// iteration, each device's mean F and B duration of a stage over the mean of the devices that ran it,
/// averaged over the stages, then the median over the iterations, normalised to a mean of 1.
enum DeviceSpeedFit {
    /// One factor per device, or empty when `timelines` are not of a schedule with replicas.
    static func speeds(_ timelines: [Timeline]) -> [Double] {
        guard let schedule = timelines.first?.schedule, schedule.replicaCount > 1 else { return [] }
        let devices = schedule.deviceCount, stages = schedule.stageCount
        var perIteration = [[Double]](repeating: [], count: devices)
        for timeline in timelines {
            var sum = [Double](repeating: 0, count: stages * devices), count = [Int](repeating: 0, count: stages * devices)
            for device in 0..<devices {
                for id in schedule.actionRange(of: device) where schedule.actions[id].op == .forward || schedule.actions[id].op == .backward {
                    sum[schedule.actions[id].stage * devices + device] += Double(timeline.end[id] - timeline.start[id])
                    count[schedule.actions[id].stage * devices + device] += 1
                }
            }
            var ratios = [[Double]](repeating: [], count: devices)
            for stage in 0..<stages {
                let ran = (0..<devices).filter { count[stage * devices + $0] > 0 }
                guard ran.count > 1 else { continue }
                let means = ran.map { sum[stage * devices + $0] / Double(count[stage * devices + $0]) }
                let average = means.reduce(0, +) / Double(means.count)
                guard average > 0 else { continue }
                for (device, mean) in zip(ran, means) { ratios[device].append(mean / average) }
            }
            for device in 0..<devices where !ratios[device].isEmpty {
                perIteration[device].append(ratios[device].reduce(0, +) / Double(ratios[device].count))
            }
        }
        let medians = perIteration.compactMap { TimingSamples.median($0) }
        guard medians.count == devices else { return [] }
        let mean = medians.reduce(0, +) / Double(devices)
        return mean > 0 ? medians.map { $0 / mean } : []
    }
}
