import Schedule

/// A timeline together with the description of the run it belongs to: the unit every renderer draws.
public struct RunTimeline: Sendable {
    /// The timed actions.
    public var timeline: Timeline
    /// What the run is.
    public var run: RunDescription

    public init(_ timeline: Timeline, run: RunDescription) {
        self.timeline = timeline
        self.run = run
    }

    /// A timeline described from its own schedule (see `RunDescription.init(schedule:kind:runID:extra:)`).
    public init(_ timeline: Timeline, kind: RunDescription.Kind, runID: Int64? = nil) {
        self.init(timeline, run: RunDescription(schedule: timeline.schedule, kind: kind, runID: runID))
    }

    /// The earliest start: renderers draw every timeline from its own first action, as `makespan` does.
    var origin: Int64 { timeline.start.min() ?? 0 }

    /// Idle time of `device` over the makespan, 0 when the makespan is 0.
    func bubbleRatio(device: Int) -> Double {
        let makespan = timeline.makespan
        guard makespan > 0 else { return 0 }
        return Double(timeline.idle(device: device)) / Double(makespan)
    }
}
