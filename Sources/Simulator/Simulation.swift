import Schedule

/// The outcome of simulating one schedule under one cost model.
public struct Simulation: Sendable {
    /// Start and end of every action (ns), with peak memory per device (activations + weights, bytes).
    public let timeline: Timeline
    /// Per device: when its optimizer step ends — its last action's end plus the optimizer step of
    /// every stage it holds (equal to that end when the step costs nothing).
    public let optimizerEnd: [Int64]
    /// Per device: peak activation bytes alone (the timeline's peak memory minus the weights).
    public let peakActivationBytes: [Int64]
    /// Per device: weight bytes held (every replica of every stage on the device).
    public let weightBytes: [Int64]
    /// `timeline.makespan`, kept from the simulation rather than recomputed from the timeline.
    public let makespan: Int64
    /// Per device: time spent running actions (`timeline.busy(device:)`), kept from the simulation.
    public let busy: [Int64]

    /// The whole iteration, optimizer steps included: the latest `optimizerEnd`.
    public var iterationTime: Int64 { optimizerEnd.max() ?? 0 }
}
