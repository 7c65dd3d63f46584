/// Heap storage for secret bytes that wipes itself with `OPENSSL_cleanse` when released.
///
/// Immutable after initialisation, hence safe to share between threads.
final class SecretBytes: @unchecked Sendable {
    private let pointer: UnsafeMutableRawBufferPointer

    /// Copies `bytes` into fresh storage.
    init(copying bytes: UnsafeRawBufferPointer) {
        pointer = .allocate(byteCount: bytes.count, alignment: 16)
        pointer.copyMemory(from: bytes)
    }

    /// Fills fresh storage of `count` bytes from the system's CSPRNG.
    init(randomCount count: Int) {
        pointer = .allocate(byteCount: count, alignment: 16)
        var generator = SystemRandomNumberGenerator()
        for index in 0..<count { pointer[index] = generator.next() }
    }

    deinit {
        SecureMemory.wipe(pointer)
        pointer.deallocate()
    }

    var count: Int { pointer.count }

    func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(pointer))
    }
}
