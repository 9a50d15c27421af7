// executor-bench: how close the threaded executor comes to bare OpenBLAS and to an ideal pipeline.
// (a) sgemm GFLOP/s inside the executor's stage compute vs bare cblas_sgemm of the same shapes;
// (b) per-action overhead with tiny matrices; (c) step time of 8 × 1024, batch 256, 1F1B, p = 2,
// m = 8 next to the ideal (sequential compute time × (m + p − 1)/(m·p)). Build in release mode.
import COpenBLAS
import Executor
import Foundation
import Schedule
import Store

func now() -> Int64 { Int64(DispatchTime.now().uptimeNanoseconds) }
func median(_ values: [Double]) -> Double { let s = values.sorted(); return s.isEmpty ? 0 : s[s.count / 2] }
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("executor-bench: " + message + "\n").utf8))
    exit(1)
}

/// The whole benchmark; top-level code would make its variables main-actor globals.
func benchmark() {
    BLASKernel.restartWithPreferredKernel()  // the kernels `stagecraft run` computes with
    print("OpenBLAS kernels: \(BLASKernel.current)")
    var arguments = CommandLine.arguments.dropFirst()
    var databasePath: String?
    var iterations = 6
    while let argument = arguments.popFirst() {
        switch argument {
        case "--db": databasePath = arguments.popFirst()
        case "--iterations": iterations = arguments.popFirst().flatMap { Int($0) } ?? iterations
        default: fail("unknown argument \(argument); usage: executor-bench [--db PATH] [--iterations K]")
        }
    }

    /// Runs `iterations` iterations and drops the first (warm-up).
    func measure(_ family: ScheduleFamily, p: Int, m: Int, layers: Int, hidden: Int, batch: Int) -> (ThreadedExecutor, [IterationResult]) {
        do {
            let schedule = try family.make(devices: p, microbatches: m)
            let executor = try ThreadedExecutor(schedule: schedule, model: MLPConfiguration(layers: layers, hidden: hidden, batch: batch, learningRate: 1e-4))
            let results = try executor.run(iterations: iterations)
            return (executor, Array(results.dropFirst()))
        } catch {
            fail("\(family.rawValue) p=\(p) m=\(m): \(error)")
        }
    }

    /// sgemm floating-point operations of one action (2·M·N·K per multiply; bias, ReLU and sgemv not counted).
    func flops(_ action: Action, executor: ThreadedExecutor) -> Double {
        let k = Double(executor.layersPerStage[action.stage])
        let unit = 2 * Double(executor.microbatchRows) * Double(executor.model.hidden) * Double(executor.model.hidden)
        let inputGradLayers = action.stage == 0 ? k - 1 : k
        switch action.op {
        case .forward, .recompute: return k * unit
        case .inputGrad: return inputGradLayers * unit
        case .weightGrad: return k * unit
        case .backward: return (inputGradLayers + k) * unit
        case .gradSync: return 0
        }
    }

    openblas_set_num_threads(1)
    let p = 2, m = 8, layers = 8, hidden = 1024, batch = 256
    let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init) ?? "?"
    print("executor-bench: \(ProcessInfo.processInfo.activeProcessorCount) CPUs, load average \(load), \(iterations) iterations per configuration (first dropped)")

    // (c) and the executor side of (a): 1F1B, p = 2, m = 8.
    let (pipelined, pipelinedResults) = measure(.oneFOneB, p: p, m: m, layers: layers, hidden: hidden, batch: batch)
    let (_, sequentialResults) = measure(.gpipe, p: 1, m: 1, layers: layers, hidden: hidden, batch: batch)
    let pipelinedStep = median(pipelinedResults.map { Double($0.stepTime) })
    let sequentialStep = median(sequentialResults.map { Double($0.stepTime) })
    let ideal = sequentialStep * Double(m + p - 1) / Double(m * p)
    // The same ideal from the pipelined run's own compute (micro-batch-sized sgemms, two threads
    // sharing the machine): mean busy time per device × (m + p − 1)/m. Step / this isolates what the
    // executor and the schedule add from how fast the compute itself ran.
    let ownIdeal = median(pipelinedResults.map { result in
        let busy = (0..<p).reduce(0.0) { $0 + Double(result.timeline.busy(device: $1)) } / Double(p)
        return busy * Double(m + p - 1) / Double(m)
    })

    // (a) GFLOP/s inside the executor's stage compute vs bare cblas_sgemm of the same shapes, both on one
    // thread (GPipe p = 1, m = 8: micro-batches of batch / m rows), alternated so both see the same load.
    let rows = batch / m
    let a = UnsafeMutablePointer<Float>.allocate(capacity: rows * hidden); a.initialize(repeating: 0.5, count: rows * hidden)
    let c = UnsafeMutablePointer<Float>.allocate(capacity: rows * hidden); c.initialize(repeating: 0, count: rows * hidden)
    // One weight and one gradient matrix per layer, as the model has: the same working set.
    let ws = (0..<layers).map { _ in
        let w = UnsafeMutablePointer<Float>.allocate(capacity: hidden * hidden); w.initialize(repeating: 0.01, count: hidden * hidden); return w
    }
    let gs = (0..<layers).map { _ in
        let g = UnsafeMutablePointer<Float>.allocate(capacity: hidden * hidden); g.initialize(repeating: 0, count: hidden * hidden); return g
    }
    let n = Int32(hidden), r = Int32(rows)
    /// GFLOP/s of `repeats` rounds of the three stage shapes — F (x·W), I (g·Wᵀ), W (xᵀ·g) — each round
    /// on the next layer's matrices.
    func bare(_ repeats: Int) -> Double {
        let start = now()
        for round in 0..<repeats {
            let w = ws[round % layers], g = gs[round % layers]
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, r, n, n, 1, a, n, w, n, 1, c, n)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, r, n, n, 1, c, n, w, n, 0, a, n)
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, r, 1, a, n, c, n, 1, g, n)
        }
        return Double(repeats) * 3 * 2 * Double(rows) * Double(hidden) * Double(hidden) / Double(now() - start)
    }
    /// sgemm flops of every action over the time the actions took (bias, ReLU, copies included in the time).
    func inside(_ executor: ThreadedExecutor, _ results: [IterationResult]) -> Double {
        var total = 0.0, busy = 0.0
        for result in results {
            for (id, action) in result.timeline.schedule.actions.enumerated() {
                total += flops(action, executor: executor)
                busy += Double(result.timeline.end[id] - result.timeline.start[id])
            }
        }
        return total / busy
    }
    _ = bare(10)
    var bareSamples: [Double] = [], insideSamples: [Double] = []
    do {
        let executor = try ThreadedExecutor(schedule: try ScheduleFamily.gpipe.make(devices: 1, microbatches: m),
                                            model: MLPConfiguration(layers: layers, hidden: hidden, batch: batch, learningRate: 1e-4))
        _ = try executor.run(iterations: 1)
        for _ in 0..<max(5, iterations) {
            insideSamples.append(inside(executor, try executor.run(iterations: 1)))
            bareSamples.append(bare(2 * m * layers / 3))
        }
    } catch {
        fail("(a): \(error)")
    }
    let executorGflops = median(insideSamples), bareGflops = median(bareSamples)
    let pipelinedGflops = inside(pipelined, pipelinedResults)

    // (b) per-action overhead with tiny matrices (hidden 4, 2 rows per micro-batch).
    func overhead(_ family: ScheduleFamily, p: Int, m: Int) -> (gap: Double, compute: Double) {
        let (_, results) = measure(family, p: p, m: m, layers: p, hidden: 4, batch: 2 * m)
        var gaps: [Double] = [], computes: [Double] = []
        for result in results {
            let timeline = result.timeline
            // Busiest device: (its first start → last end − its busy time) / its action gaps.
            let device = (0..<p).max { timeline.busy(device: $0) < timeline.busy(device: $1) } ?? 0
            let range = timeline.schedule.actionRange(of: device)
            guard let first = range.first, let last = range.last else { continue }
            let span = Double(timeline.end[last] - timeline.start[first])
            let busy = Double(timeline.busy(device: device))
            gaps.append((span - busy) / Double(max(1, range.count - 1)))
            computes.append(busy / Double(range.count))
        }
        return (median(gaps), median(computes))
    }
    let single = overhead(.gpipe, p: 1, m: 256)
    let handoff = overhead(.oneFOneB, p: 2, m: 256)

    func ms(_ ns: Double) -> String { String(format: "%.2f ms", ns / 1e6) }
    func us(_ ns: Double) -> String { String(format: "%.2f µs", ns / 1e3) }
    let table: [(String, String, String, String)] = [
        ("(a) sgemm in stage compute, p=1", String(format: "%.1f GFLOP/s", executorGflops), String(format: "bare cblas_sgemm %.1f GFLOP/s", bareGflops),
         String(format: "%.2f× (goal ≥ 0.9×)", executorGflops / bareGflops)),
        ("    sgemm in 1F1B p=2 stages", String(format: "%.1f GFLOP/s", pipelinedGflops), "(two device threads)", String(format: "%.2f×", pipelinedGflops / bareGflops)),
        ("(b) overhead per action, p=1", us(single.gap), "tiny compute " + us(single.compute), "goal ≤ 5 µs"),
        ("(b) gap per action, 1F1B p=2", us(handoff.gap), "tiny compute " + us(handoff.compute), "includes cross-thread wake-ups"),
        ("(c) step 1F1B p=2 m=8", ms(pipelinedStep), "ideal " + ms(ideal), String(format: "%.2f× ideal", pipelinedStep / ideal)),
        ("    same, ideal from own compute", ms(pipelinedStep), "ideal " + ms(ownIdeal), String(format: "%.2f× ideal", pipelinedStep / ownIdeal)),
        ("    sequential (p=1, m=1)", ms(sequentialStep), "", ""),
    ]
    let widths = [0, 1, 2, 3].map { column in table.map { [$0.0, $0.1, $0.2, $0.3][column].count }.max() ?? 0 }
    func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
    print(pad("measure", widths[0]) + " | " + pad("executor", widths[1]) + " | " + pad("reference", widths[2]) + " | ratio")
    for row in table {
        print(pad(row.0, widths[0]) + " | " + pad(row.1, widths[1]) + " | " + pad(row.2, widths[2]) + " | " + row.3)
    }
    print(String(format: "(c) measured bubble ratio of the pipelined step: %.1f%%", (pipelinedResults.last?.timeline.bubbleRatio ?? 0) * 100))

    if let databasePath, let last = pipelinedResults.last {
        do {
            let store = try RunStore(path: databasePath)
            let config = "{\"benchmark\":\"executor-bench\",\"layers\":\(layers),\"hidden\":\(hidden),\"batch\":\(batch),"
                + "\"sequentialStepNs\":\(Int(sequentialStep)),\"pipelinedStepNs\":\(Int(pipelinedStep)),\"idealStepNs\":\(Int(ideal)),"
                + String(format: "\"executorGflops\":%.2f,\"bareGflops\":%.2f,\"overheadNs\":%.0f}", executorGflops, bareGflops, single.gap)
            let id = try store.beginRun(NewRun(kind: .executed, schedule: last.timeline.schedule, configJSON: config,
                                               host: RunStore.hostDescription(), toolVersion: "executor-bench"))
            try store.completeRun(id: id, timeline: last.timeline)
            print("recorded the pipelined run as run \(id) in \(databasePath)")
        } catch {
            fail("recording in \(databasePath): \(error)")
        }
    }
}

benchmark()
