import ArgumentParser
import Foundation
import Report

/// `stagecraft report RUN_A [RUN_B] --out report.html`: one self-contained HTML page.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report of a run, or of a prediction and a measurement side by side.",
        discussion: """
            The page holds the Gantt chart(s) on one time axis (the prediction above the measurement), the \
            summary and per-device tables and, for two runs of the same schedule, the comparison that \
            'stagecraft compare' prints (makespan, per-device bubble and per-action errors). It loads nothing from the network: open it anywhere, offline.
            """)

    @Argument(help: ArgumentHelp("One or two run ids (see 'stagecraft runs'). With two, simulated runs are drawn above executed ones.",
                                 valueName: "run"))
    var runIDs: [Int64] = []

    @Option(name: [.customLong("out"), .customShort("o")], help: "The HTML file to write.")
    var out: String = "report.html"

    @Option(help: "Results database (SQLite) to read.")
    var db: String = "stagecraft.db"

    func validate() throws {
        guard (1...2).contains(runIDs.count) else {
            throw ValidationError("give one run id, or two to set a prediction and a measurement side by side (got \(runIDs.count)); see 'stagecraft runs'")
        }
    }

    func run() throws {
        let runs = try runIDs.map { try RunGraphics.load($0, db: db) }
        // Prediction above measurement; otherwise the order given.
        let ordered = runs.enumerated().sorted { lhs, rhs in
            let left = lhs.element.run.kind == .predicted ? 0 : 1, right = rhs.element.run.kind == .predicted ? 0 : 1
            return (left, lhs.offset) < (right, rhs.offset)
        }.map(\.element)
        // Two runs of the same schedule: the first (the prediction, when there is one) against the second.
        var comparison: TimelineComparison?
        if ordered.count == 2 {
            comparison = try? RunComparison(predicted: ordered[0].timeline, measured: ordered[1].timeline).summary
        }
        let html: String
        do {
            html = try HTMLReport(ordered, comparison: comparison).render()
        } catch {
            throw CommandError(error.description)
        }
        try OutputFile.write(html, to: out)
        print(URL(fileURLWithPath: out).standardizedFileURL.path)
    }
}
