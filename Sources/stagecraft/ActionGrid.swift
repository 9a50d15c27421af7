import Schedule

/// Renders a schedule as text: one line per device, its actions in order, columns aligned.
enum ActionGrid {
    static func render(_ schedule: Schedule) -> String {
        let cells = (0..<schedule.deviceCount).map { schedule.actions(on: $0).map(\.description) }
        let columns = cells.map(\.count).max() ?? 0
        let width = (0..<columns).map { column in cells.compactMap { column < $0.count ? $0[column].count : nil }.max() ?? 0 }
        let label = "device \(schedule.deviceCount - 1)".count
        var lines = ["\(schedule.name): \(schedule.deviceCount) devices, \(schedule.stageCount) stages, "
                     + "\(schedule.microbatchCount) micro-batches\(schedule.replicaCount > 1 ? ", \(schedule.replicaCount) replicas (@r)" : "")"]
        for (device, row) in cells.enumerated() {
            let name = "device \(device)"
            let padded = row.enumerated().map { $1 + String(repeating: " ", count: width[$0] - $1.count) }
            lines.append(name + String(repeating: " ", count: label - name.count) + " | " + padded.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }
}
