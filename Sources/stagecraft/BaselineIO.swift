import ArgumentParser
import Baseline
import Foundation
import Report
import Schedule
import Simulator
import Store

/// What the `baseline` subcommands share: reading a baseline from a file or the database, running its
/// cases (simulated here, measured by `stagecraft run` in a child process), writing it back.
enum BaselineIO {
    /// Reads a baseline file; a bad one is an error naming the file and the problem.
    static func read(_ path: String) throws -> BaselineFile {
        do { return try BaselineFile.read(path) } catch { throw CommandError(error.description) }
    }

    /// A baseline from `reference`: a file when one exists there, else the latest version saved under that
    /// name in `db`. Returns it with the folder its relative paths resolve against.
    static func load(_ reference: String, db: String) throws -> (BaselineFile, URL) {
        if FileManager.default.fileExists(atPath: reference) {
            return (try read(reference), URL(fileURLWithPath: reference).deletingLastPathComponent())
        }
        guard FileManager.default.fileExists(atPath: db) else {
            throw CommandError("\(reference): no such baseline file, and no database \(db) to look the name up in")
        }
        let content: String?
        do { content = try RunStore(readingFrom: db).latestBaseline(name: reference) } catch {
            throw CommandError(CommandText.naming(db, error))
        }
        guard let content else {
            throw CommandError("\(reference): no such baseline file, and no baseline of that name in \(db); save one with 'stagecraft baseline save \(reference) --cases FILE'")
        }
        do {
            return (try BaselineFile.decode(Data(content.utf8), file: "baseline \(reference) in \(db)"),
                    URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        } catch {
            throw CommandError(error.description)
        }
    }

    /// Runs the cases (those named in `only`, or all) and stores their results in the baseline. Measured
    /// cases run twice their rounds, so the saved fastest run is the machine's undisturbed speed.
    static func fillResults(_ baseline: inout BaselineFile, directory: URL, only: Set<String>?) throws {
        let chosen = baseline.cases.indices.filter { only?.contains(baseline.cases[$0].name) ?? true }
        let measured = measureRounds(chosen.map { baseline.cases[$0] }.filter { $0.measured != nil }, directory: directory, factor: 2)
        for index in chosen {
            let item = baseline.cases[index]
            do {
                if item.measured != nil {
                    guard let result = measured[item.name] else { throw BaselineError.caseFailed(item.name, "it was not measured") }
                    baseline.cases[index].results = CaseResults(summarizing: try result.get())
                } else {
                    baseline.cases[index].results = try CaseRunner.simulate(item, directory: directory).results
                }
            } catch {
                throw CommandError("\(error)")
            }
        }
    }

    /// Extra batches of rounds a measured case that looks regressed gets before the verdict stands.
    static let confirmationBatches = 3

    /// Checks every case against its saved results; a case without results, or one that fails to run,
    /// is an error of that case. A measured case that looks regressed is measured again, up to
    /// `confirmationBatches` more times its rounds, and judged on all its runs: this machine's
    /// disturbances come in bursts of seconds to a minute, a regression stays.
    static func check(_ baseline: BaselineFile, directory: URL) -> BaselineCheck {
        let started = DispatchTime.now().uptimeNanoseconds
        let measuredCases = baseline.cases.filter { $0.measured != nil && $0.results != nil }
        var measured = measureRounds(measuredCases, directory: directory)
        func comparison(_ item: BaselineCase, _ saved: CaseResults) throws(BaselineError) -> CaseComparison {
            guard let result = measured[item.name] else { throw BaselineError.caseFailed(item.name, "it was not measured") }
            let runs = try result.get()
            var compared = CaseComparison.compare(name: item.name, baseline: saved, current: CaseResults(summarizing: runs)) { baseline.tolerance($0, for: item) }
            compared.measuredRuns = runs.count
            return compared
        }
        for _ in 0..<confirmationBatches {
            let suspects = measuredCases.filter { item in item.results.flatMap { try? comparison(item, $0) }?.regressed ?? false }
            if suspects.isEmpty { break }
            for (name, more) in measureRounds(suspects, directory: directory) {
                measured[name] = measured[name].map { earlier in Result { () throws(BaselineError) in try earlier.get() + more.get() } } ?? more
            }
        }
        let cases = baseline.cases.map { item -> CaseComparison in
            guard let saved = item.results else {
                return CaseComparison(name: item.name, metrics: [], error: "it has no saved results; run 'stagecraft baseline update' on the file")
            }
            do throws(BaselineError) {
                if item.measured != nil { return try comparison(item, saved) }
                let simulated = try CaseRunner.simulate(item, directory: directory)
                var compared = CaseComparison.compare(name: item.name, baseline: saved, current: simulated.results) { baseline.tolerance($0, for: item) }
                if let old = saved.costModel { compared.changedCosts = CostChanges.between(old, simulated.costModel) }
                return compared
            } catch {
                return CaseComparison(name: item.name, metrics: [], error: error.description)
            }
        }
        return BaselineCheck(baseline: baseline.name, cases: cases, seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }

    /// Writes the baseline's stable text to `path` and, unless `db` is nil, records it there.
    static func write(_ baseline: BaselineFile, to path: String, db: String?) throws {
        let data: Data
        do { data = try baseline.encoded() } catch { throw CommandError(error.description) }
        let text = String(decoding: data, as: UTF8.self)
        try OutputFile.write(text, to: path)
        if let db {
            do {
                _ = try RunStore(path: db).recordBaseline(name: baseline.name, content: text, host: RunStore.hostDescription(),
                                                          toolVersion: StagecraftVersion.current)
            } catch {
                throw CommandError(CommandText.naming(db, error))
            }
        }
    }

    /// For each named simulated case: its baseline's timeline (from the costs saved with it) above its
    /// current one, as `<folder>/<case>.svg`.
    static func drawCharts(_ names: [String], of baseline: BaselineFile, directory: URL, into folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for item in baseline.cases where names.contains(item.name) && item.measured == nil {
            do {
                let current = try CaseRunner.simulate(item, directory: directory)
                var charts = [RunTimeline(current.simulation.timeline, kind: .predicted)]
                if let old = item.results?.costModel, let before = try? Simulator(costModel: old).run(current.schedule) {
                    charts.insert(RunTimeline(before.timeline, kind: .predicted), at: 0)
                }
                let svg = try GanttSVG(charts).render()
                let file = item.name.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }
                try OutputFile.write(svg, to: URL(fileURLWithPath: folder).appendingPathComponent(String(file) + ".svg").path)
            } catch {
                throw CommandError("case '\(item.name)': cannot draw its chart: \(error)")
            }
        }
    }

    /// Runs every measured case `factor` × its rounds (default 5) times, the cases taking turns round by
    /// round, each run a fresh `stagecraft run` process; returns each case's runs, or why it failed.
    static func measureRounds(_ items: [BaselineCase], directory: URL, factor: Int = 1) -> [String: Result<[CaseResults], BaselineError>] {
        var runs: [String: [CaseResults]] = [:], failures: [String: BaselineError] = [:]
        let rounds = { (item: BaselineCase) in factor * (item.measured?.rounds ?? 5) }
        for round in 0..<(items.map(rounds).max() ?? 0) {
            for item in items where failures[item.name] == nil && round < rounds(item) {
                guard let setup = item.measured else { continue }
                do { runs[item.name, default: []].append(try measure(item, setup, directory: directory)) } catch { failures[item.name] = error }
            }
        }
        var results: [String: Result<[CaseResults], BaselineError>] = failures.mapValues { .failure($0) }
        for (name, list) in runs where failures[name] == nil { results[name] = .success(list) }
        return results
    }

    /// One run of a measured case: `stagecraft run` in a child process (the threaded executor and its
    /// measurement protocol: the first iteration discarded as cold, disturbed ones as `run` says), its
    /// typical makespan.
    static func measure(_ item: BaselineCase, _ setup: MeasuredSetup, directory: URL) throws(BaselineError) -> CaseResults {
        var arguments = ["run", "--no-record", "--json", "--layers", String(setup.layers), "--hidden", String(setup.hidden),
                         "--batch", String(setup.batch), "--iterations", String(setup.iterations ?? 20)]
        if let family = item.schedule {
            arguments += ["--schedule", family, "--devices", String(item.devices ?? 0), "--microbatches", String(item.microbatches ?? 0)]
            if let chunks = item.chunks { arguments += ["--chunks", String(chunks)] }
        } else if let file = item.file {
            arguments += ["--file", file.hasPrefix("/") ? file : directory.appendingPathComponent(file).path]
        }
        if item.recompute == true { arguments.append("--recompute") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { throw .caseFailed(item.name, "cannot start stagecraft run: \(error.localizedDescription)") }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw .caseFailed(item.name, "stagecraft run failed: " + (message.split(separator: "\n").last.map(String.init) ?? "exit \(process.terminationStatus)"))
        }
        struct RunOutput: Decodable {
            struct Measurement: Decodable {
                struct Spread: Decodable { let median: Double }
                let makespan_ns: Spread
                let recorded_bubble_ratio: Double
                let peak_memory_bytes: [Int64]
            }
            let measurement: Measurement
        }
        guard let run = try? JSONDecoder().decode(RunOutput.self, from: data) else {
            throw .caseFailed(item.name, "stagecraft run printed no measurement")
        }
        return CaseResults(makespanNs: Int64(run.measurement.makespan_ns.median.rounded()), iterationNs: nil,
                           bubbleRatio: run.measurement.recorded_bubble_ratio, peakMemoryBytes: run.measurement.peak_memory_bytes.max() ?? 0)
    }
}
