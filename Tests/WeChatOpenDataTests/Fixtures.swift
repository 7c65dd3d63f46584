import Foundation
import WeChatOpenData

/// Loads files from the package's top-level `Fixtures/` by path.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // WeChatOpenDataTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("Fixtures")

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }

    static let vectors: [OpenDataTestVector] = {
        // A fixture that does not load is a failed test run, not something to skip.
        try! OpenDataTestVector.load(from: data("vectors.json"))
    }()

    static var positiveVectors: [OpenDataTestVector] { vectors.filter { $0.expectedPlaintext != nil } }
    static var negativeVectors: [OpenDataTestVector] { vectors.filter { $0.expectedError != nil } }
}

extension Data {
    init(hex: String) {
        var bytes = [UInt8]()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        self.init(bytes)
    }
}
