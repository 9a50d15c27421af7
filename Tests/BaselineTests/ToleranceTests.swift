import Foundation
import Simulator
import Testing
@testable import Baseline

@Suite("Tolerances and verdicts")
struct ToleranceTests {
    static func results(makespan: Int64, bubble: Double = 0.25, memory: Int64 = 100) -> CaseResults {
        CaseResults(makespanNs: makespan, iterationNs: nil, bubbleRatio: bubble, peakMemoryBytes: memory)
    }

    func verdict(_ metric: Metric, old: CaseResults, new: CaseResults, _ tolerance: Tolerance) -> MetricComparison.Verdict? {
        CaseComparison.compare(name: "c", baseline: old, current: new) { $0 == metric ? tolerance : Tolerance(relative: 1) }
            .metrics.first { $0.metric == metric }?.verdict
    }

    @Test("growing by exactly the allowance passes; one unit more regresses; shrinking past it improves")
    func relativeEdges() {
        let old = Self.results(makespan: 1000)
        let tolerance = Tolerance(relative: 0.01)
        #expect(verdict(.makespan, old: old, new: Self.results(makespan: 1010), tolerance) == .pass)
        #expect(verdict(.makespan, old: old, new: Self.results(makespan: 1011), tolerance) == .regressed)
        #expect(verdict(.makespan, old: old, new: Self.results(makespan: 990), tolerance) == .pass)
        #expect(verdict(.makespan, old: old, new: Self.results(makespan: 989), tolerance) == .improved)
    }

    @Test("relative and absolute together: the larger allowance holds; a zero baseline allows only the absolute part")
    func combinedAndZero() {
        let both = Tolerance(relative: 0.01, absolute: 50)
        #expect(both.allowance(from: 1000) == 50)
        #expect(both.allowance(from: 100_000) == 1000)
        #expect(Tolerance(relative: 0.5).allowance(from: 0) == 0)
        #expect(verdict(.peakMemory, old: Self.results(makespan: 1, memory: 0), new: Self.results(makespan: 1, memory: 1), Tolerance(relative: 0.5)) == .regressed)
        #expect(verdict(.bubble, old: Self.results(makespan: 1, bubble: 0.2), new: Self.results(makespan: 1, bubble: 0.2049), Tolerance(absolute: 0.005)) == .pass)
        #expect(verdict(.bubble, old: Self.results(makespan: 1, bubble: 0.2), new: Self.results(makespan: 1, bubble: 0.2051), Tolerance(absolute: 0.005)) == .regressed)
    }

    @Test("a measured case is judged on its fastest run and least bubble: a burst of slow runs is not a regression, a slower machine is")
    func measuredRuns() {
        let saved = CaseResults(summarizing: [1000, 1020, 990, 1300, 1010].map { Self.results(makespan: $0, bubble: 0.10, memory: 80) })
        #expect(saved.makespanNs == 990 && saved.runs == 5 && saved.makespanQ1Ns == 1000 && saved.makespanQ3Ns == 1020)
        // Three of five runs disturbed, their bubbles too: the median moved 30%, the fastest run 2%.
        let burst = [1400, 1010, 1350, 1300, 1060].enumerated().map { index, time in
            Self.results(makespan: Int64(time), bubble: index == 1 ? 0.11 : 0.30, memory: index == 4 ? 90 : 80)
        }
        let current = CaseResults(summarizing: burst)
        #expect(current.makespanNs == 1010 && current.bubbleRatio == 0.11 && current.peakMemoryBytes == 90)
        #expect(verdict(.makespan, old: saved, new: current, Tolerance(relative: 0.1)) == .pass)
        #expect(verdict(.bubble, old: saved, new: current, Tolerance(absolute: 0.05)) == .pass)
        // Every run 12% slower: regressed.
        let slower = CaseResults(summarizing: [1000, 1020, 990, 1300, 1010].map { Self.results(makespan: $0 * 112 / 100) })
        #expect(verdict(.makespan, old: saved, new: slower, Tolerance(relative: 0.1)) == .regressed)
    }

    @Test("exit status: 0 all pass, 1 a regression, 2 a case that could not run (even beside a regression)")
    func exitCodes() {
        let pass = CaseComparison(name: "a", metrics: [])
        let regressed = CaseComparison.compare(name: "b", baseline: Self.results(makespan: 100), current: Self.results(makespan: 200)) { _ in Tolerance(relative: 0) }
        let broken = CaseComparison(name: "c", metrics: [], error: "no")
        #expect(BaselineCheck(baseline: "x", cases: [pass], seconds: 0).exitCode == 0)
        #expect(BaselineCheck(baseline: "x", cases: [pass, regressed], seconds: 0).exitCode == 1)
        #expect(BaselineCheck(baseline: "x", cases: [regressed, broken], seconds: 0).exitCode == 2)
    }

    @Test("bad tolerances and bad files are refused with the problem named")
    func badFiles() {
        func refused(_ json: String, _ message: String) {
            #expect {
                try BaselineFile.decode(Data(json.utf8), file: "b.json")
            } throws: { error in
                (error as? BaselineError)?.description.contains(message) == true
            }
        }
        let good = #"{"name":"1f1b","schedule":"1f1b","devices":2,"microbatches":4,"cost_model":{"forward":1}}"#
        refused(#"{"format":"stagecraft-baseline/1","name":"x","cases":[]}"#, "no cases")
        refused(#"{"format":"other","name":"x","cases":[\#(good)]}"#, "is not stagecraft-baseline/1")
        refused(#"{"format":"stagecraft-baseline/1","name":"x","cases":[\#(good),\#(good)]}"#, "two cases are named '1f1b'")
        refused(#"{"format":"stagecraft-baseline/1","name":"x","tolerances":{"speed":{"relative":1}},"cases":[\#(good)]}"#, "not a metric")
        refused(#"{"format":"stagecraft-baseline/1","name":"x","tolerances":{"makespan_ns":{"relative":-1}},"cases":[\#(good)]}"#, "at least 0")
        refused(#"{"format":"stagecraft-baseline/1","name":"x","tolerances":{"makespan_ns":{}},"cases":[\#(good)]}"#, "neither")
        refused(#"{"format":"stagecraft-baseline/1","name":"x","cases":[{"name":"a","devices":2,"microbatches":4,"cost_model":{}}]}"#, "names no schedule")
        refused(#"{"format":"stagecraft-baseline/1","name":"x","cases":[{"name":"a","schedule":"1f1b","devices":2,"microbatches":4}]}"#, "has no costs")
        refused(#"{"format":"stagecraft-baseline/1","name":"x","cases":[{"name":"a","schedule":"1f1b","devices":2,"microbatches":4,"cost_model":{"forwrd":1}}]}"#, "unknown field")
    }

    @Test("the text form round-trips, with sorted keys")
    func roundTrip() throws {
        var model = CostModel(forward: .perStage([1000, 1200]), backward: .uniform(2000))
        model.activationBytes = .uniform(64)
        let file = BaselineFile(name: "seed", cases: [
            BaselineCase(name: "a", schedule: "zb-h1", devices: 2, microbatches: 4, costModel: model,
                         tolerances: ["makespan_ns": Tolerance(relative: 0.02)],
                         results: CaseResults(makespanNs: 123, iterationNs: 130, bubbleRatio: 0.123456789, peakMemoryBytes: 256, costModel: model)),
        ], tolerances: ["bubble_ratio": Tolerance(absolute: 0.01)])
        let data = try file.encoded()
        #expect(try BaselineFile.decode(data, file: "x") == file)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.firstRange(of: "\"cases\"")!.lowerBound < text.firstRange(of: "\"format\"")!.lowerBound)
        #expect(text.hasSuffix("}\n"))
    }
}
