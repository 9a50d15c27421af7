import ArgumentParser
import Baseline
import Foundation
import Report
import Schedule
import Store

/// `stagecraft baseline`: cases whose predicted (or measured) step time, bubble and peak memory a CI
/// holds a change to.
struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Save, check and update baselines of schedules' step time, bubble and peak memory for CI.",
        discussion: """
            A baseline is a JSON file of cases (a schedule family or CSV file, devices, micro-batches, chunks, \
            recompute, a cost model inline or as a file, or 'measured' with the MLP for the threaded executor) \
            with their results, meant to be committed next to your code; every save and update is also kept \
            in the database. 'check' exits 0 when every case is within its tolerances, 1 when one regressed, \
            2 when one could not run.
            """,
        subcommands: [Save.self, Check.self, Update.self]
    )

    /// `baseline save NAME --cases FILE`: runs the cases and writes the baseline with their results.
    struct Save: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a list of cases and save their results as baseline NAME.")

        @Argument(help: "The baseline's name.")
        var name: String

        @Option(help: ArgumentHelp("The cases: a baseline file whose cases may lack results (see README, 'Regression tests').", valueName: "file"))
        var cases: String

        @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Baseline file to write (default: NAME.baseline.json).", valueName: "file"))
        var out: String?

        @Option(help: "Results database (SQLite) the baseline is also recorded in.")
        var db: String = "stagecraft.db"

        @Flag(help: "Do not record the baseline in the database.")
        var noRecord = false

        func run() throws {
            var baseline = try BaselineIO.read(cases)
            baseline.name = name
            let directory = URL(fileURLWithPath: cases).deletingLastPathComponent()
            try BaselineIO.fillResults(&baseline, directory: directory, only: nil)
            try BaselineIO.write(baseline, to: out ?? "\(name).baseline.json", db: noRecord ? nil : db)
            print("saved baseline \(name): \(baseline.cases.count) cases to \(out ?? "\(name).baseline.json")")
        }
    }

    /// `baseline check NAME|FILE`: re-runs every case and compares it with its saved results.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Re-run a baseline's cases and compare them with their saved results (exit 0 pass, 1 regression, 2 could not run).")

        @Argument(help: "A baseline file, or the name of one saved in --db.")
        var baseline: String

        @Option(help: ArgumentHelp("Write JUnit XML (Jenkins, GitLab, GitHub test reports) to this file.", valueName: "file"))
        var junit: String?

        @Option(help: ArgumentHelp("Write a Markdown summary (e.g. $GITHUB_STEP_SUMMARY) to this file.", valueName: "file"))
        var summary: String?

        @Option(help: ArgumentHelp("Draw each regressed case's Gantt chart beside its baseline's into this folder (SVG).", valueName: "folder"))
        var charts: String?

        @Flag(help: "List every metric of every case, not only those that moved beyond their tolerance.")
        var all = false

        @Option(help: "Results database (SQLite) a baseline name is looked up in.")
        var db: String = "stagecraft.db"

        func run() throws {
            let saved: BaselineFile, directory: URL
            do {
                (saved, directory) = try BaselineIO.load(baseline, db: db)
            } catch {
                // Could not run at all: status 2, as a case that could not run.
                FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
                throw ExitCode(2)
            }
            let check = BaselineIO.check(saved, directory: directory)
            print(CheckReports.table(check, all: all))
            if let junit { try OutputFile.write(CheckReports.junit(check, hostname: ProcessInfo.processInfo.hostName), to: junit) }
            if let summary { try OutputFile.write(CheckReports.markdown(check), to: summary) }
            if let charts, !check.regressed.isEmpty {
                try BaselineIO.drawCharts(check.regressed.map(\.name), of: saved, directory: directory, into: charts)
                print("charts of the regressed cases in \(charts)")
            }
            if check.exitCode != 0 { throw ExitCode(check.exitCode) }
        }
    }

    /// `baseline update NAME|FILE`: accepts the current results after review.
    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Re-run a baseline's cases and make their current results the baseline.")

        @Argument(help: "A baseline file, or the name of one saved in --db.")
        var baseline: String

        @Option(help: ArgumentHelp("Update only these cases (comma-separated names); default all.", valueName: "name,…"))
        var cases: String?

        @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Baseline file to write (default: the file read, or NAME.baseline.json).", valueName: "file"))
        var out: String?

        @Option(help: "Results database (SQLite) the baseline is looked up and recorded in.")
        var db: String = "stagecraft.db"

        @Flag(help: "Do not record the new version in the database.")
        var noRecord = false

        func run() throws {
            var (saved, directory) = try BaselineIO.load(baseline, db: db)
            let only = cases.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
            if let only, let unknown = only.subtracting(saved.cases.map(\.name)).first {
                throw ValidationError("--cases: baseline \(saved.name) has no case '\(unknown)'; its cases are \(saved.cases.map(\.name).joined(separator: ", "))")
            }
            let before = saved
            try BaselineIO.fillResults(&saved, directory: directory, only: only)
            let path = out ?? (FileManager.default.fileExists(atPath: baseline) ? baseline : "\(saved.name).baseline.json")
            try BaselineIO.write(saved, to: path, db: noRecord ? nil : db)
            let changed = zip(before.cases, saved.cases).filter { $0.results != $1.results }.map(\.0.name)
            print("updated baseline \(saved.name) in \(path): \(changed.isEmpty ? "no results changed" : "new results for " + changed.joined(separator: ", "))")
        }
    }
}
