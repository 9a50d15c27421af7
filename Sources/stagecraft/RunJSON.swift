import Executor
import Schedule
import Simulator

/// The JSON form of `stagecraft run --json` (and `run --predict --json`): one object printed when the run
/// ends. Times in ns, ratios as fractions; the measured spread as `Spread` (count, median, q1, q3, ciLow,
/// ciHigh).
struct RunJSON: Encodable {
    struct Configuration: Encodable {
        let schedule: String
        let devices, stages, replicas, microbatches, chunks, actions: Int
        let layers, hidden, batch, microbatch_rows: Int
        let layers_per_stage: [Int]
        let seed: UInt64
        let learning_rate: Float
        let forward_only: Bool
        let link_latency_s, link_bandwidth_bytes_per_s: Double?
        /// OpenBLAS's kernel set, e.g. "Haswell" (see `BLASKernel`).
        let blas_kernel: String
    }
    struct Iteration: Encodable {
        /// 1-based, as the text output numbers them.
        let iteration: Int
        let loss: Double
        /// Wall time of the whole step, optimizer included.
        let step_time_ns: Int64
        let makespan_ns: Int64
        let bubble_ratio: Double
        /// Whether the iteration counts toward the typical iteration and the spread.
        let kept: Bool
        /// `cold` or `disturbed` when not kept.
        let discarded: String?
    }
    struct Measurement: Encodable {
        let iterations, kept: Int
        let discard_rule: String
        let makespan_ns: Spread
        /// Per device, over the kept iterations.
        let busy_ns, bubble: [Spread]
        /// Which timeline was recorded: `typical` or `iteration N`.
        let recorded_timeline: String
        let recorded_makespan_ns: Int64
        let recorded_bubble_ratio: Double
        let peak_memory_bytes, parameter_bytes: [Int64]
    }
    struct Prediction: Encodable {
        let run_id: Int64?
        /// `calibration` or the --cost-model file.
        let cost_model_source: String
        let cost_model: CostModel
        let makespan_ns: Int64
        let bubble_ratio: Double
        let peak_memory_bytes: [Int64]
    }

    let configuration: Configuration
    let iterations: [Iteration]
    let measurement: Measurement
    /// The executed run in the database; nil with --no-record.
    let run_id: Int64?
    let database: String?
    let prediction: Prediction?
    /// `run --predict` without --cost-model: the calibration it predicted from.
    let calibration: CalibrationJSON?
    let comparison: ComparisonText.JSONForm?
    let comparison_id: Int64?
    /// `--backend mpi`: the tensors the ranks waited for (count, bytes, time from the send to the arrival).
    let transfers: MeasuredTransfers?

    init(executor: any PipelineExecutor, results: [IterationResult], summary: MeasuredIterations,
         recorded: (timeline: Timeline, label: String, stored: String), runID: Int64?, database: String?,
         prediction: RunCommand.Prediction?, calibration: CalibrateCommand.Outcome?, comparison: RunCommand.RecordedComparison?) {
        let schedule = executor.schedule, model = executor.model, link = executor.options.link
        configuration = Configuration(
            schedule: schedule.name, devices: schedule.deviceCount, stages: schedule.stageCount, replicas: schedule.replicaCount,
            microbatches: schedule.microbatchCount, chunks: schedule.chunkCount, actions: schedule.actions.count,
            layers: model.layers, hidden: model.hidden, batch: model.batch, microbatch_rows: executor.microbatchRows,
            layers_per_stage: executor.layersPerStage, seed: model.seed, learning_rate: model.learningRate,
            forward_only: executor.options.forwardOnly, link_latency_s: link?.latency, link_bandwidth_bytes_per_s: link?.bandwidth,
            blas_kernel: BLASKernel.current)
        let discarded = Dictionary(summary.discarded.map { ($0.index, $0.reason.rawValue) }, uniquingKeysWith: { first, _ in first })
        iterations = results.enumerated().map { index, result in
            Iteration(iteration: result.iteration + 1, loss: result.loss, step_time_ns: result.stepTime,
                      makespan_ns: result.timeline.makespan, bubble_ratio: result.timeline.bubbleRatio,
                      kept: discarded[index] == nil, discarded: discarded[index])
        }
        let spread = summary.spread
        measurement = Measurement(
            iterations: spread.iterations, kept: spread.kept, discard_rule: MeasuredIterations.rule, makespan_ns: spread.makespan,
            busy_ns: spread.busy, bubble: spread.bubble, recorded_timeline: recorded.stored,
            recorded_makespan_ns: recorded.timeline.makespan, recorded_bubble_ratio: recorded.timeline.bubbleRatio,
            peak_memory_bytes: recorded.timeline.peakMemory, parameter_bytes: executor.parameterBytes)
        run_id = runID
        self.database = database
        self.prediction = prediction.map {
            Prediction(run_id: $0.runID, cost_model_source: $0.source, cost_model: $0.costModel, makespan_ns: $0.timeline.makespan,
                       bubble_ratio: $0.timeline.bubbleRatio, peak_memory_bytes: $0.timeline.peakMemory)
        }
        self.calibration = calibration.map { CalibrationJSON($0.result, calibrationID: $0.id, out: nil) }
        self.comparison = comparison?.text.form()
        comparison_id = comparison?.id
        transfers = (executor as? MPIExecutor).flatMap(MeasuredTransfers.init)
    }
}
