import Schedule
import Store

extension RunDescription.Kind {
    /// Simulated runs are predictions; executed runs are measurements.
    public init(_ kind: RunKind) {
        switch kind {
        case .simulated: self = .predicted
        case .executed: self = .measured
        }
    }
}

extension RunTimeline {
    /// A stored run: its timeline (from `RunStore.timeline(runID:)`) described by its `runs` row.
    public init(record: RunRecord, timeline: Timeline) {
        self.init(timeline, run: RunDescription(schedule: timeline.schedule, kind: RunDescription.Kind(record.kind), runID: record.id))
    }
}
