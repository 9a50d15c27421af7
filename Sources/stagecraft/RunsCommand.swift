import ArgumentParser
import Store

/// `stagecraft runs`: the recorded runs, newest first.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List the runs in the results database, newest first.",
        discussion: "A run left 'running' by a process that died is shown as 'interrupted'.")

    @Option(help: "Results database (SQLite) to read.")
    var db: String = "stagecraft.db"

    @Option(help: "Only runs of this kind: simulated or executed.")
    var kind: String?

    @Option(help: "Only runs of this schedule (e.g. 1f1b, chimera, or an imported file's name).")
    var schedule: String?

    @Option(help: "Show at most this many runs.")
    var limit: Int = 20

    @Flag(help: "Print {\"database\", \"runs\": [...]} as JSON instead of a table (shape in README.md, \"JSON output\").")
    var json = false

    func validate() throws {
        if let kind, RunKind(rawValue: kind) == nil {
            throw ValidationError("unknown kind '\(kind)'; use simulated or executed")
        }
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let filter = RunFilter(kind: kind.flatMap(RunKind.init(rawValue:)), schedule: schedule, limit: limit)
        let runs = try CommandText.store { () throws(StoreError) in try RunStore(readingFrom: db).runs(filter) }
        if json {
            print(try CommandText.json(RunRecordJSON.Listing(database: db, runs: runs.map(RunRecordJSON.Run.init)), what: "the runs"))
            return
        }
        guard !runs.isEmpty else {
            print("no runs in \(db)\(kind != nil || schedule != nil ? " match the filters" : "")")
            return
        }
        let rows = runs.map { run in
            [String(run.id), run.kind.rawValue, run.schedule, String(run.devices), String(run.microbatches), String(run.chunks),
             run.status.rawValue, CommandText.duration(run.makespanNs), CommandText.percent(run.bubbleRatio), run.createdAt]
        }
        print(CommandText.table(["ID", "KIND", "SCHEDULE", "DEVICES", "MICROBATCHES", "CHUNKS", "STATUS", "MAKESPAN", "BUBBLE", "CREATED (UTC)"],
                            rows, rightAligned: [0, 3, 4, 5, 7, 8]))
    }
}
