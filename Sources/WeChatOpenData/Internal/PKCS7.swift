/// PKCS#7 padding with 16-byte blocks, removed in constant time.
///
/// The checks never branch on the plaintext and look at every one of the last 16 bytes
/// whatever the pad value claims, so how long they take says nothing about the padding.
enum PKCS7 {
    static let blockSize = 16

    /// All ones when `value` is zero, else zero, without branching.
    @inline(__always)
    private static func maskIfZero(_ value: UInt32) -> UInt32 {
        // (value - 1) has the top bit set exactly when value == 0 (value < 2^31 here).
        0 &- ((value &- 1) >> 31)
    }

    /// All ones when `lhs < rhs` (both below 2^31), else zero.
    @inline(__always)
    private static func maskIfLess(_ lhs: UInt32, _ rhs: UInt32) -> UInt32 {
        0 &- ((lhs &- rhs) >> 31)
    }

    /// The length of the content before a valid PKCS#7/16 padding, or `nil` when the
    /// padding is invalid: a pad value of 0 or over 16, or a pad byte that differs.
    ///
    /// - Parameter plaintext: Decrypted bytes, a non-empty multiple of 16 long.
    static func unpaddedCount(_ plaintext: UnsafeRawBufferPointer) -> Int? {
        let count = plaintext.count
        guard count >= blockSize, count % blockSize == 0 else { return nil }
        let padValue = UInt32(plaintext[count - 1])
        // Valid when 1 <= padValue <= 16.
        var good = ~maskIfZero(padValue) & maskIfLess(padValue, UInt32(blockSize + 1))
        for offset in 0..<blockSize {
            let byte = UInt32(plaintext[count - 1 - offset])
            let inPadding = maskIfLess(UInt32(offset), padValue)
            good &= ~inPadding | maskIfZero(byte ^ padValue)
        }
        // The one branch, on the combined verdict only.
        return good == 0xFFFF_FFFF ? count - Int(padValue) : nil
    }

    /// The number of pad bytes PKCS#7/16 appends to `count` bytes (1...16).
    static func padCount(forContentCount count: Int) -> Int { blockSize - count % blockSize }
}
