// swift-tools-version:6.2
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// The release `wxdecrypt` on Linux carries the Swift runtime (what `--static-swift-stdlib` does):
/// it runs on machines without Swift, such as Spark workers, starts in about 5 ms instead of 8, and
/// calls the runtime (`swift_retain`, `swift_release`) directly, 5-7% faster on large files. Only
/// the executable has these flags: the library product stays usable from a versioned dependency.
/// Compiled with them too, so that the executable links what FoundationEssentials needs.
let staticRuntimeLinking = BuildSettingCondition.when(platforms: [.linux], configuration: .release)
let staticRuntimeSwiftSettings: [SwiftSetting] = [.unsafeFlags(["-static-stdlib"], staticRuntimeLinking)]
let staticRuntimeLinkerSettings: [LinkerSetting] = [.unsafeFlags(["-static-stdlib"], staticRuntimeLinking)]

let package = Package(
    name: "WeChatOpenData",
    products: [
        .library(name: "WeChatOpenData", targets: ["WeChatOpenData"]),
        .executable(name: "wxdecrypt", targets: ["wxdecrypt"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CWeChatOpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .systemLibrary(name: "CWeChatOpenDataProcess"),
        .target(
            name: "WeChatOpenData",
            dependencies: ["CWeChatOpenSSL"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "wxdecrypt",
            dependencies: [
                "WeChatOpenData",
                "CWeChatOpenDataProcess",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings + staticRuntimeSwiftSettings,
            linkerSettings: staticRuntimeLinkerSettings
        ),
        .testTarget(
            name: "WeChatOpenDataTests",
            dependencies: ["WeChatOpenData"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "wxdecryptTests",
            dependencies: ["wxdecrypt", "WeChatOpenData"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
