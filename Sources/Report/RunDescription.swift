import Schedule

/// What a rendered run is: its schedule and parameters, whether it was predicted or measured, and the
/// run id when it came from the store. Renderers use it for titles, headers and trace metadata.
public struct RunDescription: Sendable, Hashable {
    /// Whether the times come from the simulator's cost model or from the executor's clock.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Times predicted by the simulator.
        case predicted
        /// Times measured by the threaded executor.
        case measured

        /// "Predicted" / "Measured", for headers.
        public var title: String { self == .predicted ? "Predicted" : "Measured" }
    }

    /// One named parameter of the run, shown as `name=value meaning` (`p=4 devices`, `m=8 micro-batches`).
    public struct Parameter: Sendable, Hashable {
        /// Short name, e.g. `p`.
        public var name: String
        /// The value as text, e.g. `4`.
        public var value: String
        /// What the name stands for, e.g. `devices`; empty when the name says it.
        public var meaning: String

        public init(_ name: String, _ value: String, meaning: String = "") {
            self.name = name
            self.value = value
            self.meaning = meaning
        }

        /// `p=4 devices`, or `name=value` without a meaning.
        public var text: String { meaning.isEmpty ? "\(name)=\(value)" : "\(name)=\(value) \(meaning)" }
    }

    /// Schedule name (`1f1b`, `interleaved`, `chimera`, or a name given on import).
    public var scheduleName: String
    /// Parameters in the order they should be shown.
    public var parameters: [Parameter]
    /// Predicted or measured.
    public var kind: Kind
    /// The store's id of the run, when known.
    public var runID: Int64?

    public init(scheduleName: String, parameters: [Parameter], kind: Kind, runID: Int64? = nil) {
        self.scheduleName = scheduleName
        self.parameters = parameters
        self.kind = kind
        self.runID = runID
    }

    /// The description of a run of `schedule`: its name and p (devices), m (micro-batches), v (chunks,
    /// when more than 1) and replicas (when more than 1), followed by `extra` parameters.
    public init(schedule: Schedule, kind: Kind, runID: Int64? = nil, extra: [Parameter] = []) {
        var parameters = [Parameter("p", String(schedule.deviceCount), meaning: "devices"),
                          Parameter("m", String(schedule.microbatchCount), meaning: "micro-batches")]
        if schedule.chunkCount > 1 && schedule.replicaCount == 1 {
            parameters.append(Parameter("v", String(schedule.chunkCount), meaning: "chunks"))
        }
        if schedule.replicaCount > 1 { parameters.append(Parameter("replicas", String(schedule.replicaCount))) }
        self.init(scheduleName: schedule.name, parameters: parameters + extra, kind: kind, runID: runID)
    }

    /// The schedule and its parameters: `1f1b · p=4 devices · m=8 micro-batches`.
    public var scheduleTitle: String {
        ([scheduleName] + parameters.map(\.text)).joined(separator: " · ")
    }

    /// Kind and run id: `Predicted (run 12)` or `Measured`.
    public var runTitle: String {
        runID.map { "\(kind.title) (run \($0))" } ?? kind.title
    }

    /// Everything in one line: `1f1b · p=4 devices · m=8 micro-batches — Predicted (run 12)`.
    public var title: String { scheduleTitle + " — " + runTitle }
}
