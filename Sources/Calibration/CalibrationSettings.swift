/// What `Calibrator` measures: the executor configuration (model, micro-batches, devices, chunks) and
/// how many iterations it runs to warm up and to measure.
public struct CalibrationSettings: Sendable, Codable, Equatable {
    /// Layers of the MLP.
    public var layers: Int
    /// Width of every layer.
    public var hidden: Int
    /// Rows in the batch (split into `microbatches` equal micro-batches).
    public var batch: Int
    /// Micro-batches per iteration.
    public var microbatches: Int
    /// Devices (threads).
    public var devices: Int
    /// Stages per device (v of interleaved schedules).
    public var chunks: Int
    /// Layers of each virtual stage; nil splits them evenly.
    public var layersPerStage: [Int]?
    /// Seed of the model and data.
    public var seed: UInt64
    /// Iterations run and discarded before measuring (caches, page faults, thread start-up).
    public var warmup: Int
    /// Iterations measured per calibration schedule.
    public var repetitions: Int
    /// Independent measurements (fresh executors each); every value is the median over them.
    public var rounds: Int
    /// Measured iterations per block of a calibration schedule (the schedules take turns block by
    /// block, each block after one discarded iteration); 1 alternates them iteration by iteration
    /// with nothing discarded (see `Calibrator`).
    public var blockSize: Int
    /// Emulated link latency in seconds, as `stagecraft run --link-latency`; nil for none.
    public var linkLatency: Double?
    /// Emulated link bandwidth in bytes per second, as `stagecraft run --link-bandwidth`; nil for unlimited.
    public var linkBandwidth: Double?

    public init(layers: Int = 8, hidden: Int = 256, batch: Int = 64, microbatches: Int = 8, devices: Int = 2, chunks: Int = 1,
                layersPerStage: [Int]? = nil, seed: UInt64 = 1, warmup: Int = 2, repetitions: Int = 12, rounds: Int = 1, blockSize: Int = 4,
                linkLatency: Double? = nil, linkBandwidth: Double? = nil) {
        self.layers = layers
        self.hidden = hidden
        self.batch = batch
        self.microbatches = microbatches
        self.devices = devices
        self.chunks = chunks
        self.layersPerStage = layersPerStage
        self.seed = seed
        self.warmup = warmup
        self.repetitions = repetitions
        self.rounds = rounds
        self.blockSize = blockSize
        self.linkLatency = linkLatency
        self.linkBandwidth = linkBandwidth
    }

    /// Checks the counts of iterations and rounds (the model and devices are checked by the executor).
    public func validate() throws(CalibrationError) {
        guard warmup >= 0 else { throw .invalidSettings("--warmup \(warmup): give 0 or more iterations") }
        guard repetitions >= 1 else { throw .invalidSettings("--repetitions \(repetitions): measure at least 1 iteration") }
        guard blockSize >= 1 else { throw .invalidSettings("--block-size \(blockSize): give 1 or more iterations") }
        guard rounds >= 1 else { throw .invalidSettings("--rounds \(rounds): calibrate at least 1 round") }
    }
}
