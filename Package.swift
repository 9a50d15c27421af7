// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Stagecraft",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "stagecraft", targets: ["stagecraft"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // The shared schedule model: pure Swift, no I/O, no dependencies.
        .target(name: "Schedule"),
        .target(name: "Simulator", dependencies: ["Schedule"]),
        // OpenBLAS through Debian's libopenblas-dev (pkg-config: openblas).
        // Transformer cost models for GPU clusters: FLOPs, memory and links of a model on a hardware kind.
        .target(name: "Transformer", dependencies: ["Simulator"]),
        // torch.profiler traces of PyTorch pipeline runs, read as a schedule and measured iterations.
        .target(name: "TraceImport", dependencies: ["Schedule"]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // Open MPI through Debian's libopenmpi-dev (pkg-config: ompi-c), for the executor's MPI backend.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        .target(name: "Executor", dependencies: ["Schedule", "COpenBLAS", "CMPI"]),
        .target(name: "Store", dependencies: [
            "Schedule",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),  // sqlite3_* for the bulk event writer
        ]),
        .target(name: "Report", dependencies: ["Schedule", "Store", "Tune", "Baseline"]),
        // Measures a cost model for the executor on this machine (stagecraft calibrate).
        .target(name: "Calibration", dependencies: ["Schedule", "Simulator", "Executor"]),
        // stagecraft tune: candidates ranked under a memory budget, schedule synthesis, lower bounds.
        .target(name: "Tune", dependencies: ["Schedule", "Simulator", "Transformer"]),
        // stagecraft baseline: saved cases, tolerances, checks with JUnit XML and Markdown for CI.
        .target(name: "Baseline", dependencies: ["Schedule", "Simulator"]),
        .executableTarget(name: "stagecraft", dependencies: [
            "Schedule", "Simulator", "Executor", "Store", "Report", "Calibration", "Transformer", "TraceImport", "Tune", "Baseline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "ScheduleTests", dependencies: ["Schedule"]),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator", "Schedule"]),
        // experiments/simulator-bench: actions per second and bytes per action of the simulator (release).
        .executableTarget(name: "simulator-bench", dependencies: ["Schedule", "Simulator"], path: "experiments/simulator-bench/SimulatorBench"),
        .testTarget(name: "ExecutorTests", dependencies: ["Executor", "Schedule"]),
        // experiments/executor-bench: sgemm efficiency, per-action overhead and step time of the executor (release).
        .executableTarget(name: "executor-bench", dependencies: ["Executor", "Schedule", "Store", "COpenBLAS"], path: "experiments/executor-bench/ExecutorBench"),
        // Finds the package's executables for the tests that run them (StoreTests, CLITests).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Schedule", "TestSupport"]),
        // Child process for StoreTests (killed mid-run, concurrent writers, raw SQL fixtures).
        .executableTarget(name: "store-test-writer", dependencies: ["Store", "Schedule", .product(name: "GRDB", package: "GRDB.swift")], path: "Tests/StoreTestWriter"),
        // experiments/store-bench: 2 M events through the Store (the plain C loop is compiled by run.sh).
        .executableTarget(name: "store-bench", dependencies: ["Store", "Schedule"], path: "experiments/store-bench/StoreBench"),
        // experiments/fuzz: libFuzzer over the CSV and cost-model readers (run.sh builds it with -sanitize=fuzzer).
        .executableTarget(name: "schedule-fuzz", dependencies: ["Schedule", "Simulator"], path: "experiments/fuzz/ScheduleFuzz"),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Schedule", "Store"]),
        .testTarget(name: "TransformerTests", dependencies: ["Transformer", "Simulator", "Schedule"]),
        .testTarget(name: "TraceImportTests", dependencies: ["TraceImport", "Schedule"]),
        .testTarget(name: "CalibrationTests", dependencies: ["Calibration", "Simulator", "Executor", "Schedule"]),
        .testTarget(name: "TuneTests", dependencies: ["Tune", "Simulator", "Schedule"]),
        .testTarget(name: "BaselineTests", dependencies: ["Baseline", "Simulator", "Schedule"]),
        // experiments/tune: synthesized schedules against the handcrafted families and the lower bound.
        .executableTarget(name: "tune-quality", dependencies: ["Tune", "Simulator", "Schedule"], path: "experiments/tune/TuneQuality"),
        // Runs the built stagecraft binary (and store-test-writer for fixtures): JSON shapes, bad input.
        .testTarget(name: "CLITests", dependencies: ["TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
