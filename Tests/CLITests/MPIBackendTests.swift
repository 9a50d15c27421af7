import Foundation
import Testing

// `run --backend mpi`: one process per device under mpirun (started by stagecraft itself), against the
// threaded executor with the same seed. The losses of every iteration depend on every gradient and every
// SGD step, so equal losses bit for bit mean equal training.

private func losses(_ workspace: Workspace, _ arguments: [String]) throws -> [Double] {
    let output = try workspace.json(arguments)
    return (output["iterations"] as? [[String: Any]] ?? []).compactMap { ($0["loss"] as? NSNumber)?.doubleValue }
}

@Test(arguments: [
    ["--schedule", "1f1b", "--devices", "2", "--microbatches", "4"],
    ["--schedule", "gpipe", "--devices", "3", "--microbatches", "6", "--recompute"],
    ["--schedule", "interleaved", "--devices", "2", "--microbatches", "4", "--chunks", "2"],
    ["--schedule", "chimera", "--devices", "4", "--microbatches", "8"],
    ["--schedule", "zb-h2", "--devices", "4", "--microbatches", "8"],
    ["--schedule", "zb-v", "--devices", "2", "--microbatches", "4"],
    ["--schedule", "dualpipev", "--devices", "2", "--microbatches", "4"],
    ["--schedule", "looped-bfs", "--devices", "3", "--microbatches", "6", "--chunks", "2"],
])
func mpiBackendTrainsExactlyAsTheThreadedOne(_ schedule: [String]) throws {
    let workspace = try Workspace()
    let common = ["run"] + schedule + ["--layers", "8", "--hidden", "16", "--batch", "24", "--iterations", "3", "--json"]
    let threaded = try losses(workspace, common + ["--no-record"])
    let mpi = try losses(workspace, common + ["--backend", "mpi", "--db", "m.db"])
    #expect(threaded.count == 3 && mpi == threaded, "\(schedule)")
    // Rank 0 recorded one executed run; the others wrote nothing.
    let runs = try workspace.succeed(["query", "SELECT count(*), min(kind), min(status) FROM runs", "--db", "m.db", "--csv"])
    #expect(runs.stdout == "count(*),min(kind),min(status)\n1,executed,completed\n")
}

@Test(arguments: [
    ("1F2@2:error", "rank 1: device 1 failed at 1F2 in iteration 1: injected error"),
    ("1F2@2:exit", "exited"),
    ("1F2@2:stall", "stalled: rank"),
])
func aFailingRankEndsTheWholeJob(drill: String, message: String) throws {
    let workspace = try Workspace()
    let finished = try workspace.run("stagecraft", ["run", "--backend", "mpi", "--schedule", "1f1b", "--devices", "2", "--microbatches", "4",
                                                    "--layers", "2", "--hidden", "16", "--batch", "8", "--iterations", "3",
                                                    "--inject-fault", drill, "--stall-timeout", "2", "--db", "f.db"], deadline: 90)
    #expect(!finished.timedOut, "hung: \(finished)")
    #expect(finished.status.map { $0 != 0 } == true, "\(finished)")
    #expect((finished.stderr + finished.stdout).contains(message), "\(finished)")
    // Rank 0 was killed mid-run: its run reads as interrupted, never completed.
    let runs = try workspace.succeed(["query", "SELECT count(*) FROM runs WHERE status = 'completed'", "--db", "f.db", "--csv"])
    #expect(runs.stdout == "count(*)\n0\n")
    let shown = try workspace.succeed(["runs", "--db", "f.db"])
    #expect(shown.stdout.contains("interrupted"), "\(shown)")
}
