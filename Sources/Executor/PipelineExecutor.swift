import Schedule

/// What `stagecraft run` needs of an executor, threaded (`ThreadedExecutor`) or one process per device
/// (`MPIExecutor`): the configuration it runs and its measured iterations.
public protocol PipelineExecutor: AnyObject {
    var schedule: Schedule { get }
    var model: MLPConfiguration { get }
    var options: ExecutorOptions { get }
    var layersPerStage: [Int] { get }
    var microbatchRows: Int { get }
    /// Runs `iterations` iterations; an MPI rank other than 0 returns none (rank 0 gathers them).
    func run(iterations: Int) throws(ExecutorError) -> [IterationResult]
}

extension PipelineExecutor {
    /// Bytes of weights and weight gradients each device holds (part of `Timeline.peakMemory`).
    public var parameterBytes: [Int64] {
        (0..<schedule.deviceCount).map { device in
            schedule.placement.stages(on: device).reduce(Int64(0)) { total, held in
                let layers = Int64(layersPerStage[held.stage]), hidden = Int64(model.hidden)
                return total + 2 * layers * (hidden * hidden + hidden) * Int64(MemoryLayout<Float>.size)
            }
        }
    }
}

extension ThreadedExecutor: PipelineExecutor {}
extension MPIExecutor: PipelineExecutor {}
