/// How `--mask` and ``PhoneNumber/masked()`` hide phone numbers: digits are hidden, every
/// other character is kept, so a number keeps its shape (`+86 138****6666`, `138****6666 `).
enum PhoneMasking {
    /// An 11-digit mainland number keeps its first three and last four digits; shorter numbers
    /// keep fewer, and at least four digits are always hidden. A `+CC ` prefix is kept.
    static func mask(_ number: String) -> String {
        var prefix = Substring()
        var national = Substring(number)
        if number.hasPrefix("+"), let space = number.firstIndex(of: " ") {
            prefix = number[...space]
            national = number[number.index(after: space)...]
        }
        let digitCount = national.utf8.count { isDigit($0) }
        let hidden = max(4, digitCount - 7)
        let shownTail = max(0, min(4, digitCount - hidden))
        let shownHead = max(0, digitCount - hidden - shownTail)
        var masked = Array(prefix.utf8)
        var position = 0
        for byte in national.utf8 {
            guard isDigit(byte) else {
                masked.append(byte)
                continue
            }
            masked.append(position < shownHead || position >= digitCount - shownTail ? byte : UInt8(ascii: "*"))
            position += 1
        }
        return String(decoding: masked, as: UTF8.self)
    }

    /// A string that reads as a phone number: an optional `+`, then 7 to 15 digits (E.164's
    /// longest) with only spaces, dashes, dots or parentheses between them.
    static func isPhoneShaped(_ text: String) -> Bool {
        var digits = 0
        for (offset, byte) in text.utf8.enumerated() {
            if isDigit(byte) {
                digits += 1
            } else if !(byte == UInt8(ascii: "+") && offset == 0) && !separators.contains(byte) {
                return false
            }
        }
        return (7...15).contains(digits)
    }

    /// A member name that says its value is a phone number.
    static func isPhoneKey(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return lowered.contains("phone") || lowered.contains("mobile")
    }

    private static let separators: Set<UInt8> = [0x20, 0x2D, 0x2E, 0x28, 0x29]

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}
