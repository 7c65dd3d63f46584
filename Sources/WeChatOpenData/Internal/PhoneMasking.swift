/// How `--mask` and ``PhoneNumber/masked()`` hide phone numbers: digits are hidden, every
/// other character is kept, so a number keeps its shape (`+86 138****6666`, `138****6666 `).
enum PhoneMasking {
    /// An 11-digit mainland number keeps its first three and last four digits; shorter numbers
    /// keep fewer, and at least four digits are always hidden. A `+CC ` prefix is kept.
    static func mask(_ number: String) -> String {
        var prefix = Substring()
        var national = Substring(number)
        // `+CC ` is a prefix only when it is a country code: a plus and one to three digits.
        if number.hasPrefix("+"), let space = number.firstIndex(of: " "),
            case let code = number[number.index(after: number.startIndex)..<space],
            (1...3).contains(code.utf8.count), code.utf8.allSatisfy(isDigit)
        {
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

    /// `text` masked when it is phone-shaped, else unchanged: for fields such as a nickname.
    static func maskIfPhoneShaped(_ text: String) -> String { isPhoneShaped(text) ? mask(text) : text }

    /// A member name that says its value is a phone number.
    static func isPhoneKey(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return lowered.contains("phone") || lowered.contains("mobile") || lowered.contains("tel")
    }

    /// A number token that reads as a mainland mobile number (11 digits, `1` then `3`–`9`),
    /// whatever key it is under: no timestamp or count has that shape.
    static func isMobileNumberToken(_ token: UnsafeRawBufferPointer) -> Bool {
        token.count == 11 && token[0] == UInt8(ascii: "1") && (UInt8(ascii: "3")...UInt8(ascii: "9")).contains(token[1])
            && token.allSatisfy(isDigit)
    }

    private static let separators: Set<UInt8> = [0x20, 0x2D, 0x2E, 0x28, 0x29]

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}
