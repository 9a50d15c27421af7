import COpenBLAS
import Schedule
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One (replica, stage) of the model on its device: the weights of its layers, their gradient
/// accumulators, and a slot for every micro-batch's saved tensors. The ops `F`, `R`, `I`, `W` and the
/// SGD step run here, each with `cblas_sgemm`, on buffers allocated once.
///
/// Per micro-batch j the slots are: the stage's input (rows × hidden), the output of each of its k
/// layers (after ReLU, or raw for the model's last layer), and the gradient of each layer's output —
/// the last of which receives the gradient sent back by the next stage.
///
/// `@unchecked Sendable`: only the device that holds the stage computes on it. The previous stage's
/// device writes this stage's input slot of micro-batch j (in its `F`), and the next stage's device
/// writes the output-gradient slot (in its `I`/`B`); `Dependencies` makes this stage's reads of those
/// slots wait for those writes, and `ProgressBoard`'s lock orders them. Chimera's replica sum touches
/// the gradient accumulators of both replicas under `ReplicaSync`'s lock, after all their `W`s.
final class StageState: @unchecked Sendable {
    let replica: Int
    let stage: Int
    /// Number of layers in this stage.
    let layerCount: Int
    /// Index of this stage's first layer in the model.
    let firstLayer: Int
    /// Whether the model's last layer (no ReLU, loss follows) is in this stage.
    let holdsLastLayer: Bool
    let isFirstStage: Bool
    let hidden: Int
    let rows: Int
    private let microbatchCount: Int
    private let weights: [FloatBuffer]
    private let bias: [FloatBuffer]
    /// Gradient accumulators; read them through `settledGradients()`.
    private let weightGrads: [FloatBuffer]
    private let biasGrads: [FloatBuffer]
    /// Whether the accumulators hold this iteration's sum so far: false from `beginGradients()` until
    /// the first `W`, which then overwrites them (β = 0) instead of adding to zeroed buffers — one pass
    /// over 4·hidden² bytes per layer and iteration less.
    private var accumulated = false
    /// Per micro-batch: input, k outputs, k output gradients; each `rows × hidden`.
    private let slots: FloatBuffer
    /// The input gradient of the micro-batch being sent to the previous stage.
    private let sendBuffer: FloatBuffer
    private let ones: FloatBuffer
    /// The batch (shared, read-only): inputs for the first stage, targets for the last.
    private let inputs: FloatBuffer
    private let targets: FloatBuffer
    /// 2 / (batch × hidden): the derivative of the mean-squared error over the full batch.
    private let lossScale: Float
    /// batch × hidden: the mean-squared error's denominator.
    private let lossDenominator: Double

    /// Bytes of one micro-batch tensor (rows × hidden × 4).
    var tensorBytes: Int64 { Int64(rows * hidden * MemoryLayout<Float>.size) }

    init(replica: Int, stage: Int, firstLayer: Int, parameters: ArraySlice<LayerParameters>, isLastStage: Bool,
         hidden: Int, rows: Int, microbatchCount: Int, inputs: FloatBuffer, targets: FloatBuffer, batch: Int) {
        self.replica = replica
        self.stage = stage
        self.layerCount = parameters.count
        self.firstLayer = firstLayer
        self.holdsLastLayer = isLastStage
        self.isFirstStage = stage == 0
        self.hidden = hidden
        self.rows = rows
        self.microbatchCount = microbatchCount
        weights = parameters.map { FloatBuffer($0.weights) }
        bias = parameters.map { FloatBuffer($0.bias) }
        weightGrads = parameters.map { _ in FloatBuffer(count: hidden * hidden) }
        biasGrads = parameters.map { _ in FloatBuffer(count: hidden) }
        slots = FloatBuffer(count: microbatchCount * (2 * parameters.count + 1) * rows * hidden)
        sendBuffer = FloatBuffer(count: rows * hidden)
        ones = FloatBuffer([Float](repeating: 1, count: rows))
        self.inputs = inputs
        self.targets = targets
        lossScale = 2 / (Float(batch) * Float(hidden))
        lossDenominator = Double(batch) * Double(hidden)
    }

    // MARK: Slots

    @inline(__always)
    private func slot(_ microbatch: Int, _ index: Int) -> UnsafeMutablePointer<Float> {
        slots.pointer + (microbatch * (2 * layerCount + 1) + index) * rows * hidden
    }

    /// The stage's input for `microbatch` (written by the previous stage's `F`, or from the batch).
    @inline(__always)
    func inputSlot(_ microbatch: Int) -> UnsafeMutablePointer<Float> { slot(microbatch, 0) }

    /// Output of layer `layer` (0-based within the stage); layer −1 is the stage's input.
    @inline(__always)
    private func output(_ microbatch: Int, _ layer: Int) -> UnsafeMutablePointer<Float> { slot(microbatch, 1 + layer) }

    /// Gradient of the loss with respect to the output of layer `layer`.
    @inline(__always)
    private func outputGrad(_ microbatch: Int, _ layer: Int) -> UnsafeMutablePointer<Float> {
        slot(microbatch, 1 + layerCount + layer)
    }

    /// The output of the stage's last layer for micro-batch `microbatch` (what `F` sends on).
    @inline(__always)
    func lastOutput(_ microbatch: Int) -> UnsafeMutablePointer<Float> { output(microbatch, layerCount - 1) }

    /// Where the next stage writes the gradient with respect to this stage's output.
    @inline(__always)
    func incomingGradSlot(_ microbatch: Int) -> UnsafeMutablePointer<Float> { outputGrad(microbatch, layerCount - 1) }

    // MARK: Ops

    /// `F`: runs the stage's layers on micro-batch `microbatch`, keeping every layer's output; sends
    /// (copies) the result into `next`'s input slot. On the model's last stage returns the micro-batch's
    /// share of the loss, Σ (y − t)² / (batch × hidden); otherwise nil.
    func forward(_ microbatch: Int, next: StageState?) -> Double? {
        let count = rows * hidden
        if isFirstStage {
            inputSlot(microbatch).update(from: inputs.pointer + microbatch * count, count: count)
        }
        runLayers(microbatch)
        let result = output(microbatch, layerCount - 1)
        if let next {
            next.inputSlot(microbatch).update(from: result, count: count)
        }
        guard holdsLastLayer else { return nil }
        let target = targets.pointer + microbatch * count
        var sum: Double = 0
        for i in 0..<count {
            let difference = Double(result[i]) - Double(target[i])
            sum += difference * difference
        }
        return sum / lossDenominator
    }

    /// `R`: runs the stage's layers again from the micro-batch's input slot, restoring every layer's
    /// output that `discardActivations` dropped — bit for bit the forward's, since the inputs and the
    /// `sgemm` calls are the same. Sends nothing and computes no loss (the forward did both).
    func recompute(_ microbatch: Int) {
        runLayers(microbatch)
    }

    /// After a forward whose micro-batch the stage will recompute: drops the outputs of the stage's
    /// layers, keeping only its input. The buffers stay allocated (they are reused); they are
    /// overwritten with NaN, so a backward that ran without its recompute would poison the gradients
    /// rather than silently use the forward's values.
    func discardActivations(_ microbatch: Int) {
        for layer in 0..<layerCount {
            output(microbatch, layer).update(repeating: .nan, count: rows * hidden)
        }
    }

    /// The layers of the stage on the micro-batch's input slot, keeping every layer's output.
    private func runLayers(_ microbatch: Int) {
        let n = Int32(hidden), m = Int32(rows), count = rows * hidden
        for layer in 0..<layerCount {
            let x = output(microbatch, layer - 1), y = output(microbatch, layer)
            let b = bias[layer].pointer
            for row in 0..<rows { (y + row * hidden).update(from: b, count: hidden) }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, n, 1, x, n, weights[layer].pointer, n, 1, y, n)
            if !(holdsLastLayer && layer == layerCount - 1) {
                for i in 0..<count { y[i] = max(y[i], 0) }  // branch-free, so it vectorises
            }
        }
    }

    /// `I`: the gradient with respect to every layer's output and, unless this is the first stage, with
    /// respect to the stage's input, which is copied into `previous`'s incoming-gradient slot — or, with
    /// `remotePrevious` (the previous stage lives in another process), left in the returned buffer
    /// for the caller to send, valid until the next `inputGrad`.
    @discardableResult
    func inputGrad(_ microbatch: Int, previous: StageState?, remotePrevious: Bool = false) -> UnsafePointer<Float>? {
        let n = Int32(hidden), m = Int32(rows), count = rows * hidden
        if holdsLastLayer {
            let y = output(microbatch, layerCount - 1), target = targets.pointer + microbatch * count
            let grad = outputGrad(microbatch, layerCount - 1)
            for i in 0..<count { grad[i] = (y[i] - target[i]) * lossScale }
        }
        for layer in stride(from: layerCount - 1, through: 0, by: -1) {
            let grad = outputGrad(microbatch, layer)
            if !(holdsLastLayer && layer == layerCount - 1) {
                let y = output(microbatch, layer)
                for i in 0..<count { grad[i] = y[i] > 0 ? grad[i] : 0 }
            }
            // Now grad is the gradient with respect to the layer's pre-activation z = x·W + b.
            if layer > 0 {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, n, 1, grad, n, weights[layer].pointer, n,
                            0, outputGrad(microbatch, layer - 1), n)
            } else if previous != nil || remotePrevious {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, n, 1, grad, n, weights[layer].pointer, n,
                            0, sendBuffer.pointer, n)
                previous?.incomingGradSlot(microbatch).update(from: sendBuffer.pointer, count: count)
            }
        }
        return remotePrevious && !isFirstStage ? UnsafePointer(sendBuffer.pointer) : nil
    }

    /// `W`: accumulates the weight and bias gradients of micro-batch `microbatch` (needs its `I`); the
    /// iteration's first overwrites the accumulators.
    func weightGrad(_ microbatch: Int) {
        let n = Int32(hidden), m = Int32(rows)
        let beta: Float = accumulated ? 1 : 0
        for layer in 0..<layerCount {
            let x = output(microbatch, layer - 1), grad = outputGrad(microbatch, layer)
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, m, 1, x, n, grad, n, beta, weightGrads[layer].pointer, n)
            cblas_sgemv(CblasRowMajor, CblasTrans, m, n, 1, grad, n, ones.pointer, 1, beta, biasGrads[layer].pointer, 1)
        }
        accumulated = true
    }

    /// Starts an iteration's gradients: the next `W` overwrites the accumulators.
    func beginGradients() {
        accumulated = false
    }

    /// The accumulators holding the iteration's sum: zeroed first if no `W` ran. Call it only once the
    /// iteration's weight gradients of this stage are done (a gradient sync or the step waits for them).
    func settledGradients() -> (weights: [FloatBuffer], bias: [FloatBuffer]) {
        if !accumulated {
            for buffer in weightGrads + biasGrads { buffer.zero() }
            accumulated = true
        }
        return (weightGrads, biasGrads)
    }

    /// SGD: parameters −= learningRate × gradients.
    func step(learningRate: Float) {
        let (weightGrads, biasGrads) = settledGradients()
        for layer in 0..<layerCount {
            cblas_saxpy(Int32(hidden * hidden), -learningRate, weightGrads[layer].pointer, 1, weights[layer].pointer, 1)
            cblas_saxpy(Int32(hidden), -learningRate, biasGrads[layer].pointer, 1, bias[layer].pointer, 1)
        }
    }

    // MARK: Inspection

    /// The current weights and bias of each layer of the stage.
    func parameters() -> [LayerParameters] {
        (0..<layerCount).map { LayerParameters(weights: weights[$0].array, bias: bias[$0].array) }
    }

    /// The accumulated gradients of each layer of the stage.
    func gradients() -> [LayerParameters] {
        let (weightGrads, biasGrads) = settledGradients()
        return (0..<layerCount).map { LayerParameters(weights: weightGrads[$0].array, bias: biasGrads[$0].array) }
    }
}

extension StageState {
    /// The stages of `schedule` for `model`, indexed replica × stageCount + stage, from the model's
    /// initial parameters and data (the same seed gives every executor the same weights); a stage for
    /// which `holds(replica, stage)` is false is left nil (an MPI rank builds only its own).
    static func build(model: MLPConfiguration, schedule: Schedule, layerCounts: [Int], rows: Int,
                      holds: (_ replica: Int, _ stage: Int) -> Bool = { _, _ in true }) -> [StageState?] {
        let parameters = model.initialParameters()
        let data = model.data()
        let inputs = FloatBuffer(data.inputs), targets = FloatBuffer(data.targets)
        let stageCount = schedule.stageCount
        var built: [StageState?] = []
        for replica in 0..<schedule.replicaCount {
            var firstLayer = 0
            for stage in 0..<stageCount {
                let count = layerCounts[stage]
                built.append(holds(replica, stage)
                    ? StageState(replica: replica, stage: stage, firstLayer: firstLayer, parameters: parameters[firstLayer..<(firstLayer + count)],
                                 isLastStage: stage == stageCount - 1, hidden: model.hidden, rows: rows,
                                 microbatchCount: schedule.microbatchCount, inputs: inputs, targets: targets, batch: model.batch)
                    : nil)
                firstLayer += count
            }
        }
        return built
    }
}
