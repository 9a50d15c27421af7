/// Where a run's timings come from.
public enum RunKind: String, Sendable, CaseIterable, Hashable {
    /// Predicted by the discrete-event simulator from a cost model.
    case simulated
    /// Measured by the threaded executor.
    case executed
}

/// Where a run stands. Stored in `runs.status`.
public enum RunStatus: String, Sendable, CaseIterable, Hashable {
    /// Begun and not yet finished; its events are not stored yet.
    case running
    /// Finished: its events, device stats, makespan and bubble ratio are stored.
    case completed
    /// The producer reported an error, kept in `runs.error`.
    case failed
    /// Left `running` by a process that died: it will never complete.
    case interrupted
}
