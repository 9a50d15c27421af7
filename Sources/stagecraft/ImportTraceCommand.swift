import ArgumentParser
import Foundation
import Schedule
import Store
import TraceImport

/// `stagecraft import-trace RANK0.json RANK1.json …`: a PyTorch pipeline run, from its ranks'
/// `torch.profiler` traces, recorded as an executed run.
struct ImportTraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-trace",
        abstract: "Record a PyTorch pipeline run from its ranks' torch.profiler Chrome traces as an executed run.",
        discussion: """
            Reads the actions of torch.distributed.pipelining from the 'PP:<action>' ranges of its \
            multi-stage runtime (or GPipe's 'Forward i'/'Backward i'), one ProfilerStep per iteration, \
            validates the schedule they imply like a schedule file, puts the ranks on one clock (shared on \
            one host; aligned from the schedule's waits across hosts, with the uncertainty printed) and \
            records the typical iteration and the spread of the steps, as 'run' does. Then 'compare', \
            'report', 'show' and 'calibrate --from-run' work on it like on any measured run.
            """)

    @Argument(help: ArgumentHelp("The trace files of every rank (prof.export_chrome_trace), any order: the rank is read from the file. "
                                 + "A rank may have several (profiling windows of one run, e.g. torch.profiler's schedule with repeat); "
                                 + "their steps are taken together.", valueName: "trace.json"))
    var files: [String]

    @Option(help: "The schedule's name in the database (default: the first file's name up to '_rank').")
    var name: String?

    @Option(help: "Results database (SQLite) the run is recorded in.")
    var db: String = "stagecraft.db"

    @Flag(help: "Print the imported run as JSON (schedule, iterations, spread, clock alignment).")
    var json = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give the trace file of every rank") }
    }

    func run() throws {
        for file in files { try checkInputFile(file) }
        let traces: [ProfilerTrace]
        let imported: PyTorchTraceImport
        let scheduleName = name ?? Self.defaultName(files[0])
        do {
            traces = try files.map { path throws(TraceImportError) in try ProfilerTrace(path: path) }
            imported = try PyTorchTraceImport(traces: traces, name: scheduleName)
        } catch {
            throw CommandError(error.description)
        }
        let schedule = imported.schedule
        let summary = MeasuredIterations(imported.iterations)
        let spread = summary.spread
        let config = TraceConfig(source: "torch.profiler trace", files: files, format: imported.format, steps: imported.iterations.count,
                                 clockOffsetsNs: imported.offsets, clockUncertaintyNs: imported.offsetUncertainty,
                                 waitsInside: imported.waitsInside, idleStarts: imported.idleStarts, skipped: imported.skipped, hosts: traces.compactMap(\.host))
        let configJSON = try CommandText.json(config, what: "the import's configuration")
        let store = try CommandText.store { () throws(StoreError) in try RunStore(path: db) }
        let runID = try CommandText.store { () throws(StoreError) in
            let id = try store.beginRun(NewRun(kind: .executed, schedule: schedule, configJSON: configJSON,
                                               host: Set(traces.compactMap(\.host)).sorted().joined(separator: ", "),
                                               toolVersion: StagecraftVersion.current))
            try store.completeRun(id: id, timeline: summary.typical, measurement: StoredMeasurement(spread: spread, timeline: "typical"))
            return id
        }
        if json {
            struct Output: Encodable {
                let run_id: Int64
                let database: String
                let schedule: ScheduleJSON
                let import_: TraceConfig
                let makespan_ns: Spread
                let typical_makespan_ns: Int64
                enum CodingKeys: String, CodingKey { case run_id, database, schedule, import_ = "import", makespan_ns, typical_makespan_ns }
            }
            print(try CommandText.json(Output(run_id: runID, database: db, schedule: ScheduleJSON(schedule, skipped: imported.skipped),
                                              import_: config, makespan_ns: spread.makespan, typical_makespan_ns: summary.typical.makespan),
                                       what: "the import"))
            return
        }
        let m = spread.makespan
        print("\(scheduleName): \(schedule.deviceCount) ranks, \(schedule.stageCount) stages, \(schedule.microbatchCount) micro-batches, "
              + "\(schedule.actions.count) actions from \(imported.format); \(imported.iterations.count) profiled step(s)")
        print(imported.offsetUncertainty.map { "clocks aligned from the schedule's waits: offsets \(imported.offsets.map { CommandText.duration($0) }.joined(separator: ", ")), uncertainty ±\(CommandText.duration($0))" }
              ?? "clocks: one host's (\(Set(traces.compactMap(\.host)).sorted().joined(separator: ", "))), shared by every rank")
        if imported.idleStarts > 0 {
            print("\(imported.idleStarts) action range(s) waited before their first operator (PyTorch waits for a posted receive inside "
                  + "the action): their start is taken as the first operator's")
        }
        if imported.waitsInside > 0 {
            print("\(imported.waitsInside) range(s) began before their input from another rank was ready (PyTorch times the wait inside "
                  + "the action): their start is taken as the moment the input was ready")
        }
        print(String(format: "steps: %d of %d kept, makespan median %@, quartiles %@–%@; typical iteration %@, bubble ratio %.1f%%",
                     spread.kept, spread.iterations, CommandText.duration(Int64(m.median)), CommandText.duration(Int64(m.q1)),
                     CommandText.duration(Int64(m.q3)), CommandText.duration(summary.typical.makespan), summary.typical.bubbleRatio * 100))
        for (kind, count) in imported.skipped.sorted(by: { $0.key < $1.key }) { print("  skipped \(count) \(kind) range(s)") }
        print("recorded executed run \(runID) in \(db)")
    }

    /// `…/Interleaved1F1B_p2_m4_rank0.json` → `Interleaved1F1B_p2_m4`.
    static func defaultName(_ path: String) -> String {
        let base = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return base.range(of: "_rank").map { String(base[..<$0.lowerBound]) } ?? base
    }
}

/// What `import-trace` stores as the run's configuration.
struct TraceConfig: Encodable {
    let source: String
    let files: [String]
    let format: String
    let steps: Int
    let clockOffsetsNs: [Int64]
    let clockUncertaintyNs: Int64?
    let waitsInside: Int
    let idleStarts: Int
    let skipped: [String: Int]
    let hosts: [String]
}
