// swift-tools-version:6.2
// libFuzzer targets, built and run by scripts/fuzz.sh with -sanitize=fuzzer,address.
// A package of its own so that the library's users and CI never build them.
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, which depends on where the repository was cloned.
let rootPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

func fuzzTarget(_ name: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: [.product(name: "WeChatOpenData", package: rootPackage), "CFuzzDriver"],
        // gold fails on the sanitizer's debug info; lld ships with the toolchain.
        linkerSettings: [.unsafeFlags(["-use-ld=lld"])]
    )
}

let package = Package(
    name: "WeChatOpenDataFuzz",
    dependencies: [.package(path: "../")],
    targets: [
        .target(name: "CFuzzDriver"),
        fuzzTarget("FuzzDecrypt"), fuzzTarget("FuzzPlaintext"), fuzzTarget("FuzzRecordLine"),
    ]
)
