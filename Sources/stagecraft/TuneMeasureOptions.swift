import ArgumentParser

/// `tune --measure K`: which candidates run on the threaded executor, on what MLP, and for how long.
struct TuneMeasureOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Run the K best-ranked candidates on the threaded executor (the MLP of --layers, --hidden, --rows), in turns, and choose the fastest measured (or the best predicted of those it cannot tell from it); at least 2.", valueName: "K"))
    var measure: Int?

    @Option(help: "With --measure: layers of the MLP, the calibration's (default 8).")
    var layers: Int?

    @Option(help: "With --measure: width of every layer, the calibration's (default 256).")
    var hidden: Int?

    @Option(help: "With --measure: rows per micro-batch, the calibration's --batch ÷ --microbatches (default 8); a candidate of m micro-batches trains a batch of rows × m.")
    var rows: Int?

    @Option(help: "With --measure: seed of the weights, inputs and targets (default 1).")
    var seed: UInt64?

    @Option(help: "With --measure: turns each candidate gets, the candidates taking turns in a balanced order (default 8).")
    var measureRounds: Int?

    @Option(help: "With --measure: iterations per turn; each turn's first, which follows another candidate's, is dropped as cold (default 6).")
    var measureIterations: Int?

    var mlpLayers: Int { layers ?? 8 }
    var mlpHidden: Int { hidden ?? 256 }
    var rowsPerMicrobatch: Int { rows ?? 8 }
    var mlpSeed: UInt64 { seed ?? 1 }
    var rounds: Int { measureRounds ?? 8 }
    var iterationsPerTurn: Int { measureIterations ?? 6 }

    func validate() throws {
        guard let measure else {
            if layers != nil || hidden != nil || rows != nil || seed != nil || measureRounds != nil || measureIterations != nil {
                throw ValidationError("--layers, --hidden, --rows, --seed, --measure-rounds and --measure-iterations describe what --measure runs; add --measure K")
            }
            return
        }
        guard measure >= 2 else { throw ValidationError("--measure \(measure): measure at least 2 candidates, or leave it out to rank by prediction alone") }
        guard mlpLayers >= 1, mlpHidden >= 1, rowsPerMicrobatch >= 1 else {
            throw ValidationError("--layers \(mlpLayers), --hidden \(mlpHidden), --rows \(rowsPerMicrobatch): give at least 1 of each")
        }
        guard rounds >= 1 else { throw ValidationError("--measure-rounds \(rounds): give at least 1 turn per candidate") }
        guard iterationsPerTurn >= 2 else {
            throw ValidationError("--measure-iterations \(iterationsPerTurn): give at least 2 (each turn's first is dropped as cold)")
        }
    }
}
