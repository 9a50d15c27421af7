import ArgumentParser

/// The model the executor trains: an MLP's depth, width, batch and seed (shared by `run` and
/// `calibrate`, so a calibration and the run it predicts describe the same model the same way).
struct MLPOptions: ParsableArguments {
    @Option(help: "Layers of the MLP, split over the schedule's stages.")
    var layers: Int = 8

    @Option(help: "Width of every layer.")
    var hidden: Int = 256

    @Option(help: "Rows in the batch; must divide by --microbatches.")
    var batch: Int = 64

    @Option(help: "Seed of the weights, inputs and targets.")
    var seed: UInt64 = 1
}
