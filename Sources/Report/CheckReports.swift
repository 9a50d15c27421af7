import Baseline
import Foundation

/// The forms a check is reported in: a text table for people, JUnit XML and Markdown for CI systems.
public enum CheckReports {
    /// One line per metric that moved beyond its tolerance (or every metric with `all`), per case.
    public static func table(_ check: BaselineCheck, all: Bool = false) -> String {
        var rows: [[String]] = []
        for item in check.cases {
            if let error = item.error {
                rows.append([item.name, "-", "-", "-", "-", "could not run: \(error)"])
                continue
            }
            for metric in item.metrics where all || metric.verdict != .pass {
                rows.append([item.name, metric.metric.rawValue, format(metric.baseline, metric.metric), format(metric.current, metric.metric),
                             change(metric), "\(metric.verdict.rawValue) (allowed +\(allowed(metric))" + (item.measuredRuns.map { "; fastest of \($0) runs" } ?? "") + ")"])
            }
        }
        let passed = check.cases.filter { $0.error == nil && !$0.regressed }.count
        var lines = ["baseline \(check.baseline): \(check.cases.count) cases in \(String(format: "%.3f", check.seconds)) s — "
                     + "\(passed) passed, \(check.regressed.count) regressed, \(check.failedToRun.count) could not run"]
        if rows.isEmpty { return lines[0] + "\nnothing moved beyond its tolerance" }
        let header = ["case", "metric", "baseline", "now", "change", "verdict"]
        let widths = header.indices.map { column in rows.reduce(header[column].count) { max($0, $1[column].count) } }
        for row in [header] + rows {
            lines.append(row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  "))
        }
        for item in check.cases where item.regressed && !item.changedCosts.isEmpty {
            lines.append("\(item.name): costs changed since the baseline — " + item.changedCosts.joined(separator: "; "))
        }
        return lines.joined(separator: "\n")
    }

    /// JUnit XML as Jenkins, GitLab and GitHub's test reporters read it: one `testsuite` of one
    /// `testcase` per case; a regression is a `failure`, a case that could not run an `error`.
    public static func junit(_ check: BaselineCheck, timestamp: Date = Date(), hostname: String) -> String {
        let failures = check.regressed.count, errors = check.failedToRun.count
        let time = String(format: "%.3f", check.seconds)
        let stamp = ISO8601DateFormatter().string(from: timestamp)
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="\(MarkupText.escape("stagecraft baseline " + check.baseline))" tests="\(check.cases.count)" failures="\(failures)" errors="\(errors)" time="\(time)">
              <testsuite name="\(MarkupText.escape(check.baseline))" tests="\(check.cases.count)" failures="\(failures)" errors="\(errors)" skipped="0" time="\(time)" timestamp="\(stamp)" hostname="\(MarkupText.escape(hostname))">

            """
        for item in check.cases {
            let opening = "    <testcase classname=\"\(MarkupText.escape("stagecraft.baseline." + check.baseline))\" name=\"\(MarkupText.escape(item.name))\""
            if let error = item.error {
                xml += opening + ">\n      <error type=\"could-not-run\" message=\"\(MarkupText.escape(error))\">\(MarkupText.escape(error))</error>\n    </testcase>\n"
            } else if item.regressed {
                let moved = item.metrics.filter { $0.verdict == .regressed }
                let message = moved.map { "\($0.metric.rawValue) \(change($0)) (allowed +\(allowed($0)))" }.joined(separator: "; ")
                let detail = (item.metrics.map { "\($0.metric.rawValue): \(format($0.baseline, $0.metric)) -> \(format($0.current, $0.metric)) \($0.verdict.rawValue)" }
                    + item.changedCosts.map { "cost changed: \($0)" }).joined(separator: "\n")
                xml += opening + ">\n      <failure type=\"regression\" message=\"\(MarkupText.escape(message))\">\(MarkupText.escape(detail))</failure>\n    </testcase>\n"
            } else {
                xml += opening + "/>\n"
            }
        }
        return xml + "  </testsuite>\n</testsuites>\n"
    }

    /// A Markdown summary (GitHub's job summary, a merge-request comment): the counts, and a table of
    /// what moved.
    public static func markdown(_ check: BaselineCheck) -> String {
        let status = check.exitCode == 0 ? "passed" : check.exitCode == 1 ? "**regressed**" : "**could not run every case**"
        var text = "## Stagecraft baseline `\(check.baseline)`: \(status)\n\n"
        text += "\(check.cases.count) cases, \(check.regressed.count) regressed, \(check.failedToRun.count) could not run, "
            + "\(check.cases.filter(\.improved).count) improved beyond their tolerance.\n"
        let moved = check.cases.flatMap { item in item.metrics.filter { $0.verdict != .pass }.map { (item.name, $0) } }
        if !moved.isEmpty {
            text += "\n| case | metric | baseline | now | change | verdict |\n|---|---|---:|---:|---:|---|\n"
            for (name, metric) in moved {
                text += "| \(cell(name)) | \(metric.metric.rawValue) | \(format(metric.baseline, metric.metric)) | \(format(metric.current, metric.metric)) | \(change(metric)) | \(metric.verdict.rawValue) |\n"
            }
        }
        for item in check.cases where item.regressed && !item.changedCosts.isEmpty {
            text += "\n- `\(cell(item.name))`: costs changed since the baseline — \(cell(item.changedCosts.joined(separator: "; ")))\n"
        }
        for item in check.failedToRun { text += "\n- `\(cell(item.name))` could not run: \(cell(item.error ?? ""))\n" }
        return text
    }

    static func format(_ value: Double, _ metric: Metric) -> String {
        switch metric {
        case .makespan, .iteration: String(format: "%.3f ms", value / 1e6)
        case .bubble: String(format: "%.2f%%", value * 100)
        case .peakMemory: String(format: "%.0f B", value)
        }
    }

    /// The allowance, in points for the bubble ratio.
    static func allowed(_ metric: MetricComparison) -> String {
        metric.metric == .bubble ? String(format: "%.2f pt", metric.allowance * 100) : format(metric.allowance, metric.metric)
    }

    static func change(_ metric: MetricComparison) -> String {
        let sign = metric.change >= 0 ? "+" : "-"
        if metric.metric == .bubble { return sign + String(format: "%.2f pt", abs(metric.change) * 100) }
        let relative = metric.relativeChange.map { " (" + sign + String(format: "%.2f%%", abs($0) * 100) + ")" } ?? ""
        return sign + format(abs(metric.change), metric.metric) + relative
    }

    private static func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
}
