import Foundation
import Simulator

/// One case of a baseline: a schedule (a family or a CSV file), its costs, what it gave when saved, and
/// optionally a measured run.
public struct BaselineCase: Codable, Equatable, Sendable {
    /// Unique within the file; names the case in every report.
    public var name: String
    /// A schedule family (`1f1b`, `zb-v`, …) with `devices`, `microbatches` and optionally `chunks`; or
    /// `file`, a PyTorch-format CSV (relative to the baseline file).
    public var schedule: String?
    public var file: String?
    public var devices: Int?
    public var microbatches: Int?
    public var chunks: Int?
    /// Activation recompute (an R before every backward).
    public var recompute: Bool?
    /// The costs: an inline cost model, or `cost_model_file` (a JSON file relative to the baseline
    /// file, e.g. from `calibrate`).
    public var costModel: CostModel?
    public var costModelFile: String?
    /// A measured case: the MLP the threaded executor trains with the schedule.
    public var measured: MeasuredSetup?
    /// Per-metric tolerances of this case (override the file's).
    public var tolerances: [String: Tolerance]?
    /// What the case gave when saved or updated; nil in a case list not yet saved.
    public var results: CaseResults?

    enum CodingKeys: String, CodingKey {
        case name, schedule, file, devices, microbatches, chunks, recompute, measured, tolerances, results
        case costModel = "cost_model", costModelFile = "cost_model_file"
    }

    public init(name: String, schedule: String? = nil, file: String? = nil, devices: Int? = nil, microbatches: Int? = nil,
                chunks: Int? = nil, recompute: Bool? = nil, costModel: CostModel? = nil, costModelFile: String? = nil,
                measured: MeasuredSetup? = nil, tolerances: [String: Tolerance]? = nil, results: CaseResults? = nil) {
        self.name = name
        self.schedule = schedule
        self.file = file
        self.devices = devices
        self.microbatches = microbatches
        self.chunks = chunks
        self.recompute = recompute
        self.costModel = costModel
        self.costModelFile = costModelFile
        self.measured = measured
        self.tolerances = tolerances
        self.results = results
    }

    /// Refuses a case that does not name its schedule and costs exactly once.
    func checkShape(file path: String) throws(BaselineError) {
        let at = "case '\(name)'"
        switch (schedule, file) {
        case (nil, nil): throw .unreadable(path, "\(at) names no schedule: give \"schedule\" (a family) or \"file\" (a CSV)")
        case (.some, .some): throw .unreadable(path, "\(at) gives both \"schedule\" and \"file\"; keep one")
        case (.some, nil):
            guard devices != nil, microbatches != nil else { throw .unreadable(path, "\(at): \"schedule\" needs \"devices\" and \"microbatches\"") }
        case (nil, .some): break
        }
        if costModel != nil && costModelFile != nil { throw .unreadable(path, "\(at) gives both \"cost_model\" and \"cost_model_file\"; keep one") }
        if measured == nil && costModel == nil && costModelFile == nil {
            throw .unreadable(path, "\(at) has no costs: give \"cost_model\" (inline) or \"cost_model_file\", or \"measured\" for a measured case")
        }
        if let measured, measured.layers < 1 || measured.hidden < 1 || measured.batch < 1 || (measured.iterations ?? 1) < 1 || (measured.rounds ?? 1) < 1 {
            throw .unreadable(path, "\(at): \"measured\" needs layers, hidden, batch, iterations and rounds of at least 1")
        }
        for (metric, tolerance) in tolerances ?? [:] { try tolerance.check(metric: metric, file: path) }
    }
}

/// The MLP and protocol of a measured case (`stagecraft run` with these options).
public struct MeasuredSetup: Codable, Equatable, Sendable {
    public var layers: Int
    public var hidden: Int
    public var batch: Int
    /// Iterations per run (the first is discarded as cold, disturbed ones as `run` says).
    public var iterations: Int?
    /// Runs per check, each in a fresh process, the cases taking turns (default 5); a save runs twice as
    /// many, a check up to four times as many for a case that looks regressed.
    public var rounds: Int?

    public init(layers: Int, hidden: Int, batch: Int, iterations: Int? = nil, rounds: Int? = nil) {
        self.layers = layers
        self.hidden = hidden
        self.batch = batch
        self.iterations = iterations
        self.rounds = rounds
    }
}

/// What a case gave: the metrics compared. For a measured case the makespan is its fastest run's
/// typical makespan and the bubble its least (the machine's noise only slows runs down), with the
/// quartiles of the runs' makespans and how many runs there were.
public struct CaseResults: Codable, Equatable, Sendable {
    public var makespanNs: Int64
    public var iterationNs: Int64?
    public var bubbleRatio: Double
    public var peakMemoryBytes: Int64
    /// Measured cases: the quartiles of the runs' typical makespans.
    public var makespanQ1Ns: Int64?
    public var makespanQ3Ns: Int64?
    /// Simulated cases: the costs the results came from, so a check can redraw the baseline's timeline
    /// and say which costs changed.
    public var costModel: CostModel?
    /// Measured cases: how many runs the values come from.
    public var runs: Int?

    enum CodingKeys: String, CodingKey {
        case makespanNs = "makespan_ns", iterationNs = "iteration_ns", bubbleRatio = "bubble_ratio"
        case peakMemoryBytes = "peak_memory_bytes", makespanQ1Ns = "makespan_q1_ns", makespanQ3Ns = "makespan_q3_ns"
        case costModel = "cost_model", runs
    }

    public init(makespanNs: Int64, iterationNs: Int64?, bubbleRatio: Double, peakMemoryBytes: Int64, makespanQ1Ns: Int64? = nil,
                makespanQ3Ns: Int64? = nil, costModel: CostModel? = nil, runs: Int? = nil) {
        self.makespanNs = makespanNs
        self.iterationNs = iterationNs
        self.bubbleRatio = bubbleRatio
        self.peakMemoryBytes = peakMemoryBytes
        self.makespanQ1Ns = makespanQ1Ns
        self.makespanQ3Ns = makespanQ3Ns
        self.costModel = costModel
        self.runs = runs
    }

    /// The value of `metric`, nil when the results lack it.
    public func value(_ metric: Metric) -> Double? {
        switch metric {
        case .makespan: Double(makespanNs)
        case .iteration: iterationNs.map(Double.init)
        case .bubble: bubbleRatio
        case .peakMemory: Double(peakMemoryBytes)
        }
    }
}
