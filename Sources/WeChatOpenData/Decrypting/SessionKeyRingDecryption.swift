extension SessionKeyRing {
    /// A payload decrypted with a ``SessionKeyRing``, and which of its keys decrypted it.
    ///
    /// A ``matchedKey`` of ``SessionKeyRing/Slot/previous`` means the mini program called
    /// `wx.login` after the user tapped: worth a log line (never the key), so that the
    /// mini program's login order can be fixed.
    public struct Decryption<Payload> {
        /// The verified payload.
        public let payload: Payload

        /// The key that decrypted it.
        public let matchedKey: Slot

        /// Creates a result, for test doubles of code that takes one.
        ///
        /// - Parameters:
        ///   - payload: The verified payload.
        ///   - matchedKey: The key that decrypted it.
        public init(payload: Payload, matchedKey: Slot) {
            self.payload = payload
            self.matchedKey = matchedKey
        }
    }
}

extension SessionKeyRing.Decryption: Sendable where Payload: Sendable {}
extension SessionKeyRing.Decryption: Equatable where Payload: Equatable {}
extension SessionKeyRing.Decryption: Hashable where Payload: Hashable {}

extension SessionKeyRing.Decryption: CustomStringConvertible {
    /// `Decryption(PhoneNumber, previous key)`: the payload's type, never its content, which
    /// may be personal data in a caller's own type.
    public var description: String { "Decryption(\(Payload.self), \(matchedKey) key)" }
}
