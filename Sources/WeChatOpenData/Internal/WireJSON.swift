#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Encodes models in WeChat's wire form: WeChat's key names, keys sorted so that output is
/// deterministic, slashes unescaped (avatar URLs stay readable).
enum WireJSON {
    static func encode(_ value: some Encodable, prettyPrinted: Bool = false) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = prettyPrinted ? [.withoutEscapingSlashes, .sortedKeys, .prettyPrinted] : [.withoutEscapingSlashes, .sortedKeys]
        // The library's models hold only strings and integers, which always encode.
        return (try? Array(encoder.encode(value))) ?? Array("{}".utf8)
    }
}
