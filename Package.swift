// swift-tools-version:6.2
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

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
            swiftSettings: strictSettings
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
