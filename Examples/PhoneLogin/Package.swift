// swift-tools-version:6.2
// A Hummingbird 2 server that decrypts phone numbers with WeChatOpenData: copy it as a start.
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, which depends on where the repository was cloned.
let rootPackage = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "PhoneLogin",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        .target(
            name: "PhoneLogin",
            dependencies: [
                .product(name: "WeChatOpenData", package: rootPackage),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .executableTarget(name: "phone-login-server", dependencies: ["PhoneLogin"]),
        .testTarget(
            name: "PhoneLoginTests",
            dependencies: [
                "PhoneLogin",
                .product(name: "WeChatOpenData", package: rootPackage),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
