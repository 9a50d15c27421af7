import COpenBLAS

/// Chimera's gradient sync for one stage held by several replicas: the first `gradSync` of an iteration
/// to arrive sums every replica's gradients and writes the sum into all of them; the later ones find it
/// done. Summing once for all avoids the race where one replica overwrites its gradients with the sum
/// while another still reads them. `Dependencies` makes every `gradSync` wait for all weight gradients
/// of the stage on every replica, so no accumulator changes during the sum.
///
/// `@unchecked Sendable`: `syncedIteration` and the replicas' accumulators are touched only under `lock`.
final class ReplicaSync: @unchecked Sendable {
    private let lock = Lock()
    private let replicas: [StageState]
    private var syncedIteration = -1

    init(replicas: [StageState]) {
        self.replicas = replicas
    }

    /// Makes every replica's gradients the sum over replicas, once per iteration.
    func synchronize(iteration: Int) {
        lock.withLock {
            guard syncedIteration != iteration, let first = replicas.first else { return }
            syncedIteration = iteration
            let sum = first.settledGradients()
            let others = replicas.dropFirst().map { $0.settledGradients() }
            for other in others {
                for layer in 0..<first.layerCount {
                    cblas_saxpy(Int32(sum.weights[layer].count), 1, other.weights[layer].pointer, 1, sum.weights[layer].pointer, 1)
                    cblas_saxpy(Int32(sum.bias[layer].count), 1, other.bias[layer].pointer, 1, sum.bias[layer].pointer, 1)
                }
            }
            for other in others {
                for layer in 0..<first.layerCount {
                    other.weights[layer].pointer.update(from: sum.weights[layer].pointer, count: sum.weights[layer].count)
                    other.bias[layer].pointer.update(from: sum.bias[layer].pointer, count: sum.bias[layer].count)
                }
            }
        }
    }
}
