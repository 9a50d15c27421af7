/// One row of `comparisons`: the headline numbers of a prediction set against a measurement of the same
/// schedule, linking the two runs. Errors are predicted − measured; per-action errors are of absolute
/// values, in nanoseconds.
public struct ComparisonRecord: Sendable, Hashable {
    /// The comparison's id (nil before it is recorded).
    public var id: Int64?
    /// The prediction (usually a simulated run).
    public var predictedRunID: Int64
    /// The measurement (usually an executed run).
    public var measuredRunID: Int64
    public var predictedMakespanNs: Int64
    public var measuredMakespanNs: Int64
    /// (predicted − measured) / measured makespan.
    public var makespanError: Double
    /// Predicted − measured bubble ratio of the run, in ratio points.
    public var bubbleError: Double
    /// The per-device bubble error largest in absolute value, in ratio points.
    public var worstDeviceBubbleError: Double
    public var startErrorMedianNs: Int64
    public var startErrorP90Ns: Int64
    public var startErrorMaxNs: Int64
    public var endErrorMedianNs: Int64
    public var endErrorP90Ns: Int64
    public var endErrorMaxNs: Int64
    /// The quartiles of the measured iterations' makespans; nil when the measurement has no spread.
    public var measuredMakespanQ1Ns: Double?
    public var measuredMakespanQ3Ns: Double?
    /// Whether the predicted makespan lies within those quartiles (the noise verdict); nil without a spread.
    public var makespanWithinNoise: Bool?
    /// Share of actions whose predicted start lies within the quartiles of their measured starts.
    public var startWithinNoise: Double?

    public init(id: Int64? = nil, predictedRunID: Int64, measuredRunID: Int64, predictedMakespanNs: Int64, measuredMakespanNs: Int64,
                makespanError: Double, bubbleError: Double, worstDeviceBubbleError: Double,
                startErrorMedianNs: Int64, startErrorP90Ns: Int64, startErrorMaxNs: Int64,
                endErrorMedianNs: Int64, endErrorP90Ns: Int64, endErrorMaxNs: Int64,
                measuredMakespanQ1Ns: Double? = nil, measuredMakespanQ3Ns: Double? = nil,
                makespanWithinNoise: Bool? = nil, startWithinNoise: Double? = nil) {
        self.id = id
        self.predictedRunID = predictedRunID
        self.measuredRunID = measuredRunID
        self.predictedMakespanNs = predictedMakespanNs
        self.measuredMakespanNs = measuredMakespanNs
        self.makespanError = makespanError
        self.bubbleError = bubbleError
        self.worstDeviceBubbleError = worstDeviceBubbleError
        self.startErrorMedianNs = startErrorMedianNs
        self.startErrorP90Ns = startErrorP90Ns
        self.startErrorMaxNs = startErrorMaxNs
        self.endErrorMedianNs = endErrorMedianNs
        self.endErrorP90Ns = endErrorP90Ns
        self.endErrorMaxNs = endErrorMaxNs
        self.measuredMakespanQ1Ns = measuredMakespanQ1Ns
        self.measuredMakespanQ3Ns = measuredMakespanQ3Ns
        self.makespanWithinNoise = makespanWithinNoise
        self.startWithinNoise = startWithinNoise
    }
}

/// One row of `calibrations`: a cost model measured on a host for an executor configuration.
public struct CalibrationRecord: Sendable, Hashable {
    /// The calibration's id.
    public var id: Int64
    /// When it was recorded (UTC, ISO 8601).
    public var createdAt: String
    /// The machine it was measured on.
    public var host: String
    /// The executor configuration it was measured for, JSON.
    public var configJSON: String
    /// The cost model, in the JSON form `simulate --cost-model` reads.
    public var costModelJSON: String
}
