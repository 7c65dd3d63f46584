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

extension VerifiedDocument {
    /// Verifies the watermark of a plaintext that passed validation, with the index the validation
    /// made: on the values the layout's walk found, or on the members looked up in the index.
    ///
    /// - Throws: What ``WatermarkVerification`` throws.
    init(
        validated plaintext: UnsafeRawBufferPointer, index: JSONMemberIndex, phoneNumberLayout: PhoneNumber.Layout.Found?,
        expectedAppID: String, freshness: FreshnessPolicy?
    ) throws(OpenDataError) {
        let root = JSONValue.root(of: plaintext, index: index)
        let watermark: Watermark
        if let found = phoneNumberLayout {
            watermark = try WatermarkVerification.verify(
                appID: found.appID, timestamp: found.timestamp, expectedAppID: expectedAppID, freshness: freshness)
        } else {
            watermark = try WatermarkVerification.verify(
                root.member("watermark"), expectedAppID: expectedAppID, freshness: freshness)
        }
        self.init(plaintext: plaintext, root: root, watermark: watermark, phoneNumberLayout: phoneNumberLayout)
    }
}
