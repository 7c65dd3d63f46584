/// A decrypted plaintext that passed every check before its model's: valid padding, strict JSON,
/// and a watermark with the expected appid (and fresh, under a policy). What every reader starts
/// from, lent for the time of one call: it refers to the plaintext, which is wiped afterwards.
struct VerifiedDocument {
    let plaintext: UnsafeRawBufferPointer
    /// The top-level object, with the member index the validation made.
    let root: JSONValue
    let watermark: Watermark
    /// Where the values of a phone number in WeChat's own layout are, as the walk that validated
    /// it found them; nil for any other document.
    let phoneNumberLayout: PhoneNumber.Layout.Found?
}
