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
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // The shared schedule model: pure Swift, no I/O, no dependencies.
        .target(name: "Schedule"),
        .target(name: "Simulator", dependencies: [
            "Schedule",
            .product(name: "HeapModule", package: "swift-collections"),
        ]),
        // OpenBLAS through Debian's libopenblas-dev (pkg-config: openblas).
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .target(name: "Executor", dependencies: ["Schedule", "COpenBLAS"]),
        .target(name: "Store", dependencies: [
            "Schedule",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .target(name: "Report", dependencies: ["Schedule", "Store"]),
        .executableTarget(name: "stagecraft", dependencies: [
            "Schedule", "Simulator", "Executor", "Store", "Report",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "ScheduleTests", dependencies: ["Schedule"]),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator", "Schedule"]),
        .testTarget(name: "ExecutorTests", dependencies: ["Executor", "Schedule"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Schedule"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Schedule"]),
    ],
    swiftLanguageModes: [.v6]
)
