#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A step-by-step account of why one payload does or does not decrypt and verify, in
/// plain words, for the engineer debugging a failing request. It never contains the
/// session key or the plaintext.
public struct OpenDataDiagnosis: Sendable {
    /// One step and what it found.
    public struct Step: Sendable, Hashable {
        /// What was checked.
        public let title: String
        /// Whether it passed.
        public let passed: Bool
        /// What was found, and on failure the usual cause and the fix.
        public let detail: String
        /// The error code of a failed step.
        public let code: OpenDataError.Code?
    }

    /// The steps, in the order they ran; the list stops at the first failure.
    public let steps: [Step]

    /// Whether the payload decrypts and verifies.
    public var succeeded: Bool { steps.allSatisfy(\.passed) }

    /// The failed step, if any.
    public var failure: Step? { steps.first { !$0.passed } }

    /// Diagnoses one payload.
    ///
    /// - Parameters:
    ///   - appID: The expected appid.
    ///   - sessionKey: The session key's base64 text.
    ///   - iv: The iv's base64 text.
    ///   - encryptedData: The encryptedData's base64 text.
    ///   - maximumAge: An optional maximum age in seconds for the freshness check.
    ///   - now: The clock to measure the payload's age against.
    /// - Returns: The steps.
    public static func diagnose(
        appID: String, sessionKey: String, iv: String, encryptedData: String,
        maximumAge: Int64? = nil, now: Date = Date()
    ) -> OpenDataDiagnosis {
        var steps: [Step] = []
        func fail(_ title: String, _ detail: String, _ code: OpenDataError.Code) -> OpenDataDiagnosis {
            steps.append(Step(title: title, passed: false, detail: detail, code: code))
            return OpenDataDiagnosis(steps: steps)
        }
        // Each input: its name, the decoded length it must have (nil: a multiple of 16), its inspection.
        let inputs: [(String, Int?, () throws(OpenDataError) -> Base64Inspection)] = [
            ("session_key", 16, { () throws(OpenDataError) in try Base64Inspection.inspect(sessionKey: sessionKey) }),
            ("iv", 16, { () throws(OpenDataError) in try Base64Inspection.inspect(iv: iv) }),
            ("encrypted_data", nil, { () throws(OpenDataError) in try Base64Inspection.inspect(encryptedData: encryptedData) }),
        ]
        for (name, expected, inspect) in inputs {
            let title = "\(name): base64"
            let inspection: Base64Inspection
            do { inspection = try inspect() } catch {
                return fail(title, error.reason + ". Check that the field is sent as received from WeChat, "
                    + "not URL-encoded twice or cut short.", error.code)
            }
            var detail = "\(inspection.encodedCount) characters decode to \(inspection.decodedCount) bytes"
            if !inspection.repairs.isEmpty {
                detail += "; repaired: \(inspection.repairs)"
                if inspection.repairs.contains(.spacesAsPlus) {
                    detail += ". '+' became spaces: send the field in a JSON body, or URL-encode it (encodeURIComponent)"
                }
            }
            if let expected, inspection.decodedCount != expected {
                return fail(title, detail + "; it must be exactly \(expected) bytes. "
                    + (name == "iv" ? "Use the iv returned with this encryptedData." : "Use the session_key jscode2session returned."),
                    name == "iv" ? .invalidIV : .invalidSessionKey)
            }
            if expected == nil, inspection.decodedCount == 0 || inspection.decodedCount % 16 != 0 {
                return fail(title, detail + "; it must be a non-empty multiple of 16 bytes. The data was cut short.", .invalidEncryptedData)
            }
            steps.append(Step(title: title, passed: true, detail: detail, code: nil))
        }
        let decryptor: OpenDataDecryptor
        let key: SessionKey
        let verified: VerifiedOpenData
        do {
            decryptor = try OpenDataDecryptor(appID: appID)
            key = try SessionKey(base64: sessionKey)
            verified = try decryptor.decryptJSON(encryptedData: encryptedData, iv: iv, sessionKey: key)
        } catch {
            switch error.code {
            case .decryptionFailed:
                return fail("decryption", "AES-128-CBC with this session_key and iv does not give valid JSON. "
                    + "Usual causes: the session_key is stale (wx.login ran again after the button tap: call wx.login "
                    + "before the tap and keep the key from that login); the iv belongs to another call; or the "
                    + "session_key belongs to another user. Ask WeChat's checksession API with "
                    + "`wxdecrypt session-signature` whether the key is still valid.", error.code)
            case .appIDMismatch:
                steps.append(Step(title: "decryption", passed: true, detail: "the data decrypts to valid JSON", code: nil))
                return fail("watermark.appid", error.reason + ". Check that the backend uses the appid and "
                    + "session_key of the same mini program (staging and production differ).", error.code)
            default:
                return fail("decryption", error.reason, error.code)
            }
        }
        steps.append(Step(title: "decryption", passed: true,
                          detail: "the data decrypts to \(verified.json.count) bytes of valid JSON", code: nil))
        steps.append(Step(title: "watermark.appid", passed: true, detail: "matches \(appID)", code: nil))
        let age = Int64(now.timeIntervalSince1970.rounded(.down)) - verified.watermark.timestamp
        let ageDetail = "timestamp \(verified.watermark.timestamp), \(age) s before now"
        if let maximumAge {
            do {
                try FreshnessPolicy(maximumAge: .seconds(maximumAge), now: { now }).check(verified.watermark)
            } catch {
                return fail("watermark.timestamp", ageDetail + ". " + error.reason, error.code)
            }
        }
        steps.append(Step(title: "watermark.timestamp", passed: true, detail: ageDetail, code: nil))
        return OpenDataDiagnosis(steps: steps)
    }
}
