/// One of the base64 inputs: its name, the error code its failures carry, and the decoded
/// length it must have. Each length rule lives here and is enforced once, where the field is
/// decoded. An enum, so that handing a field around copies one byte.
enum Base64Field: Sendable {
    case sessionKey
    /// A batch record's previous key (see `SessionKeyRing`): the same rules, its own name.
    case previousSessionKey
    case iv
    case encryptedData
    /// Key material of any length, for finding a leaked key in an adapter's output.
    case anyLengthKey

    var name: String {
        switch self {
        case .sessionKey, .anyLengthKey: "session_key"
        case .previousSessionKey: "previous_session_key"
        case .iv: "iv"
        case .encryptedData: "encrypted_data"
        }
    }

    var code: OpenDataError.Code {
        switch self {
        case .sessionKey, .previousSessionKey, .anyLengthKey: .invalidSessionKey
        case .iv: .invalidIV
        case .encryptedData: .invalidEncryptedData
        }
    }

    /// The length rule in words, for errors.
    var lengthRule: String {
        switch self {
        case .sessionKey, .previousSessionKey, .iv: "exactly 16 bytes"
        case .encryptedData: "a non-empty multiple of 16 bytes"
        case .anyLengthKey: "any length"
        }
    }

    /// Whether a decoded length is acceptable; also settles whether ambiguous spaces were `+`.
    @inline(__always)
    func acceptsLength(_ count: Int) -> Bool {
        switch self {
        case .sessionKey, .previousSessionKey, .iv: count == 16
        case .encryptedData: count > 0 && count % 16 == 0
        case .anyLengthKey: true
        }
    }

    /// Key material: decoded without table look-ups or branches on its value.
    var isSecret: Bool {
        switch self {
        case .sessionKey, .previousSessionKey, .anyLengthKey: true
        case .iv, .encryptedData: false
        }
    }

    func error(_ problem: String) -> OpenDataError {
        .invalidInput(code: code, field: name, problem)
    }

    /// The error for a decoded length the rule refuses.
    func lengthError(_ count: Int, input: UnsafeRawBufferPointer? = nil) -> OpenDataError {
        error("must decode to \(lengthRule), got \(count)" + misreadKeyHint(input))
    }

    /// A session key that another language printed as its bytes (hex, or decimal numbers)
    /// instead of passing the base64 text on: say so, since the base64 error alone misleads.
    /// Runs only on failure and names the format, never the value.
    func misreadKeyHint(_ input: UnsafeRawBufferPointer?) -> String {
        guard isSecret, let input else { return "" }
        let wanted = ": pass the base64 text jscode2session returned (24 characters ending in '==')"
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let text = input.drop(while: blank).reversed().drop(while: blank).reversed()
        if text.count == 32, text.allSatisfy({ Hex.value(of: $0) != nil }) {
            return "; it looks like the key's 16 bytes written as 32 hexadecimal digits" + wanted
        }
        let decimalPunctuation: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D, 0x2C, 0x2D, 0x5B, 0x5D, 0x28, 0x29, 0x7B, 0x7D]
        var numbers = 0
        var inNumber = false
        for byte in text {
            let isDigit = byte >= 0x30 && byte <= 0x39
            guard isDigit || decimalPunctuation.contains(byte) else { return "" }
            if isDigit && !inNumber { numbers += 1 }
            inNumber = isDigit
        }
        if numbers == 16 { return "; it looks like the key's 16 bytes written as decimal numbers" + wanted }
        return ""
    }
}
