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

    /// Runs the cases (those named in `only`, or all) and stores their results in the baseline.
    static func fillResults(_ baseline: inout BaselineFile, directory: URL, only: Set<String>?) throws {
        let chosen = baseline.cases.indices.filter { only?.contains(baseline.cases[$0].name) ?? true }
        let measured = measureAll(chosen.map { baseline.cases[$0] }.filter { $0.measured != nil }, directory: directory)
        for index in chosen {
            let item = baseline.cases[index]
            do {
                if item.measured != nil {
                    guard let result = measured[item.name] else { throw BaselineError.caseFailed(item.name, "it was not measured") }
                    baseline.cases[index].results = try result.get()
                } else {
                    baseline.cases[index].results = try CaseRunner.simulate(item, directory: directory).results
                }
            } catch {
                throw CommandError("\(error)")
            }
        }
    }

    /// Checks every case against its saved results; a case without results, or one that fails to run,
    /// is an error of that case.
    static func check(_ baseline: BaselineFile, directory: URL) -> BaselineCheck {
        let started = DispatchTime.now().uptimeNanoseconds
        let measured = measureAll(baseline.cases.filter { $0.measured != nil && $0.results != nil }, directory: directory)
        let cases = baseline.cases.map { item -> CaseComparison in
            guard let saved = item.results else {
                return CaseComparison(name: item.name, metrics: [], error: "it has no saved results; run 'stagecraft baseline update' on the file")
            }
            do throws(BaselineError) {
                let current: CaseResults
                var changed: [String] = []
                if item.measured != nil {
                    guard let result = measured[item.name] else { throw BaselineError.caseFailed(item.name, "it was not measured") }
                    current = try result.get()
                } else {
                    let simulated = try CaseRunner.simulate(item, directory: directory)
                    current = simulated.results
                    if let old = saved.costModel { changed = CostChanges.between(old, simulated.costModel) }
                }
                var comparison = CaseComparison.compare(name: item.name, baseline: saved, current: current) { baseline.tolerance($0, for: item) }
                comparison.changedCosts = changed
                return comparison
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

    /// The measured cases' results. This machine's speed moves by 10–30% for stretches of seconds, longer
    /// than one run, so each case runs `rounds` times (default 5), the cases taking turns round by round
    /// in fresh processes, and every round also times a speed probe: the same MLP on one device, one
    /// micro-batch (pure compute, no schedule), as many at once as the case has devices (the slowest
    /// counts). Each run's typical makespan is divided by its round's
    /// probe and multiplied by the probe of `reference` (the baseline's, when checking; this
    /// measurement's median otherwise), so a slow phase of the machine scales both and cancels; the result
    /// is the median over the rounds with their quartiles (and the median bubble, the peak memory).
    static func measureAll(_ items: [BaselineCase], directory: URL) -> [String: Result<CaseResults, BaselineError>] {
        struct Setup: Hashable { let layers, hidden, batch, iterations, devices: Int }
        func setup(of item: BaselineCase) -> Setup? {
            item.measured.map { Setup(layers: $0.layers, hidden: $0.hidden, batch: $0.batch, iterations: $0.iterations ?? 20, devices: item.devices ?? 1) }
        }
        var runs: [String: [(run: CaseResults, probe: Int64)]] = [:], probes: [Setup: [Int64]] = [:]
        var failures: [String: BaselineError] = [:]
        let rounds = items.map { $0.measured?.rounds ?? 5 }.max() ?? 0
        for round in 0..<rounds {
            var probe: [Setup: Result<Int64, BaselineError>] = [:]
            for item in items where failures[item.name] == nil && round < (item.measured?.rounds ?? 5) {
                guard let measured = item.measured, let key = setup(of: item) else { continue }
                if probe[key] == nil {
                    // As many single-device runs at once as the case has devices: the machine as the
                    // case's device threads find it, cores shared with whatever else runs included.
                    let reference = BaselineCase(name: "\(item.name) (speed probe)", schedule: "gpipe", devices: 1, microbatches: 1, measured: measured)
                    probe[key] = Result { () throws(BaselineError) in
                        let started = try (0..<max(key.devices, 1)).map { _ throws(BaselineError) in try start(reference, measured, directory: directory) }
                        var slowest: Int64 = 0
                        for running in started { slowest = max(slowest, try finish(running).makespanNs) }
                        return slowest
                    }
                    if case let .success(time) = probe[key] { probes[key, default: []].append(time) }
                }
                do {
                    guard let time = try probe[key]?.get() else { continue }
                    runs[item.name, default: []].append((try measure(item, measured, directory: directory), time))
                } catch {
                    failures[item.name] = error
                }
            }
        }
        var results: [String: Result<CaseResults, BaselineError>] = failures.mapValues { .failure($0) }
        for item in items where failures[item.name] == nil {
            guard let list = runs[item.name], !list.isEmpty, let key = setup(of: item), let probeRuns = probes[key] else { continue }
            let speed = item.results?.speedProbeNs ?? Int64(quantile(probeRuns.map(Double.init), 0.5).rounded())
            let makespans = list.map { Double($0.run.makespanNs) / Double(max($0.probe, 1)) * Double(speed) }
            let bubbles = list.map(\.run.bubbleRatio)
            results[item.name] = .success(CaseResults(
                makespanNs: Int64(quantile(makespans, 0.5).rounded()), iterationNs: nil, bubbleRatio: quantile(bubbles, 0.5),
                peakMemoryBytes: list.map(\.run.peakMemoryBytes).max() ?? 0, makespanQ1Ns: Int64(quantile(makespans, 0.25).rounded()),
                makespanQ3Ns: Int64(quantile(makespans, 0.75).rounded()), speedProbeNs: speed))
        }
        return results
    }

    /// The `q` quantile of `values` (linear between neighbours); `values` must not be empty.
    private static func quantile(_ values: [Double], _ q: Double) -> Double {
        let sorted = values.sorted()
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = Int(position.rounded(.up))
        return sorted[low] + (position - Double(low)) * (sorted[high] - sorted[low])
    }

    /// One run of a measured case: `stagecraft run` in a child process (the threaded executor and its
    /// measurement protocol: the first iteration discarded as cold, disturbed ones as `run` says), its
    /// typical makespan.
    static func measure(_ item: BaselineCase, _ setup: MeasuredSetup, directory: URL) throws(BaselineError) -> CaseResults {
        try finish(try start(item, setup, directory: directory))
    }

    /// A measured case's `stagecraft run`, started.
    struct RunningCase {
        let name: String
        let process: Process
        let output: Pipe
        let errors: Pipe
    }

    static func start(_ item: BaselineCase, _ setup: MeasuredSetup, directory: URL) throws(BaselineError) -> RunningCase {
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
        return RunningCase(name: item.name, process: process, output: output, errors: errors)
    }

    /// Waits for a started run and reads its typical makespan, bubble and peak memory.
    static func finish(_ running: RunningCase) throws(BaselineError) -> CaseResults {
        let process = running.process
        let data = running.output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: running.errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw .caseFailed(running.name, "stagecraft run failed: " + (message.split(separator: "\n").last.map(String.init) ?? "exit \(process.terminationStatus)"))
        }
        struct RunOutput: Decodable {
            struct Measurement: Decodable {
                struct Spread: Decodable { let median, q1, q3: Double }
                let makespan_ns: Spread
                let recorded_bubble_ratio: Double
                let peak_memory_bytes: [Int64]
            }
            let measurement: Measurement
        }
        guard let run = try? JSONDecoder().decode(RunOutput.self, from: data) else {
            throw .caseFailed(running.name, "stagecraft run printed no measurement")
        }
        let spread = run.measurement.makespan_ns
        return CaseResults(makespanNs: Int64(spread.median.rounded()), iterationNs: nil, bubbleRatio: run.measurement.recorded_bubble_ratio,
                           peakMemoryBytes: run.measurement.peak_memory_bytes.max() ?? 0, makespanQ1Ns: Int64(spread.q1.rounded()),
                           makespanQ3Ns: Int64(spread.q3.rounded()))
    }
}
