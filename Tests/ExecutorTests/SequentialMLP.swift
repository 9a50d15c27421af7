import Executor

/// The plain, non-pipelined reference: the same MLP, loss and SGD as the executor, computed in Double
/// with loops over the full batch — no stages, no micro-batches, no BLAS.
struct SequentialMLP {
    let hidden: Int
    let batch: Int
    let inputs: [Double]
    let targets: [Double]
    var weights: [[Double]]
    var biases: [[Double]]

    init(_ model: MLPConfiguration) {
        hidden = model.hidden
        batch = model.batch
        let data = model.data()
        inputs = data.inputs.map(Double.init)
        targets = data.targets.map(Double.init)
        let parameters = model.initialParameters()
        weights = parameters.map { $0.weights.map(Double.init) }
        biases = parameters.map { $0.bias.map(Double.init) }
    }

    /// The full-batch loss Σ (y − t)² / (batch × hidden) and the gradient of every layer.
    func lossAndGradients() -> (loss: Double, weights: [[Double]], biases: [[Double]]) {
        let h = hidden, n = batch, layers = weights.count
        var activations = [inputs]
        for layer in 0..<layers {
            let x = activations[layer]
            var y = [Double](repeating: 0, count: n * h)
            for row in 0..<n {
                for out in 0..<h {
                    var sum = biases[layer][out]
                    for i in 0..<h { sum += x[row * h + i] * weights[layer][i * h + out] }
                    y[row * h + out] = layer == layers - 1 ? sum : max(0, sum)
                }
            }
            activations.append(y)
        }
        let output = activations[layers]
        var loss = 0.0
        var grad = [Double](repeating: 0, count: n * h)
        for i in 0..<(n * h) {
            let difference = output[i] - targets[i]
            loss += difference * difference
            grad[i] = 2 * difference / Double(n * h)
        }
        loss /= Double(n * h)
        var weightGrads = [[Double]](repeating: [], count: layers)
        var biasGrads = [[Double]](repeating: [], count: layers)
        for layer in stride(from: layers - 1, through: 0, by: -1) {
            if layer != layers - 1 {
                for i in 0..<(n * h) where activations[layer + 1][i] <= 0 { grad[i] = 0 }
            }
            let x = activations[layer]
            var gw = [Double](repeating: 0, count: h * h), gb = [Double](repeating: 0, count: h)
            for row in 0..<n {
                for i in 0..<h {
                    for out in 0..<h { gw[i * h + out] += x[row * h + i] * grad[row * h + out] }
                }
                for out in 0..<h { gb[out] += grad[row * h + out] }
            }
            weightGrads[layer] = gw
            biasGrads[layer] = gb
            var previous = [Double](repeating: 0, count: n * h)
            for row in 0..<n {
                for i in 0..<h {
                    var sum = 0.0
                    for out in 0..<h { sum += grad[row * h + out] * weights[layer][i * h + out] }
                    previous[row * h + i] = sum
                }
            }
            grad = previous
        }
        return (loss, weightGrads, biasGrads)
    }

    /// One SGD iteration; returns the loss before the step.
    mutating func train(learningRate: Double) -> Double {
        let (loss, gw, gb) = lossAndGradients()
        for layer in 0..<weights.count {
            for i in weights[layer].indices { weights[layer][i] -= learningRate * gw[layer][i] }
            for i in biases[layer].indices { biases[layer][i] -= learningRate * gb[layer][i] }
        }
        return loss
    }
}

/// max |a − b| / max |b|: the relative error of `a` against the reference `b` in the max norm.
func relativeError(_ a: [Float], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "sizes differ")
    var difference = 0.0, scale = 0.0
    for i in a.indices {
        difference = max(difference, abs(Double(a[i]) - b[i]))
        scale = max(scale, abs(b[i]))
    }
    return scale == 0 ? difference : difference / scale
}
