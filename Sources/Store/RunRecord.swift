/// One row of `runs`, as read back: the run's parameters, provenance and outcome.
public struct RunRecord: Sendable, Hashable {
    /// The run id (`runs.id`), never reused.
    public var id: Int64
    /// Simulated or executed.
    public var kind: RunKind
    /// The schedule's name (`1f1b`, `chimera`, an imported file's name, …).
    public var schedule: String
    /// Number of devices (pipeline ranks).
    public var devices: Int
    /// Number of virtual stages.
    public var stages: Int
    /// Copies of every stage (2 for Chimera).
    public var replicas: Int
    /// Micro-batches per iteration.
    public var microbatches: Int
    /// Stages per device within one replica: v of interleaved schedules, 1 for plain pipelines and
    /// Chimera (whose two replicas put two stages on each device, chunk 0 of each replica).
    public var chunks: Int
    /// Number of actions in the schedule, hence of events of a completed run.
    public var actions: Int
    /// The cost model or executor configuration, as the producer wrote it (JSON).
    public var configJSON: String
    /// The producer's description of the machine.
    public var host: String
    /// The Stagecraft version that produced the run.
    public var toolVersion: String
    /// When the run began (UTC, ISO 8601).
    public var createdAt: String
    /// When it completed or failed (UTC, ISO 8601); nil while running.
    public var finishedAt: String?
    /// The status as shown: a `running` row whose writer process is gone reads as `interrupted`.
    public var status: RunStatus
    /// The error of a failed or interrupted run.
    public var error: String?
    /// Time from the first start to the last end, in nanoseconds; nil until completed.
    public var makespanNs: Int64?
    /// Σ idle / (devices × makespan); nil until completed.
    public var bubbleRatio: Double?
    /// Process id of the process that began the run.
    public var writerPID: Int64
    /// Host name of the machine that began the run.
    public var writerHost: String
}

/// One row of `device_stats`: what a device did in a completed run.
public struct DeviceStats: Sendable, Hashable {
    /// The device.
    public var device: Int
    /// Number of actions it ran.
    public var actions: Int
    /// Time spent running actions, in nanoseconds.
    public var busyNs: Int64
    /// Idle time within the makespan (the device's bubble), in nanoseconds.
    public var idleNs: Int64
    /// Peak bytes held, when the producer measured memory.
    public var peakMemoryBytes: Int64?
}

/// One row of `events`: one action of a completed run and when it ran.
public struct EventRecord: Sendable, Hashable {
    /// Position of the action in the schedule (device after device, each in run order).
    public var actionID: Int
    /// The device that ran it.
    public var device: Int
    /// The replica of the stage (0 except for bidirectional schedules).
    public var replica: Int
    /// The virtual stage.
    public var stage: Int
    /// Index of the stage among the stages of its replica on this device (0 for plain pipelines).
    public var chunk: Int
    /// The micro-batch (0 for per-stage actions such as `REDUCE_GRAD`).
    public var microbatch: Int
    /// PyTorch's op token: `F`, `B`, `I`, `W` or `REDUCE_GRAD`.
    public var op: String
    /// Start, in nanoseconds from the start of the iteration.
    public var startNs: Int64
    /// End, in nanoseconds.
    public var endNs: Int64
}

/// Which runs `RunStore.runs(_:)` lists.
public struct RunFilter: Sendable, Hashable {
    /// Only runs of this kind.
    public var kind: RunKind?
    /// Only runs of the schedule with this name.
    public var schedule: String?
    /// At most this many runs (the newest).
    public var limit: Int?

    public init(kind: RunKind? = nil, schedule: String? = nil, limit: Int? = nil) {
        self.kind = kind
        self.schedule = schedule
        self.limit = limit
    }
}
