import Schedule
import Simulator

/// The working-set term of a calibrated cost model: how much slower a device computes when it holds
/// more parameters. 1F1B's devices hold one stage's weights and gradients; Chimera's hold two stages
/// (one per replica), twice the bytes, and on a machine whose caches the weights no longer fit, every
/// forward and backward reads them from memory again. The calibration measures both: the durations of
/// warm forwards and backwards, summed over all stages, in Chimera over the same in 1F1B is the factor
/// at Chimera's bytes per device; 1 at 1F1B's.
enum WorkingSetFit {
    /// The points (bytes per device, factor) for `CostModel.workingSet`; empty when Chimera holds no
    /// more per device than the pipeline or when an op was not measured in both.
    static func points(pipeline: TimingSamples, pipelineParameters: [Int64],
                       chimera: TimingSamples, chimeraParameters: [Int64]) -> [WorkingSetPoint] {
        func total(_ samples: TimingSamples) -> Double? {
            var sum = 0.0
            for stage in 0..<samples.stageCount {
                for op in [Op.forward, .backward] {
                    guard let value = samples.warm(op, stage: stage) ?? samples.cold(op, stage: stage) ?? samples.first(op, stage: stage) else { return nil }
                    sum += value
                }
            }
            return sum
        }
        func mean(_ bytes: [Int64]) -> Double { bytes.isEmpty ? 0 : Double(bytes.reduce(0, +)) / Double(bytes.count) }
        let small = mean(pipelineParameters), large = mean(chimeraParameters)
        guard large > small, let base = total(pipeline), base > 0, let crowded = total(chimera) else { return [] }
        return [WorkingSetPoint(bytes: small, factor: 1), WorkingSetPoint(bytes: large, factor: crowded / base)]
    }
}
