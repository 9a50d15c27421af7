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
