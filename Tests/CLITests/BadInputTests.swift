import Foundation
import TestSupport
import Testing

// Bad command lines and files across every command: each must end with a clear message on standard error,
// a non-zero exit (no crash, no hang), and the database exactly as it was.

/// One bad invocation: run in a fresh copy of the fixture folder, with `database` the file that must not change.
struct BadInput: Sendable, CustomTestStringConvertible {
    let arguments: [String]
    /// Part of the expected message.
    let message: String
    var database = "good.db"
    var environment: [String: String] = [:]

    init(_ command: String, _ message: String, database: String = "good.db") {
        arguments = BadInput.split(command)
        self.message = message
        self.database = database
    }

    var testDescription: String { arguments.joined(separator: " ") }

    /// Splits on spaces, keeping 'single-quoted' words together.
    private static func split(_ command: String) -> [String] {
        var words: [String] = [], word = "", quoted = false
        for character in command {
            if character == "'" { quoted.toggle(); continue }
            if character == " " && !quoted {
                if !word.isEmpty { words.append(word) }
                word = ""
            } else {
                word.append(character)
            }
        }
        if !word.isEmpty { words.append(word) }
        return words
    }
}

private let oneFOneB = "--schedule 1f1b --devices 2 --microbatches 4"
private let tinyModel = "--layers 2 --hidden 16 --batch 8"

let badInputs: [BadInput] = [
    // tune: an empty space, a budget no candidate meets, costs that do not fit the devices.
    BadInput("tune --devices 4 --forward 1ms --db good.db", "--microbatches 8,16,32"),
    BadInput("tune --devices 4 --microbatches 8 --families nope --db good.db", "not a schedule family"),
    BadInput("tune --devices 4 --microbatches 0 --db good.db", "at least 1"),
    BadInput("tune --devices 4 --microbatches 8 --uncertainty 3 --db good.db", "'uncertainty' (--uncertainty) is 3.0, above 1"),
    BadInput("tune --devices 4 --microbatches 8 --uncertainty lots --db good.db", "give a fraction such as 0.03 or a percentage such as 3%"),
    BadInput("tune --devices 4 --microbatches 8 --activation-bytes 1GB --memory-budget 1MB --db good.db", "the least any needs is 250.00 MB (interleaved v=4 m=8 +recompute)"),
    BadInput("tune --devices 4 --microbatches 8 --forward 1ms,2ms --db good.db", "2 per-stage values but tune prices 4 device(s)"),
    BadInput("tune --devices 4 --microbatches 8 --global-batch 64 --db good.db", "--global-batch needs --model"),
    BadInput("tune --devices 8 --model gpt3-13b --hardware h100 --db good.db", "--model needs --global-batch"),
    BadInput("tune --devices 2 --microbatches 4 --measure 1 --db good.db", "measure at least 2 candidates"),
    BadInput("tune --devices 2 --microbatches 4 --hidden 64 --db good.db", "add --measure K"),
    BadInput("tune --devices 2 --microbatches 4 --measure 2 --measure-iterations 1 --db good.db", "each turn's first is dropped as cold"),
    BadInput("tune --devices 8 --model gpt3-13b --hardware h100 --global-batch 64 --measure 2 --db good.db", "--measure trains the MLP"),
    BadInput("tune --devices 2 --microbatches 4 --measure 2 --rows 0 --db good.db", "give at least 1 of each"),
    BadInput("tune --devices 8 --model gpt3-13b --hardware h100 --global-batch 64 --microbatches 5 --db good.db", "does not divide --global-batch 64"),
    BadInput("tune --devices 8 --model gpt3-175b --hardware a100 --global-batch 8 --families gpipe --recompute no --db good.db", "raise --memory-budget"),
    // baseline: a missing or malformed file, a case list without costs.
    BadInput("baseline save x --cases nope.json --db good.db", "nope.json: cannot read it"),
    BadInput("baseline check nope.json --db good.db", "no such baseline file"),
    BadInput("baseline update nope.json --db good.db", "no such baseline file"),
    // Numbers out of range.
    BadInput("simulate --schedule 1f1b --devices 0 --microbatches 4 --db good.db", "need at least 1 device"),
    BadInput("simulate --schedule 1f1b --devices 2 --microbatches 0 --db good.db", "need at least 1 micro-batch"),
    BadInput("simulate --schedule interleaved --devices 2 --microbatches 4 --chunks 0 --db good.db", "need at least 1 chunk"),
    BadInput("simulate --schedule interleaved --devices 4 --microbatches 8 --chunks 1000000000 --db good.db", "64,000,000,000 actions"),
    BadInput("simulate --schedule 1f1b --devices 100000 --microbatches 100000 --db good.db", "--max-actions"),
    BadInput("simulate --schedule 1f1b --devices 4000000000000 --microbatches 4000000000000 --db good.db", "more actions than a 64-bit integer"),
    BadInput("simulate --schedule 1f1b --devices 1000 --microbatches 4000 --recompute --db good.db", "12,000,000 actions"),
    BadInput("simulate \(oneFOneB) --max-actions 0 --db good.db", "--max-actions 0"),
    BadInput("simulate \(oneFOneB) --forward -1ms --db good.db", "'-1ms' is negative"),
    BadInput("simulate \(oneFOneB) --latency -5us --db good.db", "'-5us' is negative"),
    BadInput("simulate \(oneFOneB) --forward abc --db good.db", "cannot read 'abc'"),
    BadInput("simulate --schedule 1f1b --devices 4 --microbatches 4 --forward 1ms,2ms --db good.db", "2 per-stage values but the schedule has 4 stages"),
    BadInput("simulate \(oneFOneB) --bandwidth 0 --db good.db", "above zero"),
    BadInput("simulate \(oneFOneB) --transfer-bytes -4KiB --db good.db", "'-4KiB' is negative"),
    BadInput("simulate --schedule chimera --devices 3 --microbatches 4 --db good.db", "chimera"),
    BadInput("simulate --schedule dualpipev --devices 4 --microbatches 4 --db good.db", "dualpipev"),
    BadInput("simulate --schedule 1f1b --devices 2 --microbatches 4 --chunks 2 --db good.db", "--chunks 2 needs --schedule interleaved"),
    BadInput("run \(oneFOneB) \(tinyModel) --iterations 0 --db good.db", "run at least 1 iteration"),
    BadInput("run \(oneFOneB) --hidden 100000 --batch 8 --db good.db", "894 GiB of memory"),
    BadInput("run \(oneFOneB) \(tinyModel) --iterations 9000000000000000 --db good.db", "measure fewer iterations"),
    BadInput("run \(oneFOneB) --hidden 9000000000000 --batch 8 --db good.db", "more than"),
    BadInput("run \(oneFOneB) --layers 2 --hidden 16 --batch 7 --db good.db", "cannot be cut into 4 equal micro-batches"),
    BadInput("run \(oneFOneB) --layers 1 --hidden 16 --batch 8 --db good.db", "cannot be split into 2 stages"),
    BadInput("run \(oneFOneB) \(tinyModel) --layers-per-stage 1,x --db good.db", "--layers-per-stage '1,x'"),
    BadInput("run \(oneFOneB) \(tinyModel) --layers-per-stage 1,2 --db good.db", "sums to 3 but the model has 2 layers"),
    BadInput("run \(oneFOneB) \(tinyModel) --stall-timeout 0 --db good.db", "--stall-timeout"),
    BadInput("run \(oneFOneB) \(tinyModel) --link-bandwidth -1 --db good.db", "--link-bandwidth"),
    BadInput("run \(oneFOneB) \(tinyModel) --hidden 0 --db good.db", "--hidden 0"),
    BadInput("run \(oneFOneB) \(tinyModel) --predict --warmup -1 --db good.db", "--warmup -1"),
    BadInput("run \(oneFOneB) \(tinyModel) --predict --repetitions 0 --db good.db", "--repetitions 0"),
    BadInput("run \(oneFOneB) \(tinyModel) --cost-model cm.json --db good.db", "add --predict"),
    BadInput("runs --limit 0 --db good.db", "--limit must be at least 1"),
    BadInput("runs --kind foo --db good.db", "unknown kind 'foo'"),
    BadInput("show 99 --db good.db", "there is no run 99"),
    BadInput("compare 1 99 --db good.db", "there is no run 99"),
    BadInput("report 99 --db good.db", "there is no run 99"),
    BadInput("export 99 --db good.db", "there is no run 99"),
    BadInput("export 1 --format xml --db good.db", "'xml' is invalid"),
    BadInput("calibrate --devices 0 --db good.db", "need at least 1 device"),
    BadInput("calibrate --repetitions 0 \(tinyModel) --db good.db", "--repetitions 0"),
    BadInput("calibrate --hidden 100000 --batch 8 --db good.db", "GiB of memory"),
    BadInput("calibrate \(tinyModel) -o adir --db good.db", "adir: it is a directory"),
    BadInput("schedule export \(oneFOneB) --format xml", "unknown format 'xml'", database: "ok.csv"),
    BadInput("schedule export \(oneFOneB) -o nofolder/s.csv", "the folder nofolder does not exist", database: "ok.csv"),
    BadInput("query 'DELETE FROM runs' --db good.db", "query refused"),
    BadInput("query 'ATTACH DATABASE ''x.db'' AS x' --db good.db", "ATTACH is not allowed"),
    BadInput("query SELEC --db good.db", "syntax error"),
    BadInput("query 'SELECT 1' --json --csv --db good.db", "choose one of --json and --csv"),
    BadInput("report 1 --out adir --db good.db", "adir: it is a directory"),
    // Wrong files.
    BadInput("simulate --file missing.csv --db good.db", "cannot read missing.csv: no such file"),
    BadInput("simulate --file adir --db good.db", "it is a directory"),
    BadInput("simulate --file /dev/zero --db good.db", "not a regular file"),
    BadInput("schedule validate binary.csv", "not UTF-8", database: "binary.csv"),
    BadInput("schedule validate empty.csv", "no rows", database: "empty.csv"),
    BadInput("simulate --file deadlock.csv --db good.db", "deadlock"),
    BadInput("simulate --file offbyone.csv --db good.db", "off-by-one"),
    BadInput("simulate --file unclosed.csv --db good.db", "never closed"),
    BadInput("simulate --file huge-index.csv --db good.db", "cannot all appear"),
    BadInput("simulate --file ok.csv --devices 2 --db good.db", "--devices comes from the file"),
    BadInput("simulate \(oneFOneB) --cost-model missing.json --db good.db", "cannot read cost model missing.json"),
    BadInput("simulate \(oneFOneB) --cost-model broken.json --db good.db", "not valid JSON"),
    BadInput("simulate \(oneFOneB) --cost-model unknown-field.json --db good.db", "field 'forwad': unknown field"),
    BadInput("simulate \(oneFOneB) --cost-model wrong-length.json --db good.db", "3 per-stage values but the schedule has 2 stages"),
    BadInput("simulate \(oneFOneB) --cost-model adir --db good.db", "cost model"),
    // Databases that are directories, unwritable, truncated, not databases, of another program or of a newer Stagecraft.
    BadInput("simulate \(oneFOneB) --db adir", "it is a directory", database: "adir"),
    BadInput("simulate \(oneFOneB) --db /proc/stagecraft.db", "cannot write the results database /proc/stagecraft.db", database: "ok.csv"),
    BadInput("simulate \(oneFOneB) --db truncated.db", "truncated.db is damaged", database: "truncated.db"),
    BadInput("runs --db truncated.db", "truncated.db is damaged", database: "truncated.db"),
    BadInput("query 'SELECT count(*) FROM runs' --db truncated.db", "damaged", database: "truncated.db"),
    BadInput("simulate \(oneFOneB) --db text.db", "is not an SQLite database", database: "text.db"),
    BadInput("run \(oneFOneB) \(tinyModel) --db text.db", "is not an SQLite database", database: "text.db"),
    BadInput("simulate \(oneFOneB) --db foreign.db", "some other program", database: "foreign.db"),
    BadInput("simulate \(oneFOneB) --db newer.db", "written by a newer Stagecraft", database: "newer.db"),
    BadInput("show 1 --db newer.db", "written by a newer Stagecraft", database: "newer.db"),
    BadInput("runs --db missing.db", "no results database at missing.db", database: "missing.db"),
    // The MPI backend: refused before any process starts, or by every rank alike.
    BadInput("run --file deadlock.csv \(tinyModel) --backend mpi --db good.db", "deadlock"),
    BadInput("run \(oneFOneB) \(tinyModel) --backend mpi --predict --db good.db", "--backend mpi --predict needs --cost-model"),
    BadInput("run \(oneFOneB) \(tinyModel) --backend mpi --link-latency 0.001 --db good.db", "not available with --backend mpi"),
    // Transformer models and traces.
    BadInput("simulate --schedule 1f1b --devices 8 --microbatches 8 --model gpt3-175b --hardware a100 --db good.db", "does not fit in device memory"),
    BadInput("simulate \(oneFOneB) --model gpt5 --hardware a100 --db good.db", "no model preset or file named 'gpt5'"),
    BadInput("simulate \(oneFOneB) --model gpt3-1.3b --db good.db", "--model needs --hardware"),
    BadInput("simulate \(oneFOneB) --model gpt3-1.3b --hardware a100 --mfu 2 --db good.db", "efficiency is 2.0"),
    BadInput("simulate \(oneFOneB) --model gpt3-1.3b --hardware a100 --cost-model broken.json --db good.db", "--cost-model and --model"),
    BadInput("compare 1 --db good.db", "give two runs, or one run with"),
    BadInput("import-trace ok.csv --db good.db", "not JSON"),
    BadInput("import-trace missing.json --db good.db", "no such file"),
    BadInput("import-trace rank0.json --db good.db", "the run had 2 ranks but the files hold 1"),
    BadInput("import-trace rank0.json rank1.json rank0.json --db good.db", "rank 0's profiled steps overlap in time"),
    BadInput("calibrate --from-run 1 --db good.db", "run 1 is a simulated run"),
]

/// The fixture folder every case starts from, built once: a database with a simulated run (1) and an
/// executed run (2), and the bad files.
private let fixtures: Result<Workspace, any Error> = Result {
    let workspace = try Workspace()
    try workspace.succeed(["simulate", "--schedule", "1f1b", "--devices", "2", "--microbatches", "4", "--db", "good.db"])
    try workspace.succeed(["run", "--schedule", "1f1b", "--devices", "2", "--microbatches", "4", "--layers", "2", "--hidden", "16",
                           "--batch", "8", "--iterations", "2", "--db", "good.db"])
    try FileManager.default.createDirectory(atPath: workspace.path("adir"), withIntermediateDirectories: false)
    try workspace.write("ok.csv", "0F0,0B0\n1F0,1B0\n")
    try workspace.write("deadlock.csv", "0F0,0B0,0F1,0B1\n1F1,1F0,1B0,1B1\n")
    try workspace.write("offbyone.csv", "0F0,0F1,0B0,0B1\r\n1F1,1B0,1F2,1B1\r\n")
    try workspace.write("unclosed.csv", "0F0,\"0B0\n1F0,1B0\n")
    try workspace.write("huge-index.csv", "0F0,0B0,9999999F0@65535\n")
    try workspace.write("binary.csv", bytes: [0xFF, 0xFE, 0x00, 0x80, 0x41])
    try workspace.write("empty.csv", "")
    try workspace.write("broken.json", "{\"forward\": ")
    try workspace.write("unknown-field.json", "{\"forwad\": 1}")
    try workspace.write("wrong-length.json", "{\"forward\": [1, 2, 3]}")
    try workspace.write("text.db", "hello, not a database\n")
    let traces = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/pytorch-trace")
    for rank in 0..<2 {
        try FileManager.default.copyItem(at: traces.appendingPathComponent("GPipe_p2_m4_rank\(rank).json"), to: workspace.url.appendingPathComponent("rank\(rank).json"))
    }
    guard let good = workspace.contents("good.db") else { throw FixtureFailure(description: "good.db was not written") }
    try workspace.write("truncated.db", bytes: Array(good.prefix(5_000)))
    try FileManager.default.copyItem(atPath: workspace.path("good.db"), toPath: workspace.path("newer.db"))
    let newer = try workspace.run("store-test-writer", ["sql", "newer.db", "INSERT INTO grdb_migrations VALUES ('v99-from-the-future')"])
    let foreign = try workspace.run("store-test-writer", ["sql", "foreign.db", "CREATE TABLE measurements (x)"])
    guard newer.status == 0, foreign.status == 0 else { throw FixtureFailure(description: "\(newer)\n\(foreign)") }
    return workspace
}

struct FixtureFailure: Error, CustomStringConvertible {
    let description: String
}

/// A fresh copy of the fixture folder.
private func freshCopy() throws -> Workspace {
    let source = try fixtures.get()
    let copy = try Workspace()
    for name in try FileManager.default.contentsOfDirectory(atPath: source.url.path) {
        try FileManager.default.copyItem(at: source.url.appendingPathComponent(name), to: copy.url.appendingPathComponent(name))
    }
    return copy
}

@Test(arguments: badInputs)
func badInputIsRefusedClearlyAndChangesNothing(_ input: BadInput) throws {
    let workspace = try freshCopy()
    let before = workspace.contents(input.database)
    let finished = try workspace.run("stagecraft", input.arguments, environment: input.environment, deadline: 60)
    #expect(!finished.timedOut, "hung: \(finished)")
    #expect(finished.signal == nil, "crashed: \(finished)")
    #expect(finished.status.map { $0 != 0 } == true, "exit 0 on bad input: \(finished)")
    #expect(finished.stderr.contains(input.message), "expected '\(input.message)' in: \(finished)")
    #expect(finished.stderr.hasPrefix("Error: "), "\(finished)")
    #expect(!finished.stderr.contains("Fatal error") && !finished.stderr.contains("NSCocoaErrorDomain"), "\(finished)")
    #expect(workspace.contents(input.database) == before, "\(input.database) changed")
    if input.database == "good.db" {
        let runs = try workspace.run("stagecraft", ["query", "SELECT count(*) FROM runs", "--db", "good.db", "--csv"])
        #expect(runs.stdout == "count(*)\n2\n", "a run was recorded: \(runs)")
    }
}

@Test func theMatrixCoversEveryCommand() {
    #expect(badInputs.count >= 40)
    let commands = Set(badInputs.map { $0.arguments[0] })
    #expect(commands == ["simulate", "tune", "baseline", "run", "runs", "show", "compare", "report", "export", "calibrate", "schedule", "query", "import-trace"])
}

@Test func aDatabaseLockedByAnotherWriterIsReportedNotWaitedOnForever() throws {
    let workspace = try freshCopy()
    let before = workspace.contents("good.db")
    // store-test-writer holds the write lock for 20 s; stagecraft gives up after 1 s.
    let holder = Process()
    holder.executableURL = try Built.executable("store-test-writer")
    holder.arguments = ["lock", workspace.path("good.db"), "20"]
    let output = Pipe()
    holder.standardOutput = output
    try holder.run()
    defer { holder.terminate() }
    let locked = output.fileHandleForReading.availableData
    #expect(String(decoding: locked, as: UTF8.self).hasPrefix("locked"))
    let finished = try workspace.run("stagecraft", ["simulate", "--schedule", "1f1b", "--devices", "2", "--microbatches", "4", "--db", "good.db"],
                                     environment: ["STAGECRAFT_BUSY_TIMEOUT": "1"], deadline: 30)
    #expect(finished.status.map { $0 != 0 } == true, "\(finished)")
    #expect(finished.stderr.contains("another process kept good.db locked"), "\(finished)")
    holder.terminate()
    holder.waitUntilExit()
    #expect(workspace.contents("good.db") == before)
}

@Test func concurrentWritersBothRecord() throws {
    let workspace = try freshCopy()
    let arguments = ["simulate", "--schedule", "interleaved", "--devices", "4", "--microbatches", "64", "--chunks", "2", "--db", "good.db"]
    // Two processes at once, each on its own thread; each writes only its own slot, read after both end.
    final class Slot: @unchecked Sendable { var finished: Finished? }
    let slots = [Slot(), Slot()]
    let group = DispatchGroup()
    for slot in slots {
        DispatchQueue.global().async(group: group) { slot.finished = try? workspace.run("stagecraft", arguments) }
    }
    group.wait()
    let results = slots.map(\.finished)
    for result in results { #expect(result?.status == 0, "\(String(describing: result))") }
    let runs = try workspace.run("stagecraft", ["query", "SELECT count(*) FROM runs WHERE status = 'completed'", "--db", "good.db", "--csv"])
    #expect(runs.stdout == "count(*)\n4\n")
}
