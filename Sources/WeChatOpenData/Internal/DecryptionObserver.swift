/// Watches the one decryption pipeline and records what each step found, so that
/// `OpenDataDiagnosis` reports the real verification instead of re-checking its rules
/// beside it. Decryption without an observer records nothing and pays nothing.
///
/// It never keeps plaintext: only counts, verdicts and a few findings about the shape of
/// the decrypted bytes.
final class DecryptionObserver {
    /// One base64 input as the pipeline decoded it.
    struct DecodedInput {
        let field: Base64Field
        let encodedCount: Int
        let decodedCount: Int
        let repairs: Base64Repairs
    }

    /// What decryption produced, before anything was accepted or refused.
    struct Decryption {
        let byteCount: Int
        let paddingValid: Bool
        /// Why the unpadded bytes are not a strict JSON object, or `nil` when they are.
        let jsonProblem: StrictJSONValidator.Problem?
        /// Every block after the first decrypts to JSON-like text while the first does not:
        /// the key is right and the iv belongs to another call.
        let onlyFirstBlockUnreadable: Bool
    }

    private(set) var decodedInputs: [DecodedInput] = []
    private(set) var decryption: Decryption?
    private(set) var watermark: Watermark?

    func decoded(_ field: Base64Field, encodedCount: Int, decodedCount: Int, repairs: Base64Repairs) {
        decodedInputs.append(DecodedInput(field: field, encodedCount: encodedCount, decodedCount: decodedCount, repairs: repairs))
    }

    func decrypted(_ buffer: UnsafeRawBufferPointer, padding: PKCS7.Verdict, jsonProblem: StrictJSONValidator.Problem?) {
        let paddingValid = padding.validMask != 0
        let content = UnsafeRawBufferPointer(rebasing: buffer[0..<padding.contentCount])
        decryption = Decryption(
            byteCount: buffer.count, paddingValid: paddingValid, jsonProblem: jsonProblem,
            onlyFirstBlockUnreadable: paddingValid && jsonProblem != nil && Self.onlyFirstBlockUnreadable(content))
    }

    func verified(_ watermark: Watermark) { self.watermark = watermark }

    /// A wrong iv garbles only the first block of CBC plaintext; the rest stays the payload's text.
    private static func onlyFirstBlockUnreadable(_ content: UnsafeRawBufferPointer) -> Bool {
        guard content.count > 2 * PKCS7.blockSize else { return false }
        let first = UnsafeRawBufferPointer(rebasing: content[0..<PKCS7.blockSize])
        let rest = UnsafeRawBufferPointer(rebasing: content[PKCS7.blockSize...])
        return !isJSONText(first) && isJSONText(rest) && rest.last == UInt8(ascii: "}")
    }

    /// Printable ASCII, JSON whitespace and UTF-8 lead/continuation bytes: what JSON text is made of.
    private static func isJSONText(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.allSatisfy { $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
            && bytes.contains(UInt8(ascii: "\""))
    }
}
