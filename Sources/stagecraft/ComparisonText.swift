import Foundation
import Report
import Schedule

/// What `stagecraft compare` (and `run --predict`) print: a text table or JSON of a `RunComparison`.
struct ComparisonText {
    let comparison: RunComparison
    let predictedID: Int64?
    let measuredID: Int64?

    private static func ms(_ ns: Int64) -> String { CommandText.duration(ns) }
    private static func signed(_ ns: Int64) -> String { (ns >= 0 ? "+" : "−") + CommandText.duration(Int64(ns.magnitude)) }
    private static func percent(_ ratio: Double) -> String { String(format: "%+.2f%%", ratio * 100) }
    private static func points(_ ratio: Double) -> String { String(format: "%+.2f pt", ratio * 100) }
    private func name(_ id: Int64?, _ fallback: String) -> String { id.map { "run \($0)" } ?? fallback }

    /// The headline, the per-device table, the per-action error distribution and the worst actions.
    func table(worst: Int = 5) -> String {
        let c = comparison
        let schedule = c.predicted.schedule
        var lines = [
            "\(schedule.name): \(schedule.deviceCount) devices, \(schedule.microbatchCount) micro-batches, \(c.actions.count) actions matched "
                + "— predicted \(name(predictedID, "A")) vs measured \(name(measuredID, "B")) (errors: predicted − measured)",
            "makespan      predicted \(Self.ms(c.predictedMakespan))  measured \(Self.ms(c.measuredMakespan))  error \(Self.percent(c.makespanError))",
            String(format: "bubble ratio  predicted %.2f%%  measured %.2f%%  error %@", c.predicted.bubbleRatio * 100,
                   c.measured.bubbleRatio * 100, Self.points(c.bubbleError)),
            "",
        ]
        let header = ["device", "busy pred", "busy meas", "busy err", "idle pred", "idle meas", "bubble pred", "bubble meas", "bubble err"]
        let rows = c.devices.map { d in
            [String(d.device), Self.ms(d.predictedBusy), Self.ms(d.measuredBusy), Self.percent(d.busyError),
             Self.ms(d.predictedIdle), Self.ms(d.measuredIdle), String(format: "%.2f%%", d.predictedBubble * 100),
             String(format: "%.2f%%", d.measuredBubble * 100), Self.points(d.bubbleError)]
        }
        lines.append(CommandText.numberTable(header, rows))
        lines.append("")
        let startAbs = c.absoluteStartError, endAbs = c.absoluteEndError
        let distribution = [
            ["start", Self.ms(startAbs.median), Self.ms(startAbs.p90), Self.ms(startAbs.max),
             String(format: "%.2f%%", c.ofMakespan(startAbs.median) * 100), Self.signed(Int64(c.startError.mean.rounded()))],
            ["end", Self.ms(endAbs.median), Self.ms(endAbs.p90), Self.ms(endAbs.max),
             String(format: "%.2f%%", c.ofMakespan(endAbs.median) * 100), Self.signed(Int64(c.endError.mean.rounded()))],
        ]
        lines.append(CommandText.numberTable(["|error|", "median", "p90", "max", "median/makespan", "mean (signed)"], distribution))
        lines.append("")
        lines.append("worst actions:")
        let worstRows = c.worstActions(worst).map { a in
            [a.action.description, String(a.device), Self.ms(a.predictedStart), Self.ms(a.measuredStart), Self.signed(a.startError),
             Self.signed(a.endError), Self.signed(a.durationError)]
        }
        lines.append(CommandText.numberTable(["action", "device", "start pred", "start meas", "start err", "end err", "duration err"], worstRows))
        return lines.joined(separator: "\n")
    }

    private struct JSONForm: Encodable {
        struct Distribution: Encodable {
            let median_ns, p90_ns, max_ns: Int64
            let median_of_makespan: Double
            let signed_mean_ns: Double
        }
        struct Device: Encodable {
            let device: Int
            let predicted_busy_ns, measured_busy_ns, predicted_idle_ns, measured_idle_ns: Int64
            let predicted_bubble, measured_bubble, bubble_error, busy_error: Double
        }
        struct Worst: Encodable {
            let action: String
            let device: Int
            let predicted_start_ns, measured_start_ns, predicted_end_ns, measured_end_ns, start_error_ns, end_error_ns: Int64
        }
        let schedule: String
        let predicted_run, measured_run: Int64?
        let matched_actions: Int
        let predicted_makespan_ns, measured_makespan_ns: Int64
        let makespan_error: Double
        let predicted_bubble_ratio, measured_bubble_ratio, bubble_error, worst_device_bubble_error: Double
        let per_device: [Device]
        let start_error, end_error: Distribution
        let worst_actions: [Worst]
    }

    /// The comparison as pretty-printed JSON (ratios as fractions, times in ns; errors predicted − measured).
    func json(worst: Int = 5) throws -> String {
        let c = comparison
        func distribution(_ absolute: ErrorDistribution, _ signed: ErrorDistribution) -> JSONForm.Distribution {
            .init(median_ns: absolute.median, p90_ns: absolute.p90, max_ns: absolute.max,
                  median_of_makespan: c.ofMakespan(absolute.median), signed_mean_ns: signed.mean)
        }
        let form = JSONForm(
            schedule: c.predicted.schedule.name, predicted_run: predictedID, measured_run: measuredID, matched_actions: c.actions.count,
            predicted_makespan_ns: c.predictedMakespan, measured_makespan_ns: c.measuredMakespan, makespan_error: c.makespanError,
            predicted_bubble_ratio: c.predicted.bubbleRatio, measured_bubble_ratio: c.measured.bubbleRatio,
            bubble_error: c.bubbleError, worst_device_bubble_error: c.worstDeviceBubbleError,
            per_device: c.devices.map {
                .init(device: $0.device, predicted_busy_ns: $0.predictedBusy, measured_busy_ns: $0.measuredBusy,
                      predicted_idle_ns: $0.predictedIdle, measured_idle_ns: $0.measuredIdle, predicted_bubble: $0.predictedBubble,
                      measured_bubble: $0.measuredBubble, bubble_error: $0.bubbleError, busy_error: $0.busyError)
            },
            start_error: distribution(c.absoluteStartError, c.startError), end_error: distribution(c.absoluteEndError, c.endError),
            worst_actions: c.worstActions(worst).map {
                .init(action: $0.action.description, device: $0.device, predicted_start_ns: $0.predictedStart, measured_start_ns: $0.measuredStart,
                      predicted_end_ns: $0.predictedEnd, measured_end_ns: $0.measuredEnd, start_error_ns: $0.startError, end_error_ns: $0.endError)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let text = String(data: try encoder.encode(form), encoding: .utf8) else {
            throw CommandError("could not encode the comparison as UTF-8 JSON")
        }
        return text
    }
}
