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
        ]
        if let spread = c.spread {
            lines.append(Self.noiseLine(c, spread))
        } else {
            lines.append("              (one measured iteration: no spread to set the error against)")
        }
        lines.append(String(format: "bubble ratio  predicted %.2f%%  measured %.2f%%  error %@", c.predicted.bubbleRatio * 100,
                            c.measured.bubbleRatio * 100, Self.points(c.bubbleError)))
        lines.append("")
        var header = ["device", "busy pred", "busy meas", "busy err", "idle pred", "idle meas", "bubble pred", "bubble meas", "bubble err"]
        if c.spread != nil { header += ["busy IQR", "bubble IQR", "bubble in noise"] }
        let rows = c.devices.map { d in
            var row = [String(d.device), Self.ms(d.predictedBusy), Self.ms(d.measuredBusy), Self.percent(d.busyError),
                       Self.ms(d.predictedIdle), Self.ms(d.measuredIdle), String(format: "%.2f%%", d.predictedBubble * 100),
                       String(format: "%.2f%%", d.measuredBubble * 100), Self.points(d.bubbleError)]
            if let spread = c.spread {
                let busy = spread.busy[d.device], bubble = spread.bubble[d.device]
                row += [String(format: "±%.2f%%", busy.relativeIQR * 50),
                        String(format: "%.2f–%.2f%%", bubble.q1 * 100, bubble.q3 * 100),
                        c.bubbleWithinNoise(device: d.device) == true ? "yes" : "no"]
            }
            return row
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
        if let spread = c.spread, let inside = c.startWithinNoise {
            let widths = spread.startQ1.indices.map { spread.startQ3[$0] - spread.startQ1[$0] }.sorted()
            let medianWidth = widths.isEmpty ? 0 : widths[widths.count / 2]
            lines.append(String(format: "per-action noise: a measured start varies by %@ (median IQR, %.2f%% of the makespan); "
                                + "%.0f%% of predicted starts lie within their measured quartiles",
                                Self.ms(medianWidth), c.ofMakespan(medianWidth) * 100, inside * 100))
        }
        lines.append("")
        lines.append("worst actions:")
        let worstRows = c.worstActions(worst).map { a in
            [a.action.description, String(a.device), Self.ms(a.predictedStart), Self.ms(a.measuredStart), Self.signed(a.startError),
             Self.signed(a.endError), Self.signed(a.durationError)]
        }
        lines.append(CommandText.numberTable(["action", "device", "start pred", "start meas", "start err", "end err", "duration err"], worstRows))
        return lines.joined(separator: "\n")
    }

    /// The measured spread of the makespan and whether the prediction lies inside it.
    private static func noiseLine(_ c: RunComparison, _ spread: MeasurementSpread) -> String {
        let m = spread.makespan
        let verdict: String
        if c.makespanWithinNoise == true {
            verdict = "within the noise (inside the measured quartiles)"
        } else {
            let predicted = Double(c.predictedMakespan)
            let beyond = predicted > m.q3 ? (predicted - m.q3) / m.median : (m.q1 - predicted) / m.median
            verdict = String(format: "outside the noise: %.2f%% %@ the measured quartiles", beyond * 100, predicted > m.q3 ? "above" : "below")
        }
        return String(format: "              measured iterations: %d of %d kept, median %@, quartiles %@–%@ (IQR ±%.2f%%), 95%% CI of the median %@–%@; %@",
                      spread.kept, spread.iterations, Self.ms(Int64(m.median.rounded())), Self.ms(Int64(m.q1.rounded())),
                      Self.ms(Int64(m.q3.rounded())), m.relativeIQR * 50, Self.ms(Int64(m.ciLow.rounded())),
                      Self.ms(Int64(m.ciHigh.rounded())), verdict)
    }

    /// The JSON shape of a comparison (also the `comparison` of `run --predict --json`).
    struct JSONForm: Encodable {
        struct Distribution: Encodable {
            let median_ns, p90_ns, max_ns: Int64
            let median_of_makespan: Double
            let signed_mean_ns: Double
        }
        struct Device: Encodable {
            let device: Int
            let predicted_busy_ns, measured_busy_ns, predicted_idle_ns, measured_idle_ns: Int64
            let predicted_bubble, measured_bubble, bubble_error, busy_error: Double
            let measured_busy_spread, measured_bubble_spread: Spread?
            let bubble_within_noise: Bool?
        }
        struct Noise: Encodable {
            let iterations, kept: Int
            let makespan_ns: Spread
            let makespan_within_noise: Bool
            let start_within_noise: Double
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
        let measured_spread: Noise?
    }

    /// The comparison as pretty-printed JSON (ratios as fractions, times in ns; errors predicted − measured).
    func json(worst: Int = 5) throws -> String {
        try CommandText.json(form(worst: worst), what: "the comparison")
    }

    /// The comparison in its JSON shape.
    func form(worst: Int = 5) -> JSONForm {
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
                      measured_bubble: $0.measuredBubble, bubble_error: $0.bubbleError, busy_error: $0.busyError,
                      measured_busy_spread: c.spread?.busy[$0.device], measured_bubble_spread: c.spread?.bubble[$0.device],
                      bubble_within_noise: c.bubbleWithinNoise(device: $0.device))
            },
            start_error: distribution(c.absoluteStartError, c.startError), end_error: distribution(c.absoluteEndError, c.endError),
            worst_actions: c.worstActions(worst).map {
                .init(action: $0.action.description, device: $0.device, predicted_start_ns: $0.predictedStart, measured_start_ns: $0.measuredStart,
                      predicted_end_ns: $0.predictedEnd, measured_end_ns: $0.measuredEnd, start_error_ns: $0.startError, end_error_ns: $0.endError)
            },
            measured_spread: c.spread.map {
                .init(iterations: $0.iterations, kept: $0.kept, makespan_ns: $0.makespan, makespan_within_noise: c.makespanWithinNoise ?? false,
                      start_within_noise: c.startWithinNoise ?? 0)
            })
        return form
    }
}
