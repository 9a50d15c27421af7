import GRDB

/// A `stagecraft tune` as stored: what was searched and how long it took, with its candidates.
public struct TuneRecord: Sendable, Equatable {
    public var id: Int64 = 0
    public var createdAt = ""
    public var host: String
    public var toolVersion: String
    /// The search as JSON (knobs, costs, budget), written by the CLI.
    public var configJSON: String
    public var devices: Int
    public var memoryBudgetBytes: Int64?
    /// The lowest lower bound over the micro-batch counts tried (ns).
    public var lowerBoundNs: Int64
    public var evaluated: Int
    public var seconds: Double
    /// Ranked ones first (rank 1 is the winner), then those over the budget.
    public var candidates: [TuneCandidateRecord]

    public init(host: String, toolVersion: String, configJSON: String, devices: Int, memoryBudgetBytes: Int64?, lowerBoundNs: Int64,
                evaluated: Int, seconds: Double, candidates: [TuneCandidateRecord]) {
        self.host = host
        self.toolVersion = toolVersion
        self.configJSON = configJSON
        self.devices = devices
        self.memoryBudgetBytes = memoryBudgetBytes
        self.lowerBoundNs = lowerBoundNs
        self.evaluated = evaluated
        self.seconds = seconds
        self.candidates = candidates
    }
}

/// One candidate of a tune: its knobs and what the simulator predicted for it.
public struct TuneCandidateRecord: Sendable, Equatable {
    /// 1 for the best within the budget; nil over the budget.
    public var rank: Int?
    public var schedule: String
    public var microbatches, chunks, stages: Int
    public var recompute: Bool
    public var layerSplit: String?
    public var layersPerStage: [Int]?
    public var makespanNs, iterationNs: Int64
    public var bubbleRatio: Double
    public var peakMemoryPerDevice: [Int64]
    public var microbatchesPerSecond: Double
    public var samplesPerSecond: Double?
    public var withinBudget, onFrontier: Bool
    public var lowerBoundNs: Int64
    public var reason: String?
    /// A synthesized schedule in PyTorch's CSV format (handcrafted ones are rebuilt from their knobs).
    public var scheduleCSV: String?
    /// How `tune --measure` measured it; nil when it was not measured.
    public var measured: MeasuredCandidate?

    /// A candidate as `tune --measure` measured it on the threaded executor.
    public struct MeasuredCandidate: Sendable, Equatable {
        /// 1 for the fastest measured (the measured choice).
        public var rank: Int
        /// Step time (iteration and SGD step) over the kept iterations: median and quartiles, ns.
        public var stepNs, stepQ1Ns, stepQ3Ns: Double
        public var iterations: Int

        public init(rank: Int, stepNs: Double, stepQ1Ns: Double, stepQ3Ns: Double, iterations: Int) {
            self.rank = rank
            self.stepNs = stepNs
            self.stepQ1Ns = stepQ1Ns
            self.stepQ3Ns = stepQ3Ns
            self.iterations = iterations
        }
    }

    public init(rank: Int?, schedule: String, microbatches: Int, chunks: Int, stages: Int, recompute: Bool, layerSplit: String?,
                layersPerStage: [Int]?, makespanNs: Int64, iterationNs: Int64, bubbleRatio: Double, peakMemoryPerDevice: [Int64],
                microbatchesPerSecond: Double, samplesPerSecond: Double?, withinBudget: Bool, onFrontier: Bool, lowerBoundNs: Int64,
                reason: String?, scheduleCSV: String?, measured: MeasuredCandidate? = nil) {
        self.rank = rank
        self.schedule = schedule
        self.microbatches = microbatches
        self.chunks = chunks
        self.stages = stages
        self.recompute = recompute
        self.layerSplit = layerSplit
        self.layersPerStage = layersPerStage
        self.makespanNs = makespanNs
        self.iterationNs = iterationNs
        self.bubbleRatio = bubbleRatio
        self.peakMemoryPerDevice = peakMemoryPerDevice
        self.microbatchesPerSecond = microbatchesPerSecond
        self.samplesPerSecond = samplesPerSecond
        self.withinBudget = withinBudget
        self.onFrontier = onFrontier
        self.lowerBoundNs = lowerBoundNs
        self.reason = reason
        self.scheduleCSV = scheduleCSV
        self.measured = measured
    }

    /// The most loaded device's peak.
    public var peakMemoryBytes: Int64 { peakMemoryPerDevice.max() ?? 0 }
}

extension RunStore {
    /// Stores a tune and all its candidates in one transaction; returns the tune's id.
    public func recordTune(_ tune: TuneRecord) throws(StoreError) -> Int64 {
        try write("recording the tune") { db in
            try db.execute(sql: """
                INSERT INTO tunes (host, tool_version, config, devices, memory_budget_bytes, lower_bound_ns, evaluated, seconds)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [tune.host, tune.toolVersion, tune.configJSON, tune.devices, tune.memoryBudgetBytes, tune.lowerBoundNs,
                                 tune.evaluated, tune.seconds])
            let id = db.lastInsertedRowID
            let insert = try db.cachedStatement(sql: """
                INSERT INTO tune_candidates (tune_id, position, rank, schedule, microbatches, chunks, stages, recompute, layer_split,
                    layers_per_stage, makespan_ns, iteration_ns, bubble_ratio, peak_memory_bytes, peak_memory_per_device,
                    microbatches_per_s, samples_per_s, within_budget, on_frontier, lower_bound_ns, reason, schedule_csv,
                    measured_rank, measured_step_ns, measured_step_q1_ns, measured_step_q3_ns, measured_iterations)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for (position, c) in tune.candidates.enumerated() {
                try insert.execute(arguments: [
                    id, position, c.rank, c.schedule, c.microbatches, c.chunks, c.stages, c.recompute, c.layerSplit,
                    c.layersPerStage.map(Self.list), c.makespanNs, c.iterationNs, c.bubbleRatio, c.peakMemoryBytes,
                    Self.list(c.peakMemoryPerDevice), c.microbatchesPerSecond, c.samplesPerSecond, c.withinBudget, c.onFrontier,
                    c.lowerBoundNs, c.reason, c.scheduleCSV,
                    c.measured?.rank, c.measured?.stepNs, c.measured?.stepQ1Ns, c.measured?.stepQ3Ns, c.measured?.iterations,
                ])
            }
            return id
        }
    }

    /// The tune with this id and its candidates in stored order, or nil when there is none.
    public func tune(id: Int64) throws(StoreError) -> TuneRecord? {
        try read("reading tune \(id)") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM tunes WHERE id = ?", arguments: [id]) else { return nil }
            let candidates = try Row.fetchAll(db, sql: "SELECT * FROM tune_candidates WHERE tune_id = ? ORDER BY position",
                                              arguments: [id]).map { c in
                TuneCandidateRecord(
                    rank: try c.decode(forColumn: "rank"), schedule: try c.decode(forColumn: "schedule"),
                    microbatches: try c.decode(forColumn: "microbatches"), chunks: try c.decode(forColumn: "chunks"),
                    stages: try c.decode(forColumn: "stages"), recompute: try c.decode(forColumn: "recompute"),
                    layerSplit: try c.decode(forColumn: "layer_split"),
                    layersPerStage: (try c.decode(String?.self, forColumn: "layers_per_stage")).map { Self.parseList($0).map(Int.init) },
                    makespanNs: try c.decode(forColumn: "makespan_ns"), iterationNs: try c.decode(forColumn: "iteration_ns"),
                    bubbleRatio: try c.decode(forColumn: "bubble_ratio"),
                    peakMemoryPerDevice: Self.parseList(try c.decode(forColumn: "peak_memory_per_device")),
                    microbatchesPerSecond: try c.decode(forColumn: "microbatches_per_s"), samplesPerSecond: try c.decode(forColumn: "samples_per_s"),
                    withinBudget: try c.decode(forColumn: "within_budget"), onFrontier: try c.decode(forColumn: "on_frontier"),
                    lowerBoundNs: try c.decode(forColumn: "lower_bound_ns"), reason: try c.decode(forColumn: "reason"),
                    scheduleCSV: try c.decode(forColumn: "schedule_csv"),
                    measured: try (c.decode(Int?.self, forColumn: "measured_rank")).map { rank in
                        TuneCandidateRecord.MeasuredCandidate(
                            rank: rank, stepNs: try c.decode(forColumn: "measured_step_ns"), stepQ1Ns: try c.decode(forColumn: "measured_step_q1_ns"),
                            stepQ3Ns: try c.decode(forColumn: "measured_step_q3_ns"), iterations: try c.decode(forColumn: "measured_iterations"))
                    })
            }
            var record = TuneRecord(host: try row.decode(forColumn: "host"), toolVersion: try row.decode(forColumn: "tool_version"),
                                    configJSON: try row.decode(forColumn: "config"), devices: try row.decode(forColumn: "devices"),
                                    memoryBudgetBytes: try row.decode(forColumn: "memory_budget_bytes"),
                                    lowerBoundNs: try row.decode(forColumn: "lower_bound_ns"), evaluated: try row.decode(forColumn: "evaluated"),
                                    seconds: try row.decode(forColumn: "seconds"), candidates: candidates)
            record.id = id
            record.createdAt = try row.decode(forColumn: "created_at")
            return record
        }
    }

    /// A JSON list of integers, e.g. `[12,12,8]`.
    private static func list<T: BinaryInteger>(_ values: [T]) -> String {
        "[" + values.map { String($0) }.joined(separator: ",") + "]"
    }

    private static func parseList(_ text: String) -> [Int64] {
        text.split(whereSeparator: { !$0.isNumber && $0 != "-" }).compactMap { Int64($0) }
    }
}
