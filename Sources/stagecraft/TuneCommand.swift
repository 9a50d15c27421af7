import ArgumentParser
import Foundation
import Report
import Schedule
import Simulator
import Store
import Tune

extension LayerSplit: ExpressibleByArgument {}

/// `stagecraft tune`: which schedule, how many micro-batches and chunks, and whether to recompute,
/// for the given costs, devices and memory budget — every candidate simulated and ranked.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Rank schedules, micro-batch counts, chunks and recompute by simulated throughput under a memory budget.",
        discussion: """
            Costs come from a cost model (--cost-model FILE, e.g. from 'stagecraft calibrate', and/or the \
            cost options of 'simulate'): one value for all stages, or per-stage lists of k values per device \
            (calibrate --chunks k). Candidates with fewer stages get them merged, those with more get them cut \
            into equal parts — calibrate at the finest split you tune. Each micro-batch costs the same, so --microbatches \
            lists the counts to try and throughput is micro-batches per second. With --model and --hardware \
            the costs are a transformer's: --global-batch sequences are split into m micro-batches for every m \
            that divides it (or those of --microbatches), and the layers are split evenly or balanced against \
            the output head. Candidates whose most loaded device exceeds --memory-budget (default with \
            --hardware: its memory) are discarded. Every result is also given as a ratio to the lower bound \
            of its micro-batch count: the makespan no schedule of these costs can beat. With --measure K the \
            K best predicted train the calibration's MLP on the threaded executor, taking turns, and the \
            choice is the fastest measured, or the best predicted of those whose step quartiles overlap its.
            """
    )

    @Option(help: "Number of devices (pipeline ranks), at least 1.")
    var devices: Int

    @Option(help: ArgumentHelp("Micro-batch counts to try, e.g. 8,16,32 (with --global-batch: a subset of its divisors; default all of them).", valueName: "m,…"))
    var microbatches: String?

    @Option(help: "Sequences per iteration, divided into micro-batches (needs --model).")
    var globalBatch: Int?

    @Option(help: ArgumentHelp("Schedule families to try (default: all: \(ScheduleFamily.allCases.map(\.rawValue).joined(separator: ","))).", valueName: "family,…"))
    var families: String?

    @Option(help: ArgumentHelp("Stages per device to try for interleaved and looped-bfs (with 1 they are 1f1b and gpipe).", valueName: "v,…"))
    var chunks: String = "2,4"

    @Option(help: "Activation recompute: no, yes or both.")
    var recompute: RecomputeChoice = .both

    @Option(help: ArgumentHelp("With --model: layer splits to try (even, balanced).", valueName: "split,…"))
    var layerSplits: String = "even,balanced"

    @Flag(help: "Also synthesize a schedule for every micro-batch count (list scheduling under the budget, then local search with the simulator).")
    var synthesize = false

    @Option(help: ArgumentHelp("Peak memory allowed per device, weights included, e.g. 80GB (default: the --hardware's memory; none without it).", valueName: "size"))
    var memoryBudget: String?

    @Option(help: "Rows of the ranked table to print (--json: entries of 'ranked').")
    var top: Int = 10

    @Option(help: ArgumentHelp("Draw throughput against peak memory, every candidate a point and the frontier a line, into this SVG file.", valueName: "file.svg"))
    var plot: String?

    @Option(help: ArgumentHelp("Write the winner's schedule to this file in PyTorch's CSV format (run it with 'run --file').", valueName: "file.csv"))
    var saveSchedule: String?

    @Option(help: "Skip candidates of more actions than this.")
    var maxActions = ScheduleSize.defaultActionLimit

    @OptionGroup(title: "Measure the best candidates on the threaded executor") var measuring: TuneMeasureOptions

    @OptionGroup var costOptions: CostOptions
    @OptionGroup(title: "Transformer on a GPU cluster") var transformer: TransformerOptions

    @Flag(help: "Print the result as JSON instead of tables.")
    var json = false

    @Option(help: "Results database (SQLite) the tune is recorded in.")
    var db: String = "stagecraft.db"

    @Flag(help: "Do not record the tune in the database.")
    var noRecord = false

    enum RecomputeChoice: String, ExpressibleByArgument, CaseIterable {
        case no, yes, both
        var values: [Bool] { self == .no ? [false] : self == .yes ? [true] : [false, true] }
    }

    func validate() throws {
        guard devices >= 1 else { throw ValidationError("--devices \(devices): give at least 1 device") }
        guard top >= 1 else { throw ValidationError("--top \(top): give at least 1 row") }
        guard maxActions >= 1 else { throw ValidationError("--max-actions \(maxActions): give a positive number of actions") }
        if transformer.isGiven {
            guard globalBatch != nil else { throw ValidationError("--model needs --global-batch N: the sequences per iteration that the micro-batches divide") }
            if transformer.microbatchSize != nil {
                throw ValidationError("--microbatch-size is what tune chooses (global batch ÷ micro-batches); leave it out")
            }
            if transformer.layersPerStage != nil {
                throw ValidationError("--layers-per-stage is what tune chooses (--layer-splits even,balanced); leave it out")
            }
        } else {
            if globalBatch != nil { throw ValidationError("--global-batch needs --model: a cost model prices one micro-batch of a fixed size; list micro-batch counts with --microbatches") }
            guard microbatches != nil else { throw ValidationError("give the micro-batch counts to try: --microbatches 8,16,32") }
        }
        if measuring.measure != nil && transformer.isGiven {
            throw ValidationError("--measure trains the MLP a calibration describes on this machine's threaded executor; a --model's costs are a GPU cluster's, so tune ranks them by prediction alone")
        }
        if let globalBatch, globalBatch < 1 { throw ValidationError("--global-batch \(globalBatch): give at least 1 sequence") }
    }

    func run() throws {
        let space = try makeSpace()
        let (pricing, hardwareMemory, uncertainty) = try makePricing()
        let budget = try memoryBudget.map { Int64(try CostQuantity.single($0, .bytes, option: "--memory-budget")) } ?? hardwareMemory
        var tuner = Tuner(devices: devices, space: space, pricing: pricing, memoryBudget: budget)
        tuner.actionLimit = maxActions
        let total = space.candidates(withLayerSplits: pricing.splitsLayers).count
        let bar = ProgressBar(total: total, label: "tune: simulating \(total) candidates")
        let outcome: TuneOutcome
        do {
            outcome = try tuner.run { done, _ in if done % 64 == 0 { bar.set(completed: done) } }
        } catch {
            bar.finish()
            throw CommandError(error.description)
        }
        bar.finish()
        let report = TuneReport(outcome: outcome, devices: devices, budget: budget, top: top, uncertainty: uncertainty)
        if !json { print(report.text()) }
        let measurement = try measuring.measure.map { _ in
            try TuneMeasurement.run(outcome.ranked, options: measuring, schedule: schedule(of:), say: json ? { _ in } : { print($0) })
        }
        // The measured choice, when measured; the predicted one otherwise.
        let choice = measurement?.choice.result ?? outcome.ranked.first

        if let plot {
            let title = "stagecraft tune: \(devices) devices, \(outcome.evaluated) candidates"
            try OutputFile.write(FrontierPlot.svg(outcome, memoryBudget: budget, title: title), to: plot)
        }
        if let saveSchedule, let choice {
            try OutputFile.write(ScheduleCSV.export(try schedule(of: choice)), to: saveSchedule)
        }
        var tuneID: Int64?
        if !noRecord {
            do {
                tuneID = try RunStore(path: db).recordTune(try record(outcome, budget: budget, space: space, measurement: measurement))
            } catch {
                throw CommandError(CommandText.naming(db, error))
            }
        }
        if json {
            print(try report.json(tuneID: tuneID, measured: measurement?.json))
        } else {
            if let measurement { print(measurement.text()) }
            if let plot { print("frontier drawn in \(plot)") }
            if let saveSchedule, let choice { print("\(choice.candidate.label) written to \(saveSchedule)") }
            if let tuneID { print("recorded tune \(tuneID) in \(db)") }
        }
    }

    /// The knobs from the options.
    private func makeSpace() throws -> TuneSpace {
        let families = try families.map { text in
            try list(text, option: "--families") { name in
                guard let family = ScheduleFamily(rawValue: name) else {
                    throw ValidationError("--families '\(name)': not a schedule family; choose from \(ScheduleFamily.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return family
            }
        } ?? ScheduleFamily.allCases
        let chunkCounts = try list(chunks, option: "--chunks") { try count($0, option: "--chunks") }
        var counts = try microbatches.map { text in try list(text, option: "--microbatches") { try count($0, option: "--microbatches") } }
        if let globalBatch {
            let divisors = TuneSpace.divisors(of: globalBatch)
            if let counts, let bad = counts.first(where: { globalBatch % $0 != 0 }) {
                throw ValidationError("--microbatches \(bad) does not divide --global-batch \(globalBatch); its divisors are \(divisors.map(String.init).joined(separator: ","))")
            }
            counts = counts ?? divisors
        }
        let splits = try list(layerSplits, option: "--layer-splits") { name in
            guard let split = LayerSplit(rawValue: name) else { throw ValidationError("--layer-splits '\(name)': choose even and/or balanced") }
            return split
        }
        return TuneSpace(families: families, microbatchCounts: counts ?? [], chunkCounts: chunkCounts, recompute: recompute.values,
                         layerSplits: splits, synthesize: synthesize)
    }

    /// The costs: a transformer's (and its device memory) or the cost model of the options, and the
    /// costs' uncertainty.
    private func makePricing() throws -> (any CandidatePricing, Int64?, Double?) {
        if let (model, hardware) = try transformer.resolved(), let globalBatch {
            var options = try costOptions.makeCostModel(startingFrom: CostModel())
            let uncertainty = options.uncertainty
            options.uncertainty = nil
            guard costOptions.costModel == nil, options == CostModel() else {
                throw CommandError("--model derives every cost of every candidate; leave out --cost-model and the cost options other than --uncertainty (simulate takes them on top of --model)")
            }
            let pricing = TransformerPricing(model: model, hardware: hardware, tensorParallel: transformer.tensorParallel, globalBatch: globalBatch)
            return (pricing, Int64(hardware.memoryBytes), uncertainty)
        }
        do {
            let base = try costOptions.makeCostModel()
            return (try FixedCostPricing(base: base, devices: devices), nil, base.uncertainty)
        } catch let error as TuneError {
            throw CommandError(error.description)
        }
    }

    /// The schedule a result stands for (rebuilt from its knobs unless synthesized).
    private func schedule(of result: CandidateResult) throws -> Schedule {
        if let synthesized = result.synthesized { return synthesized }
        guard let family = result.candidate.family else { throw CommandError("the winner has no schedule to write") }
        var schedule = try family.make(devices: devices, microbatches: result.candidate.microbatches, chunks: result.candidate.chunks)
        if result.candidate.recompute { schedule = schedule.recomputingActivations() }
        return schedule
    }

    private func record(_ outcome: TuneOutcome, budget: Int64?, space: TuneSpace, measurement: TuneMeasurement?) throws -> TuneRecord {
        let costs = transformer.isGiven ? "model \(transformer.model ?? "") on \(transformer.hardware ?? ""), global batch \(globalBatch ?? 0)"
            : costOptions.costModel ?? "cost options"
        let measured = measurement.map { m in
            TuneConfig.Measure(candidates: m.entries.count, layers: measuring.mlpLayers, hidden: measuring.mlpHidden, rows: measuring.rowsPerMicrobatch,
                               seed: measuring.mlpSeed, rounds: measuring.rounds, iterations_per_turn: measuring.iterationsPerTurn, rule: TuneMeasurement.rule)
        }
        let config = TuneConfig(devices: devices, families: space.families.map(\.rawValue), microbatches: space.microbatchCounts,
                                chunks: space.chunkCounts, recompute: recompute.rawValue, layer_splits: space.layerSplits.map(\.rawValue),
                                synthesize: synthesize, memory_budget_bytes: budget, costs: costs, measure: measured)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let configJSON = String(decoding: try encoder.encode(config), as: UTF8.self)
        var candidates: [TuneCandidateRecord] = []
        for (index, result) in outcome.ranked.enumerated() {
            var record = TuneReport.record(result, rank: index + 1)
            if let measurement, let rank = measurement.entries.firstIndex(where: { $0.predictedRank == index + 1 }) {
                let step = measurement.entries[rank].step
                record.measured = TuneCandidateRecord.MeasuredCandidate(rank: rank + 1, stepNs: step.median, stepQ1Ns: step.q1, stepQ3Ns: step.q3,
                                                                        iterations: measurement.entries[rank].iterations)
            }
            candidates.append(record)
        }
        for result in outcome.overBudget { candidates.append(TuneReport.record(result, rank: nil)) }
        return TuneRecord(host: RunStore.hostDescription(), toolVersion: StagecraftVersion.current, configJSON: configJSON,
                          devices: devices, memoryBudgetBytes: budget, lowerBoundNs: outcome.lowerBound?.makespan ?? 0,
                          evaluated: outcome.evaluated, seconds: outcome.seconds, candidates: candidates)
    }

    /// The search as stored with the tune.
    private struct TuneConfig: Encodable {
        let devices: Int
        let families: [String]
        let microbatches, chunks: [Int]
        let recompute: String
        let layer_splits: [String]
        let synthesize: Bool
        let memory_budget_bytes: Int64?
        let costs: String
        /// With --measure: what ran on the threaded executor.
        let measure: Measure?

        struct Measure: Encodable {
            let candidates, layers, hidden, rows: Int
            let seed: UInt64
            let rounds, iterations_per_turn: Int
            let rule: String
        }
    }

    private func list<T>(_ text: String, option: String, _ parse: (String) throws -> T) throws -> [T] {
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !items.isEmpty else { throw ValidationError("\(option) '\(text)': give at least one value") }
        return try items.map(parse)
    }

    private func count(_ text: String, option: String) throws -> Int {
        guard let value = Int(text), value >= 1 else { throw ValidationError("\(option) '\(text)': give whole numbers of at least 1, separated by commas") }
        return value
    }
}
