import Foundation
import Testing

// The documented JSON shapes of every results-printing command (README.md, "JSON output"), checked on
// real runs of a tiny MLP: keys, types, and that the numbers agree across commands.

/// A tiny model: runs in milliseconds even in a debug build.
private let tiny = ["--schedule", "1f1b", "--devices", "2", "--microbatches", "4", "--layers", "2", "--hidden", "16", "--batch", "8"]

private func number(_ value: Any?) -> Double? { (value as? NSNumber).map(\.doubleValue) }
private func object(_ value: Any?) -> [String: Any] { value as? [String: Any] ?? [:] }
private func array(_ value: Any?) -> [Any] { value as? [Any] ?? [] }

/// A `Spread`: count, median, quartiles and confidence interval, ordered.
private func expectSpread(_ value: Any?, _ what: String) {
    let spread = object(value)
    #expect(Set(spread.keys) == ["count", "median", "q1", "q3", "ciLow", "ciHigh"], "\(what): \(spread)")
    if let q1 = number(spread["q1"]), let median = number(spread["median"]), let q3 = number(spread["q3"]) {
        #expect(q1 <= median && median <= q3, "\(what): \(spread)")
    }
}

@Test func runRunsAndShowPrintTheDocumentedJSON() throws {
    let workspace = try Workspace()
    let run = try workspace.json(["run"] + tiny + ["--iterations", "5", "--db", "r.db", "--json"])
    #expect(Set(run.keys) == ["configuration", "iterations", "measurement", "run_id", "database"])
    let configuration = object(run["configuration"])
    #expect(configuration["schedule"] as? String == "1f1b")
    #expect(number(configuration["devices"]) == 2 && number(configuration["microbatches"]) == 4)
    #expect(number(configuration["hidden"]) == 16 && number(configuration["microbatch_rows"]) == 2)
    #expect(array(configuration["layers_per_stage"]).count == 2)

    let iterations = array(run["iterations"]).map(object)
    #expect(iterations.map { number($0["iteration"]) } == [1, 2, 3, 4, 5])
    for iteration in iterations {
        #expect(number(iteration["loss"]).map { $0 > 0 && $0.isFinite } == true)
        #expect(number(iteration["step_time_ns"]).map { $0 > 0 } == true)
        #expect(number(iteration["makespan_ns"]).map { $0 > 0 } == true)
        #expect(number(iteration["bubble_ratio"]).map { $0 >= 0 && $0 < 1 } == true)
        #expect(iteration["kept"] is Bool)
    }
    // Five iterations: the first is dropped as cold (the stated rule).
    #expect(iterations[0]["kept"] as? Bool == false && iterations[0]["discarded"] as? String == "cold")

    let measurement = object(run["measurement"])
    #expect(number(measurement["iterations"]) == 5)
    #expect(number(measurement["kept"]).map(Int.init) == iterations.filter { $0["kept"] as? Bool == true }.count)
    expectSpread(measurement["makespan_ns"], "makespan")
    #expect(array(measurement["busy_ns"]).count == 2 && array(measurement["bubble"]).count == 2)
    #expect(measurement["recorded_timeline"] as? String == "typical")
    #expect(array(measurement["peak_memory_bytes"]).count == 2 && array(measurement["parameter_bytes"]).count == 2)
    #expect(run["database"] as? String == "r.db")
    let runID = try #require(number(run["run_id"]))

    let runs = try workspace.json(["runs", "--db", "r.db", "--json"])
    #expect(runs["database"] as? String == "r.db")
    let listed = try #require(array(runs["runs"]).map(object).first)
    #expect(number(listed["id"]) == runID && listed["kind"] as? String == "executed" && listed["status"] as? String == "completed")
    #expect(number(listed["makespan_ns"]) == number(measurement["recorded_makespan_ns"]))
    for key in ["schedule", "devices", "stages", "replicas", "microbatches", "chunks", "actions", "bubble_ratio", "created_at", "finished_at"] {
        #expect(listed[key] != nil, "runs --json lacks \(key)")
    }

    let show = try workspace.json(["show", String(Int(runID)), "--db", "r.db", "--json"])
    #expect(Set(show.keys) == ["run", "host", "tool_version", "config", "per_device", "measurement"])
    #expect(number(object(show["run"])["id"]) == runID)
    #expect(number(object(show["config"])["hidden"]) == 16, "the stored configuration is embedded as an object")
    let devices = array(show["per_device"]).map(object)
    #expect(devices.map { number($0["device"]) } == [0, 1])
    for device in devices {
        expectSpread(device["busy_spread_ns"], "busy")
        expectSpread(device["bubble_spread"], "bubble")
    }
    let shown = object(show["measurement"])
    #expect(number(shown["kept"]) == number(measurement["kept"]) && shown["timeline"] as? String == "typical")
    expectSpread(shown["makespan_ns"], "show's makespan")
}

@Test func runPredictPrintsPredictionCalibrationAndComparison() throws {
    let workspace = try Workspace()
    let run = try workspace.json(["run"] + tiny + ["--iterations", "4", "--predict", "--warmup", "0", "--repetitions", "4",
                                                  "--db", "p.db", "--json"])
    let runID = try #require(number(run["run_id"]))
    let prediction = object(run["prediction"])
    #expect(prediction["cost_model_source"] as? String == "calibration")
    #expect(number(prediction["makespan_ns"]).map { $0 > 0 } == true)
    #expect(object(prediction["cost_model"])["forward"] != nil)
    let predictedID = try #require(number(prediction["run_id"]))

    let calibration = object(run["calibration"])
    #expect(number(object(calibration["settings"])["devices"]) == 2)
    #expect(number(object(calibration["samples"])["F"]).map { $0 > 0 } == true)
    let checks = array(calibration["self_check"]).map(object)
    #expect(!checks.isEmpty)
    for check in checks {
        #expect(check["schedule"] is String && check["agrees"] is Bool && number(check["predicted_makespan_ns"]) != nil)
        expectSpread(check["measured_makespan_ns"], "self-check")
    }

    let comparison = object(run["comparison"])
    #expect(number(comparison["predicted_run"]) == predictedID && number(comparison["measured_run"]) == runID)
    #expect(number(comparison["makespan_error"]) != nil && number(comparison["matched_actions"]) == 16)
    #expect(number(object(comparison["measured_spread"])["kept"]) == number(object(run["measurement"])["kept"]))
    let comparisonID = try #require(number(run["comparison_id"]))
    let stored = try workspace.succeed(["query", "SELECT predicted_run_id, measured_run_id FROM comparisons WHERE id = \(Int(comparisonID))",
                                        "--db", "p.db", "--csv"])
    #expect(stored.stdout == "predicted_run_id,measured_run_id\n\(Int(predictedID)),\(Int(runID))\n")
}

@Test func calibrateJSONHoldsTheCostModelItWrote() throws {
    let workspace = try Workspace()
    let calibration = try workspace.json(["calibrate", "--devices", "2", "--layers", "2", "--hidden", "16", "--batch", "8",
                                          "--microbatches", "4", "--warmup", "0", "--repetitions", "4", "-o", "cm.json",
                                          "--db", "c.db", "--json"])
    for key in ["cost_model", "settings", "samples", "hand_off_samples", "dispatch_samples", "jitter_ns", "spread",
                "self_check", "repetitions", "retries", "warnings", "calibration_id", "out"] {
        #expect(calibration[key] != nil, "calibrate --json lacks \(key)")
    }
    #expect(calibration["out"] as? String == "cm.json")
    let written = try JSONSerialization.jsonObject(with: try #require(workspace.contents("cm.json"))) as? NSDictionary
    #expect(written == (calibration["cost_model"] as? NSDictionary), "the JSON's cost model is the file's")

    // The file predicts a run; without a calibration the JSON has none.
    let run = try workspace.json(["run"] + tiny + ["--iterations", "2", "--predict", "--cost-model", "cm.json", "--no-record", "--json"])
    #expect(object(run["prediction"])["cost_model_source"] as? String == "cm.json")
    #expect(run["calibration"] == nil && run["run_id"] == nil && run["database"] == nil)
    #expect(object(run["comparison"])["makespan_error"] != nil)
}

@Test func simulateAndCompareJSONAgree() throws {
    let workspace = try Workspace()
    let simulated = try workspace.json(["simulate", "--schedule", "1f1b", "--devices", "2", "--microbatches", "4",
                                        "--forward", "1ms", "--backward", "2ms", "--db", "s.db", "--json"])
    #expect(number(simulated["makespan_ns"]) == 15_000_000)  // (m + p − 1)(F + B)
    let id = try #require(number(simulated["run_id"]))
    let compared = try workspace.json(["compare", String(Int(id)), String(Int(id)), "--db", "s.db", "--json"])
    #expect(number(compared["makespan_error"]) == 0 && number(compared["predicted_makespan_ns"]) == 15_000_000)
}

@Test func scheduleShowAndValidateJSONAgree() throws {
    let workspace = try Workspace()
    let shown = try workspace.json(["schedule", "show", "--schedule", "chimera", "--devices", "2", "--microbatches", "2", "--json"])
    #expect(shown["name"] as? String == "chimera" && number(shown["actions"]) == 12 && number(shown["replicas"]) == 2)
    #expect(shown["placement"] as? [[Int]] == [[0, 1], [1, 0]])
    #expect((shown["order"] as? [[String]])?.first == ["0F0", "1F1@1", "1B1@1", "0B0", "1REDUCE_GRAD@1", "0REDUCE_GRAD"])
    try workspace.succeed(["schedule", "export", "--schedule", "chimera", "--devices", "2", "--microbatches", "2", "-o", "c.csv"])
    let exported = String(decoding: try #require(workspace.contents("c.csv")), as: UTF8.self)
    try workspace.write("c.csv", exported.replacingOccurrences(of: "0REDUCE_GRAD\n", with: "0REDUCE_GRAD,0WAIT_REDUCE_GRAD\n"))
    let validated = try workspace.json(["schedule", "validate", "c.csv", "--json"])
    #expect(validated["order"] as? [[String]] == shown["order"] as? [[String]])
    #expect(validated["skipped"] as? [String: Int] == ["WAIT_REDUCE_GRAD": 1])
}

@Test func importedPyTorchRunIsAMeasuredRunForCalibrateAndCompare() throws {
    let workspace = try Workspace()
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pytorch-trace")
    let files = (0..<2).map { fixtures.appendingPathComponent("Interleaved1F1B_p2_m4_rank\($0).json").path }
    let imported = try workspace.json(["import-trace"] + files + ["--db", "t.db", "--json"])
    let runID = try #require(number(imported["run_id"]))
    #expect(object(imported["schedule"])["name"] as? String == "Interleaved1F1B_p2_m4")
    #expect(number(object(imported["schedule"])["actions"]) == 36)
    #expect(object(imported["import"])["format"] as? String == "PP ranges")
    expectSpread(imported["makespan_ns"], "imported makespan")

    let fit = try workspace.json(["calibrate", "--from-run", String(Int(runID)), "--db", "t.db", "-o", "fit.json", "--json"])
    #expect(number(fit["from_run"]) == runID && object(fit["cost_model"])["forward"] != nil)
    // The run predicted from its own cost model: every action matched, the error a number.
    let compared = try workspace.json(["compare", String(Int(runID)), "--cost-model", "fit.json", "--db", "t.db", "--json"])
    #expect(number(compared["matched_actions"]) == 36 && number(compared["makespan_error"]) != nil)
    // A transformer predicts it as well (the shape check, not the numbers).
    let transformer = try workspace.json(["compare", String(Int(runID)), "--model", "gpt3-1.3b", "--hardware", "a100", "--db", "t.db", "--json"])
    #expect(number(transformer["predicted_makespan_ns"]).map { $0 > 0 } == true)
}

@Test func exportStreamsTheSameTextToAFileAndToStandardOutput() throws {
    let workspace = try Workspace()
    try workspace.succeed(["simulate", "--schedule", "interleaved", "--devices", "4", "--microbatches", "64", "--chunks", "2", "--db", "e.db"])
    for format in ["csv", "json"] {
        let printed = try workspace.succeed(["export", "1", "--format", format, "--db", "e.db"]).stdout
        try workspace.succeed(["export", "1", "--format", format, "--db", "e.db", "-o", "events.\(format)"])
        #expect(workspace.contents("events.\(format)") == Data(printed.utf8), "\(format)")
    }
    let csv = String(decoding: workspace.contents("events.csv") ?? Data(), as: UTF8.self)
    #expect(csv.hasPrefix("action_id,device,replica,stage,chunk,microbatch,op,start_ns,end_ns\n0,0,0,0,0,0,F,"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: workspace.url.path).allSatisfy { !$0.hasSuffix(".partial") })
    let json = try JSONSerialization.jsonObject(with: try #require(workspace.contents("events.json"))) as? [String: Any]
    #expect((json?["events"] as? [Any])?.count == 4 * 2 * 64 * 2)
}
