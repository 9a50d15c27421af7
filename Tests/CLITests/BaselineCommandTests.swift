import Foundation
#if canImport(FoundationXML)
import FoundationXML  // XMLParser on Linux (needs libxml2, which make deps installs)
#endif
import Testing

/// `stagecraft baseline`: the project's own committed baseline holds, a 3% slower stage is caught and
/// named, the JUnit XML is what CI systems read, and the exit status says pass, regression or could not run.
@Suite struct BaselineCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/baselines")

    /// A workspace holding a copy of the committed seed baseline and its cost-model files.
    static func seedCopy() throws -> Workspace {
        let workspace = try Workspace()
        for name in try FileManager.default.contentsOfDirectory(atPath: fixtures.path) {
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent(name), to: workspace.url.appendingPathComponent(name))
        }
        return workspace
    }

    @Test func theCommittedSeedBaselineHolds() throws {
        let workspace = try Self.seedCopy()
        let finished = try workspace.run("stagecraft", ["baseline", "check", "seed.baseline.json"])
        #expect(finished.status == 0, "\(finished)")
        #expect(finished.stdout.contains("20 passed, 0 regressed, 0 could not run"), "\(finished)")
    }

    @Test func aThreePercentSlowerStageIsCaughtAndNamed() throws {
        let workspace = try Self.seedCopy()
        var baseline = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: workspace.url.appendingPathComponent("seed.baseline.json"))) as? [String: Any])
        var cases = try #require(baseline["cases"] as? [[String: Any]])
        let index = try #require(cases.firstIndex { $0["name"] as? String == "1f1b p4 m16 heterogeneous" })
        var costs = try #require(cases[index]["cost_model"] as? [String: Any])
        for field in ["forward", "backward"] {
            var values = try #require(costs[field] as? [Double])
            values[1] *= 1.03
            costs[field] = values
        }
        cases[index]["cost_model"] = costs
        baseline["cases"] = cases
        try JSONSerialization.data(withJSONObject: baseline, options: [.sortedKeys, .prettyPrinted]).write(to: workspace.url.appendingPathComponent("seed.baseline.json"))

        let finished = try workspace.run("stagecraft", ["baseline", "check", "seed.baseline.json", "--junit", "junit.xml", "--summary", "summary.md", "--charts", "charts"])
        #expect(finished.status == 1, "\(finished)")
        #expect(finished.stdout.contains("19 passed, 1 regressed"), "\(finished)")
        #expect(finished.stdout.contains("1f1b p4 m16 heterogeneous  makespan_ns"), "\(finished)")
        #expect(finished.stdout.contains("costs changed since the baseline — backward: [2000000,3000000,2000000,2400000] → [2000000,3090000,2000000,2400000]"), "\(finished)")
        let summary = try String(contentsOfFile: workspace.path("summary.md"), encoding: .utf8)
        #expect(summary.contains("**regressed**") && summary.contains("| 1f1b p4 m16 heterogeneous | makespan_ns |"))
        let junit = try JUnitDocument(contentsOf: workspace.url.appendingPathComponent("junit.xml"))
        #expect(junit.problems.isEmpty, "\(junit.problems)")
        #expect(junit.testcases == 20 && junit.failures == ["1f1b p4 m16 heterogeneous"] && junit.errors.isEmpty)
        let chart = try String(contentsOfFile: workspace.path("charts/1f1b_p4_m16_heterogeneous.svg"), encoding: .utf8)
        #expect(chart.components(separatedBy: "<rect class=\"action").count - 1 == 2 * 4 * 16 * 2, "baseline and current timelines, every action")
    }

    @Test func aCaseThatCannotRunExitsTwoAndIsAnErrorInJUnit() throws {
        let workspace = try Self.seedCopy()
        try FileManager.default.removeItem(atPath: workspace.path("gpt3-1.3b-h100-p4.json"))
        let finished = try workspace.run("stagecraft", ["baseline", "check", "seed.baseline.json", "--junit", "junit.xml"])
        #expect(finished.status == 2, "\(finished)")
        #expect(finished.stdout.contains("could not run"), "\(finished)")
        let junit = try JUnitDocument(contentsOf: workspace.url.appendingPathComponent("junit.xml"))
        #expect(junit.problems.isEmpty, "\(junit.problems)")
        #expect(junit.errors == ["gpt3-1.3b h100 1f1b p4 m8", "gpt3-1.3b h100 zb-h1 p4 m8"])
        let missing = try workspace.run("stagecraft", ["baseline", "check", "nothing-here.json"])
        #expect(missing.status == 2 && missing.stderr.contains("no such baseline file"), "\(missing)")
    }

    @Test func saveThenUpdateAcceptsNewResultsAndRecordsEveryVersion() throws {
        let workspace = try Workspace()
        try workspace.write("cases.json", """
            {"format": "stagecraft-baseline/1", "name": "x", "cases": [
              {"name": "zb-v", "schedule": "zb-v", "devices": 2, "microbatches": 4, "cost_model": {"forward": 1000, "backward": 2000}}]}
            """)
        try workspace.succeed(["baseline", "save", "mine", "--cases", "cases.json", "--db", "b.db"])
        try workspace.succeed(["baseline", "check", "mine", "--db", "b.db"])  // by name, from the database
        var text = try String(contentsOfFile: workspace.path("mine.baseline.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: "\"forward\" : 1000", with: "\"forward\" : 1500")
        try workspace.write("mine.baseline.json", text)
        #expect(try workspace.run("stagecraft", ["baseline", "check", "mine.baseline.json"]).status == 1)
        let updated = try workspace.succeed(["baseline", "update", "mine.baseline.json", "--db", "b.db"])
        #expect(updated.stdout.contains("new results for zb-v"))
        try workspace.succeed(["baseline", "check", "mine.baseline.json"])
        let versions = try workspace.succeed(["query", "SELECT count(*) FROM baselines WHERE name = 'mine'", "--db", "b.db", "--csv"])
        #expect(versions.stdout == "count(*)\n2\n")
    }
}

extension BaselineCommandTests {
    @Test func aMeasuredCaseIsSavedFromTwiceItsRoundsWithItsSpreadAndChecked() throws {
        let workspace = try Workspace()
        try workspace.write("cases.json", """
            {"format": "stagecraft-baseline/1", "name": "m", "tolerances": {"makespan_ns": {"relative": 10}, "bubble_ratio": {"absolute": 1}},
             "cases": [{"name": "tiny 1f1b", "schedule": "1f1b", "devices": 2, "microbatches": 4,
                        "measured": {"layers": 2, "hidden": 16, "batch": 8, "iterations": 4, "rounds": 2}}]}
            """)
        try workspace.succeed(["baseline", "save", "m", "--cases", "cases.json", "--no-record"])
        let saved = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: workspace.url.appendingPathComponent("m.baseline.json"))) as? [String: Any])
        let results = try #require(((saved["cases"] as? [[String: Any]])?.first)?["results"] as? [String: Any])
        let fastest = try #require(results["makespan_ns"] as? Int), q1 = try #require(results["makespan_q1_ns"] as? Int)
        let q3 = try #require(results["makespan_q3_ns"] as? Int)
        #expect(0 < fastest && fastest <= q1 && q1 <= q3)
        #expect(results["runs"] as? Int == 4, "a save runs twice the case's 2 rounds")
        #expect((results["peak_memory_bytes"] as? Int ?? 0) > 0)
        // Whether it passes depends on the machine's load (tests run in parallel), so only that it ran:
        // a verdict for every metric, not "could not run".
        let checked = try workspace.run("stagecraft", ["baseline", "check", "m.baseline.json", "--all"])
        #expect(checked.status == 0 || checked.status == 1, "\(checked)")
        #expect(checked.stdout.contains("0 could not run") && checked.stdout.contains("tiny 1f1b  makespan_ns"), "\(checked)")
        // 2 runs, and 2 more for each of up to 3 confirmations when the loaded machine makes it look regressed.
        #expect([2, 4, 6, 8].contains { checked.stdout.contains("fastest of \($0) runs") }, "\(checked)")
        #expect(checked.stdout.contains("+0 B (+0.00%)"), "the executor's memory is deterministic: \(checked)")
    }
}

/// A JUnit XML file checked against the rules of the JUnit schema CI systems validate with (Jenkins'
/// xunit junit-10.xsd, which GitLab and GitHub's reporters also accept): `testsuites` holding
/// `testsuite`s with `name`, `tests`, `failures` and `errors`, a Surefire `time`; `testcase`s with a
/// `name`, holding only `failure`, `error`, `skipped`, `system-out` or `system-err`.
struct JUnitDocument {
    private(set) var problems: [String] = []
    private(set) var testcases = 0
    private(set) var failures: [String] = []
    private(set) var errors: [String] = []

    init(contentsOf url: URL) throws {
        let delegate = Collector()
        let parser = XMLParser(data: try Data(contentsOf: url))
        parser.delegate = delegate
        if !parser.parse() { problems.append("not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")") }
        problems += delegate.problems
        testcases = delegate.testcases
        failures = delegate.failures
        errors = delegate.errors
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var problems: [String] = [], failures: [String] = [], errors: [String] = []
        var testcases = 0
        var stack: [String] = []
        var currentCase = ""
        let allowedChildren: [String: Set<String>] = [
            "": ["testsuites"], "testsuites": ["testsuite"],
            "testsuite": ["testsuite", "properties", "testcase", "system-out", "system-err"],
            "testcase": ["skipped", "error", "failure", "system-out", "system-err"],
            "failure": [], "error": [], "skipped": [],
        ]
        let required: [String: [String]] = ["testsuite": ["name", "tests", "failures", "errors"], "testcase": ["name"]]

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            let parent = stack.last ?? ""
            if let allowed = allowedChildren[parent], !allowed.contains(name) { problems.append("<\(name)> inside <\(parent)>") }
            for attribute in required[name] ?? [] where attributes[attribute] == nil { problems.append("<\(name)> lacks \(attribute)") }
            if let time = attributes["time"], ["testsuite", "testsuites"].contains(name),
               time.range(of: #"^(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?$"#, options: .regularExpression) == nil {
                problems.append("<\(name)> time '\(time)' is not a Surefire time")
            }
            if name == "testcase" { testcases += 1; currentCase = attributes["name"] ?? "" }
            if name == "failure" { failures.append(currentCase) }
            if name == "error" { errors.append(currentCase) }
            stack.append(name)
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            stack.removeLast()
        }
    }
}
