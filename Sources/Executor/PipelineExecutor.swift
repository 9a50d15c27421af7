import Schedule

/// What `stagecraft run` needs of an executor, threaded (`ThreadedExecutor`) or one process per device
/// (`MPIExecutor`): the configuration it runs and its measured iterations.
public protocol PipelineExecutor: AnyObject {
    var schedule: Schedule { get }
    var model: MLPConfiguration { get }
    var options: ExecutorOptions { get }
    var layersPerStage: [Int] { get }
    var microbatchRows: Int { get }
    /// Bytes of weights and weight gradients each device holds.
    var parameterBytes: [Int64] { get }
    /// Runs `iterations` iterations; an MPI rank other than 0 returns none (rank 0 gathers them).
    func run(iterations: Int) throws(ExecutorError) -> [IterationResult]
}

extension ThreadedExecutor: PipelineExecutor {}
extension MPIExecutor: PipelineExecutor {}
