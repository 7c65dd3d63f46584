// swift-tools-version:6.1
// Benchmarks live in their own package so that consumers and CI never build the harness.
// Run from this folder: swift package benchmark
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, which depends on where the repository
// was cloned; read it instead of assuming it.
let rootPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "WeChatOpenDataBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The yardstick: one record decrypted the way a C programmer would, with OpenSSL EVP.
        .target(
            name: "CBaseline",
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        .executableTarget(
            name: "DecryptBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "WeChatOpenData", package: rootPackage),
                "CBaseline",
            ],
            path: "Benchmarks/DecryptBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .testTarget(
            name: "CBaselineTests",
            dependencies: ["CBaseline", .product(name: "WeChatOpenData", package: rootPackage)]
        ),
    ]
)
