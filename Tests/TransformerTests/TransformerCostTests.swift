import Schedule
import Simulator
import Testing
@testable import Transformer

// Every formula against a hand calculation (the numbers are worked out in the comments).

/// Hardware without a memory-bandwidth limit: every GEMM takes exactly FLOPs / (peak × efficiency).
private let computeBound = Hardware(name: "ideal", peakFLOPS: 1e15, efficiency: 0.5, memoryBandwidth: 1e30, memoryBytes: 80e9,
                                    gpusPerNode: 8, intraNodeBandwidth: 100e9, intraNodeLatency: 1_000, interNodeBandwidth: 10e9,
                                    interNodeLatency: 5_000)

@Test func gptLayerFLOPsAreTheZeroBubblePapersTable1() {
    let m = TransformerModel.gpt3_1_3B   // s = 2048, b = 1, h = 2048
    let s = 2048.0, b = 1.0, h = 2048.0
    #expect(m.forwardFLOPs == s * b * h * (24 * h + 4 * s))       // 2.405e11
    #expect(m.inputGradFLOPs == s * b * h * (24 * h + 8 * s))     // 2.749e11
    #expect(m.weightGradFLOPs == 24 * s * b * h * h)              // 2.062e11
    #expect(m.forwardFLOPs == 240_518_168_576)
    #expect(m.headFLOPs == 2 * s * b * h * 51_200)
}

@Test func parameterCountsMatchThePublishedSizes() {
    // GPT: 12h² + 13h per layer (Narayanan et al.); 1.3B: 24 × 50,358,272 + (51200 + 2048) × 2048 embeddings.
    let gpt = TransformerModel.gpt3_1_3B
    #expect(gpt.layerParameters == 12 * 2048 * 2048 + 13 * 2048)
    let gptTotal = 24 * gpt.layerParameters + gpt.embeddingParameters
    #expect(gptTotal == 1_317_650_432)   // "1.3B"
    // LLaMA 2 7B: 32 × (4h² + 3h·11008 + 2h) + 2 × 32000 × 4096 = 6,738,411,520 (the release's 6,738,415,616 adds the final norm's 4096).
    let llama = TransformerModel.llama7B
    #expect(32 * llama.layerParameters + llama.embeddingParameters + llama.headParameters == 6_738_411_520)
    // LLaMA 2 70B with 8 key-value heads: attention h(h + 2·1024) + h², MLP 3 × 8192 × 28672.
    let big = TransformerModel.llama70B
    let attention: Double = 8192 * (8192 + 2048) + 8192 * 8192
    let mlp: Double = 3 * 8192 * 28_672
    #expect(big.layerParameters == attention + mlp + 2 * 8192)
}

@Test func activationBytesAreKorthikantisFormula() {
    var m = TransformerModel.gpt3_1_3B   // a = 16
    let s = 2048.0, h = 2048.0, a = 16.0
    #expect(m.layerActivationBytes == s * h * (34 + 5 * a * s / h))   // 1,484,783,616 bytes: 1.38 GiB per layer
    m.recompute = .selective
    #expect(m.layerActivationBytes == 34 * s * h)
    #expect(m.boundaryBytes == 2 * s * h)
}

@Test func computeBoundDurationsAreFLOPsOverEffectivePeak() throws {
    let pipeline = try TransformerPipeline(model: .gpt3_1_3B, hardware: computeBound, devices: 4, stages: 4)
    let rate = 1e15 * 0.5 / 1e9   // FLOPs per ns
    let layer = pipeline.layerTimes
    #expect(abs(layer.forward - TransformerModel.gpt3_1_3B.forwardFLOPs / rate) < 1e-6)
    #expect(abs(layer.inputGrad - TransformerModel.gpt3_1_3B.inputGradFLOPs / rate) < 1e-6)
    #expect(abs(layer.weightGrad - TransformerModel.gpt3_1_3B.weightGradFLOPs / rate) < 1e-6)
    let cost = pipeline.costModel
    // 24 layers over 4 stages: 6 each; the last stage adds the head's 2sbhV.
    #expect(cost.forward.values[0] == (6 * layer.forward).rounded())
    #expect(cost.forward.values[3] == (6 * layer.forward + TransformerModel.gpt3_1_3B.headFLOPs / rate).rounded())
    #expect(cost.backward.values[1] == cost.inputGrad!.values[1] + cost.weightGrad!.values[1])
    #expect(cost.transferBytes.values == [2 * 2048 * 2048])
    // One node: NVLink figures.
    #expect(cost.latency == 1_000 && cost.bandwidth == 100e9)
}

@Test func smallGEMMsAreMemoryBound() {
    // 16 × 16 × 16 at 1 PFLOP/s and 1 TB/s: 8192 FLOPs take 16 ps of compute but 3 × 256 × 2 bytes take 1.536 ns.
    let slow = Hardware(name: "x", peakFLOPS: 1e15, efficiency: 1, memoryBandwidth: 1e12, memoryBytes: 1e9, gpusPerNode: 1,
                        intraNodeBandwidth: 1e9, intraNodeLatency: 0, interNodeBandwidth: 1e9, interNodeLatency: 0)
    #expect(abs(slow.gemmTime(rows: 16, columns: 16, inner: 16, bytes: 2) - 1.536) < 1e-9)
    // 8192³: 1.1e12 FLOPs take 1.1 ms of compute, its 403 MB 0.4 ms of traffic: compute-bound.
    #expect(abs(slow.gemmTime(rows: 8192, columns: 8192, inner: 8192, bytes: 2) - 2 * 8192.0 * 8192 * 8192 / 1e15 * 1e9) < 1e-3)
}

@Test func modelStateIsSixteenBytesPerParameterAndTooLargeModelsAreRefused() throws {
    let pipeline = try TransformerPipeline(model: .gpt3_175B, hardware: .a100, devices: 8, stages: 8)
    // 96 layers / 8 = 12 per stage; stage 1 holds 12 × (12h² + 13h) parameters, 16 bytes each.
    let h = 12_288.0
    #expect(pipeline.modelStateBytes(stage: 1) == 16 * 12 * (12 * h * h + 13 * h))   // 347.9 GB
    #expect(throws: TransformerError.self) { try pipeline.checkModelState(stageDevices: Array(0..<8)) }
    do {
        try pipeline.checkModelState(stageDevices: Array(0..<8))
    } catch {
        #expect(error.description.contains("device 1 needs 347.9 GB"))
        #expect(error.description.contains("but has 80.0 GB"))
    }
    // 1.3B on 4 A100s: 1.3e9 × 16 / 4 ≈ 5.3 GB per device fits.
    try TransformerPipeline(model: .gpt3_1_3B, hardware: .a100, devices: 4, stages: 4).checkModelState(stageDevices: Array(0..<4))
}

@Test func peakMemoryFromTheSimulatorIsChecked() throws {
    var model = TransformerModel.gpt3_1_3B
    model.microbatchSize = 8
    let pipeline = try TransformerPipeline(model: model, hardware: .a100, devices: 4, stages: 4)
    let schedule = try ScheduleFamily.gpipe.make(devices: 4, microbatches: 32)
    let simulation = try Simulator(costModel: pipeline.costModel).run(schedule)
    // GPipe keeps all 32 micro-batches: 32 × 6 layers × 8 × 1.38 GiB ≈ 2.3 TB on device 0.
    #expect(throws: TransformerError.self) {
        try pipeline.check(peakMemory: simulation.timeline.peakMemory, stageDevices: Array(0..<4))
    }
}

@Test func layersPerStageAndTensorParallelism() throws {
    let split = try TransformerPipeline(model: .gpt3_1_3B, hardware: computeBound, devices: 2, stages: 4, layersPerStage: [5, 7, 7, 5])
    #expect(split.costModel.forward.values[1] == (7 * split.layerTimes.forward).rounded())
    #expect(throws: TransformerError.self) { try TransformerPipeline(model: .gpt3_1_3B, hardware: computeBound, devices: 2, stages: 4, layersPerStage: [5, 7]) }
    #expect(throws: TransformerError.self) { try TransformerPipeline(model: .gpt3_1_3B, hardware: computeBound, devices: 2, stages: 3) }
    // t = 2 halves every GEMM and adds two all-reduces of 2(t − 1)/t × 2sbh bytes per layer and pass.
    let one = try TransformerPipeline(model: .gpt3_1_3B, hardware: computeBound, devices: 4, stages: 4)
    let two = try TransformerPipeline(model: .gpt3_1_3B, hardware: computeBound, devices: 4, stages: 4, tensorParallel: 2)
    let allReduce = 2 * (1_000 + 2 * 0.5 * (2 * 2048 * 2048) / 100e9 * 1e9)
    #expect(abs(two.layerTimes.forward - (one.layerTimes.forward / 2 + allReduce)) < 1e-3)
    // 4 devices × t = 2 fill one 8-GPU node; 8 × 2 need two, and the link becomes InfiniBand.
    #expect(!two.isMultiNode)
    let wide = try TransformerPipeline(model: .gpt3_1_3B, hardware: computeBound, devices: 8, stages: 8, tensorParallel: 2)
    #expect(wide.isMultiNode && wide.costModel.bandwidth == 10e9 && wide.costModel.latency == 5_000)
}

@Test func presetsAndFilesAreRead() throws {
    #expect(try TransformerModel.named("GPT3-175B") == .gpt3_175B)
    #expect(try Hardware.named("h100") == .h100)
    #expect(throws: TransformerError.self) { try TransformerModel.named("gpt5") }
}
