/// Storage for a session key's 16 bytes that wipes itself (`SecureMemory.wipe`) when
/// released. The bytes are tail-allocated in the object (`ManagedBuffer`), so a key costs
/// one allocation and its address is stable for the object's lifetime.
///
/// Immutable after initialisation, hence safe to share between threads; `ManagedBuffer`
/// is never `Sendable` itself, so the handle below carries it.
struct SecretBytes: @unchecked Sendable {
    private let buffer: SecretBuffer

    static func copying(_ source: UnsafeRawBufferPointer) -> SecretBytes { SecretBytes(buffer: .copying(source)) }

    static func random() -> SecretBytes { SecretBytes(buffer: .random()) }

    func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try buffer.withUnsafeBytes(body)
    }
}

final class SecretBuffer: ManagedBuffer<Void, UInt8> {
    static let count = 16

    /// Copies exactly 16 bytes.
    static func copying(_ source: UnsafeRawBufferPointer) -> SecretBuffer {
        precondition(source.count == count)
        let storage = unsafeDowncast(create(minimumCapacity: count) { _ in () }, to: SecretBuffer.self)
        storage.withUnsafeMutablePointerToElements { UnsafeMutableRawPointer($0).copyMemory(from: source.baseAddress!, byteCount: count) }
        return storage
    }

    /// Fills fresh storage from the system's CSPRNG.
    static func random() -> SecretBuffer {
        var generator = SystemRandomNumberGenerator()
        var words = (generator.next() as UInt64, generator.next() as UInt64)
        defer { Swift.withUnsafeMutableBytes(of: &words) { SecureMemory.wipe($0) } }
        return Swift.withUnsafeBytes(of: &words) { copying($0) }
    }

    deinit {
        withUnsafeMutablePointerToElements { SecureMemory.wipe(UnsafeMutableRawBufferPointer(start: $0, count: Self.count)) }
    }

    func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let base = withUnsafeMutablePointerToElements { UnsafeRawPointer($0) }
        return try body(UnsafeRawBufferPointer(start: base, count: Self.count))
    }
}
