import Schedule

/// What is known about a run before it starts: written as the `running` row by `RunStore.beginRun`.
public struct NewRun: Sendable {
    /// Simulated or executed.
    public var kind: RunKind
    /// The schedule being run; its name, parameters and placement go into the run row.
    public var schedule: Schedule
    /// The cost model (simulated) or executor configuration (executed), as a JSON document.
    public var configJSON: String
    /// A description of the machine, e.g. `RunStore.hostDescription()`.
    public var host: String
    /// The Stagecraft version that produced the run.
    public var toolVersion: String

    public init(kind: RunKind, schedule: Schedule, configJSON: String, host: String, toolVersion: String) {
        self.kind = kind
        self.schedule = schedule
        self.configJSON = configJSON
        self.host = host
        self.toolVersion = toolVersion
    }
}
