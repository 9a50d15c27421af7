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
            for other in replicas.dropFirst() {
                for layer in 0..<first.layerCount {
                    let weights = first.weightGrads[layer], bias = first.biasGrads[layer]
                    cblas_saxpy(Int32(weights.count), 1, other.weightGrads[layer].pointer, 1, weights.pointer, 1)
                    cblas_saxpy(Int32(bias.count), 1, other.biasGrads[layer].pointer, 1, bias.pointer, 1)
                }
            }
            for other in replicas.dropFirst() {
                for layer in 0..<first.layerCount {
                    other.weightGrads[layer].pointer.update(from: first.weightGrads[layer].pointer, count: first.weightGrads[layer].count)
                    other.biasGrads[layer].pointer.update(from: first.biasGrads[layer].pointer, count: first.biasGrads[layer].count)
                }
            }
        }
    }
}
