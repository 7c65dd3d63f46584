/// Lowercase hexadecimal, as WeChat's signatures use.
enum Hex {
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { output in
            for (index, byte) in bytes.enumerated() {
                output[2 * index] = digits[Int(byte >> 4)]
                output[2 * index + 1] = digits[Int(byte & 0xF)]
            }
            return bytes.count * 2
        }
    }

    /// Decodes hex of either case into `output`, which must be exactly half as long as `text`.
    static func decode(_ text: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
        guard text.count == output.count * 2 else { return false }
        var valid = true
        for index in 0..<output.count {
            guard let high = value(of: text[2 * index]), let low = value(of: text[2 * index + 1]) else {
                valid = false
                break
            }
            output[index] = high << 4 | low
        }
        return valid
    }

    static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
