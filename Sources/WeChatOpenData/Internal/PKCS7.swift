/// PKCS#7 padding with 16-byte blocks, removed in constant time.
///
/// The checks never branch on the plaintext and look at every one of the last 16 bytes
/// (one vector compare) whatever the pad value claims, so how long they take says nothing about
/// the padding.
/// The verdict is a mask that the caller combines with its other checks without branching.
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

    /// For each lane of a block loaded from memory, how many bytes before the block's last byte
    /// it is.
    private static let distanceFromEnd = SIMD16<UInt8>(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)

    /// The verdict on a plaintext's PKCS#7/16 padding, computed without branching on it.
    struct Verdict {
        /// The length of the content before the padding. When the padding is invalid this is
        /// still a plausible length (the last byte removed), so that callers can run the same
        /// checks over the same bytes whatever the padding was.
        let contentCount: Int
        /// All ones when the padding is valid, zero otherwise.
        let validMask: UInt32
    }

    /// Checks the padding of `plaintext`: a pad value of 1 to 16, and every pad byte equal to it.
    ///
    /// All of the last 16 bytes are compared whatever the pad value claims, and neither the
    /// compare nor the returned length branches on the plaintext.
    ///
    /// - Parameter plaintext: Decrypted bytes, a non-empty multiple of 16 long.
    static func verdict(_ plaintext: UnsafeRawBufferPointer) -> Verdict {
        let count = plaintext.count
        // Lengths are public (the ciphertext's); callers only pass whole blocks.
        guard count >= blockSize, count % blockSize == 0 else { return Verdict(contentCount: 0, validMask: 0) }
        let padValue = UInt32(plaintext[count - 1])
        // Valid when 1 <= padValue <= 16.
        var good = ~maskIfZero(padValue) & maskIfLess(padValue, UInt32(blockSize + 1))
        // The last block at once: lane i is the byte `distanceFromEnd[i]` bytes before the last.
        // A lane is padding when that distance is below the pad value, and must then equal it.
        // Lane-wise compares and a horizontal maximum: no branch, the same work for any padding.
        let lastBlock = plaintext.loadUnaligned(fromByteOffset: count - blockSize, as: SIMD16<UInt8>.self)
        let pad = SIMD16<UInt8>(repeating: UInt8(truncatingIfNeeded: padValue))
        let inPadding = Self.distanceFromEnd .< pad
        let wrong = SIMD16<UInt8>(repeating: 0).replacing(with: 1, where: inPadding .& (lastBlock .!= pad))
        good &= maskIfZero(UInt32(wrong.max()))
        // The pad length when valid, one otherwise, selected with masks.
        let removed = (padValue & good) | (1 & ~good)
        return Verdict(contentCount: count - Int(removed), validMask: good)
    }

    /// The number of pad bytes PKCS#7/16 appends to `count` bytes (1...16).
    static func padCount(forContentCount count: Int) -> Int { blockSize - count % blockSize }
}
