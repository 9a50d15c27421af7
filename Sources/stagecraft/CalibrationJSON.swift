import Calibration
import Schedule
import Simulator

/// The JSON form of a calibration, for `calibrate --json` and the `calibration` of `run --predict --json`.
struct CalibrationJSON: Encodable {
    struct SelfCheck: Encodable {
        let schedule: String
        let predicted_makespan_ns: Int64
        let measured_makespan_ns: Spread
        /// (predicted − measured median) / measured median
        let error: Double
        /// Inside the measured quartiles or within `Calibrator.tolerance`.
        let agrees: Bool
    }
    /// What `simulate --cost-model` reads (the file `calibrate -o` writes).
    let cost_model: CostModel
    let settings: CalibrationSettings
    /// Measured actions per op (F, B, I, W, REDUCE_GRAD).
    let samples: [String: Int]
    let hand_off_samples, dispatch_samples: Int
    /// How far the hand-off latency was moved so that the model predicts its calibration schedules.
    let jitter_ns: Double
    /// Per calibration schedule: interquartile range / median of its measured makespans.
    let spread: [String: Double]
    let self_check: [SelfCheck]
    let repetitions, retries: Int
    let warnings: [String]
    /// Its row in the `calibrations` table; nil with --no-record.
    let calibration_id: Int64?
    /// The cost-model file written (calibrate) or nil (run --predict).
    let out: String?

    init(_ result: Calibrator.Result, calibrationID: Int64?, out: String?) {
        cost_model = result.costModel
        settings = result.settings
        samples = result.samples
        hand_off_samples = result.handOffSamples
        dispatch_samples = result.dispatchSamples
        jitter_ns = result.jitter
        spread = result.spread
        self_check = result.selfCheck.map {
            SelfCheck(schedule: $0.schedule, predicted_makespan_ns: $0.predicted, measured_makespan_ns: $0.measured, error: $0.error, agrees: $0.agrees)
        }
        repetitions = result.repetitions
        retries = result.retries
        warnings = result.warnings
        calibration_id = calibrationID
        self.out = out
    }
}

/// The JSON form of `calibrate --from-run --json`.
struct TimelineFitJSON: Encodable {
    let cost_model: CostModel
    let from_run: Int64
    let samples: [String: Int]
    let hand_off_samples, dispatch_samples: Int
    let calibration_id: Int64?
    let out: String

    init(result: TimelineFit.Result, fromRun: Int64, calibrationID: Int64?, out: String) {
        cost_model = result.costModel
        from_run = fromRun
        samples = result.samples
        hand_off_samples = result.handOffSamples
        dispatch_samples = result.dispatchSamples
        calibration_id = calibrationID
        self.out = out
    }
}
