#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A step-by-step account of why one payload does or does not decrypt and verify, in
/// plain words, for the engineer debugging a failing request.
///
/// A diagnosis runs the decryptor's own pipeline, with its appid, freshness policy and size
/// limit, and reads the same model `decrypt` would: it succeeds exactly when
/// ``OpenDataDecryptor/decryptPayload(as:encryptedData:iv:sessionKey:)`` does. It watches
/// that pipeline instead of re-checking its rules, and explains what it saw.
///
/// It never contains the session key or the plaintext. It does say more than the one uniform
/// ``OpenDataError/Code/decryptionFailed`` (whether the padding was valid, which strict JSON
/// rule failed): show it to the engineer, never to a client, or it becomes a padding oracle.
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

    /// The payload, when it decrypts and verifies.
    public let payload: OpenDataPayload?

    /// Which key decrypted the payload, when one did: `.previous` means the stale-key trap
    /// (see ``SessionKeyRing``).
    public let matchedKey: SessionKeyRing.Slot?

    /// Whether the payload decrypts and verifies: exactly when `decryptPayload` would succeed.
    public var succeeded: Bool { payload != nil }

    /// The failed step that decided the outcome, if any: the last one (a failed current key is
    /// followed by the previous key's step when a previous key is given).
    public var failure: Step? { steps.last { !$0.passed } }

    /// Diagnoses one payload with `decryptor`'s settings, and with a key ring when a previous
    /// session key is given: it succeeds exactly when
    /// ``OpenDataDecryptor/decryptPayload(as:encryptedData:iv:sessionKeys:)`` would.
    ///
    /// - Parameters:
    ///   - decryptor: The decryptor whose appid, freshness policy and size limit apply.
    ///   - kind: The kind to read, as `decryptPayload(as:)` takes it; `nil` recognises it.
    ///   - sessionKey: The session key's base64 text.
    ///   - previousSessionKey: The key it replaced, if the backend keeps one.
    ///   - iv: The iv's base64 text.
    ///   - encryptedData: The encryptedData's base64 text.
    /// - Returns: The steps and, on success, the payload and the key that matched.
    public static func diagnose(
        decryptor: OpenDataDecryptor, as kind: OpenDataPayload.Kind? = nil,
        sessionKey: String, previousSessionKey: String? = nil, iv: String, encryptedData: String
    ) -> OpenDataDiagnosis {
        let current = attempt(decryptor: decryptor, as: kind, sessionKey: sessionKey, iv: iv, encryptedData: encryptedData)
        // The ring tries the previous key only when the current one gave decryption_failed.
        guard let previousSessionKey, current.failure?.code == .decryptionFailed else { return current }
        var steps = current.steps
        let previous: SessionKey
        do {
            previous = try SessionKey(base64: previousSessionKey)
        } catch {
            steps.append(Step(title: "previous session_key", passed: false, detail: error.reason + ".", code: error.code))
            return OpenDataDiagnosis(steps: steps, payload: nil, matchedKey: nil)
        }
        if let currentKey = try? SessionKey(base64: sessionKey), currentKey == previous {
            steps.append(Step(title: "previous session_key", passed: false,
                              detail: "is the same key as the current one, so it cannot help", code: .decryptionFailed))
            return OpenDataDiagnosis(steps: steps, payload: nil, matchedKey: nil)
        }
        let retry = attempt(decryptor: decryptor, as: kind, sessionKey: previousSessionKey, iv: iv, encryptedData: encryptedData)
        guard retry.succeeded else {
            steps.append(Step(title: "previous session_key", passed: false,
                              detail: "does not decrypt this payload either: "
                                  + (retry.failure.map { "\($0.title): \($0.detail)" } ?? ""),
                              code: retry.failure?.code ?? .decryptionFailed))
            return OpenDataDiagnosis(steps: steps, payload: nil, matchedKey: nil)
        }
        // The stale-key trap: the data was encrypted with the key the last login replaced.
        steps = steps.map { step in
            guard !step.passed else { return step }
            return Step(title: "decryption with the current session_key", passed: true,
                        detail: "fails; the previous session_key below decrypts it. " + staleKeyExplanation, code: nil)
        }
        steps += retry.steps.filter { $0.title != "iv" && $0.title != "encrypted_data" }.map { step in
            Step(title: step.title == "session_key" ? "previous session_key" : step.title, passed: step.passed,
                 detail: step.detail, code: step.code)
        }
        return OpenDataDiagnosis(steps: steps, payload: retry.payload, matchedKey: .previous)
    }

    static let staleKeyExplanation =
        "The mini program called wx.login after the button tap: that login replaced the session_key WeChat "
        + "encrypted this data with. Fix the client: call wx.checkSession before wx.login, or log in before "
        + "showing the button, so the tap's data and the backend's key belong to the same login."

    /// One decryption attempt with one key, observed step by step.
    private static func attempt(
        decryptor: OpenDataDecryptor, as kind: OpenDataPayload.Kind?, sessionKey: String, iv: String,
        encryptedData: String
    ) -> OpenDataDiagnosis {
        var steps: [Step] = []
        let key: SessionKey
        do {
            key = try SessionKey(base64: sessionKey)
        } catch {
            steps.append(Step(title: "session_key", passed: false, detail: error.reason + ".", code: error.code))
            return OpenDataDiagnosis(steps: steps, payload: nil, matchedKey: nil)
        }
        steps.append(
            Step(title: "session_key", passed: true, detail: describe(sessionKey.utf8.count, 16, key.repairs), code: nil))
        let observer = DecryptionObserver()
        do {
            let payload = try decryptor.decryptPayload(
                as: kind, encryptedData: encryptedData, iv: iv, sessionKey: key, observer: observer)
            steps += inputSteps(observer)
            steps += decryptionSteps(observer, decryptor: decryptor, failure: nil)
            steps.append(Step(title: "payload", passed: true, detail: "read as \(payload.kind.payloadName)", code: nil))
            return OpenDataDiagnosis(steps: steps, payload: payload, matchedKey: .current)
        } catch {
            steps += inputSteps(observer)
            if let title = failedInput(error.code) {
                steps.append(Step(title: title, passed: false, detail: error.reason + inputAdvice(error.code), code: error.code))
            } else {
                steps += decryptionSteps(observer, decryptor: decryptor, failure: error)
            }
            return OpenDataDiagnosis(steps: steps, payload: nil, matchedKey: nil)
        }
    }

    // MARK: Explaining what the pipeline saw

    private static func describe(_ encoded: Int, _ decoded: Int, _ repairs: Base64Repairs) -> String {
        var detail = "\(encoded) characters decode to \(decoded) bytes"
        guard !repairs.isEmpty else { return detail }
        detail += "; repaired: \(repairs)"
        if repairs.contains(.spacesAsPlus) {
            detail += ". '+' became spaces: send the field in a JSON body, or URL-encode it (encodeURIComponent)"
        }
        return detail
    }

    private static func inputSteps(_ observer: DecryptionObserver) -> [Step] {
        observer.decodedInputs.map {
            Step(title: $0.field.name, passed: true, detail: describe($0.encodedCount, $0.decodedCount, $0.repairs), code: nil)
        }
    }

    /// The input step an error before decryption belongs to.
    private static func failedInput(_ code: OpenDataError.Code) -> String? {
        switch code {
        case .invalidIV: "iv"
        case .invalidEncryptedData, .payloadTooLarge: "encrypted_data"
        default: nil
        }
    }

    private static func inputAdvice(_ code: OpenDataError.Code) -> String {
        switch code {
        case .invalidIV: ". Use the iv that came with this encryptedData, exactly as the mini program sent it."
        case .payloadTooLarge: ". Legacy open data is a few hundred bytes; this is not one payload."
        default: ". Check that the field is sent as received from WeChat, not URL-encoded twice or cut short."
        }
    }

    private static func decryptionSteps(
        _ observer: DecryptionObserver, decryptor: OpenDataDecryptor, failure: OpenDataError?
    ) -> [Step] {
        guard let decryption = observer.decryption else {
            // Nothing reached decryption: libcrypto itself failed.
            return [Step(title: "decryption", passed: false, detail: failure?.reason ?? "", code: failure?.code)]
        }
        if let failure, failure.code == .decryptionFailed {
            return [
                Step(title: "decryption", passed: false, detail: explain(decryption), code: failure.code)
            ]
        }
        var steps = [
            Step(
                title: "decryption", passed: true,
                detail: "\(decryption.byteCount) bytes decrypt with valid PKCS#7 padding to strict UTF-8 JSON", code: nil)
        ]
        guard let watermark = observer.watermark else {
            // The watermark itself was refused: missing, malformed, another appid, or too old.
            let title = failure?.field.map { $0.hasPrefix("watermark") ? $0 : "watermark" } ?? "watermark"
            var detail = failure?.reason ?? ""
            if failure?.code == .appIDMismatch {
                detail += ". Check that the backend uses the appid and session_key of the same mini program "
                    + "(staging and production differ)."
            }
            steps.append(Step(title: title, passed: false, detail: detail, code: failure?.code))
            return steps
        }
        steps.append(Step(title: "watermark.appid", passed: true, detail: "matches \(decryptor.appID)", code: nil))
        steps.append(Step(title: "watermark.timestamp", passed: true, detail: age(of: watermark, decryptor), code: nil))
        if let failure {
            steps.append(Step(title: "payload", passed: false, detail: failure.reason, code: failure.code))
        }
        return steps
    }

    private static func explain(_ decryption: DecryptionObserver.Decryption) -> String {
        let stale = "the session_key is stale (wx.login ran again after the button tap, so the backend holds a newer "
            + "key than the one WeChat encrypted with: call wx.checkSession before wx.login, or log in before showing "
            + "the button), or it belongs to another user or another mini program"
        if !decryption.paddingValid {
            return "AES-128-CBC with this session_key and iv gives invalid PKCS#7 padding: the key is wrong. Usually "
                + stale + ". Ask WeChat's checksession API (`wxdecrypt session-signature`) whether the key is still valid."
        }
        if decryption.onlyFirstBlockUnreadable {
            return "The padding is valid and every block after the first decrypts to readable JSON text, but the first "
                + "block does not: the session_key is right and the iv belongs to another call. Send the iv that came "
                + "with this encryptedData (they are returned together and must travel together)."
        }
        if let problem = decryption.jsonProblem, problem != .syntax, problem != .invalidUTF8, problem != .notAnObject {
            return "The data decrypts with valid padding, but the plaintext breaks the strict JSON rules: \(problem.phrase). "
                + "WeChat never sends that; the payload was altered or built by hand."
        }
        return "The padding happens to be valid but the plaintext is not JSON: the key is wrong. Usually " + stale + "."
    }

    private static func age(of watermark: Watermark, _ decryptor: OpenDataDecryptor) -> String {
        var detail = "timestamp \(watermark.timestamp)"
        let now = FreshnessPolicy.seconds((decryptor.freshness?.now() ?? Date()).timeIntervalSince1970)
        let (age, overflow) = now?.subtractingReportingOverflow(watermark.timestamp) ?? (0, true)
        if overflow {
            detail += ", too far from the clock to compute an age"
        } else {
            detail += age >= 0 ? ", \(age) s before now" : ", \(age.magnitude) s after now"
        }
        if let freshness = decryptor.freshness {
            detail += " (maximum age \(freshness.maximumAge.components.seconds) s)"
        } else {
            detail += " (no freshness check: pass a maximum age to enforce one)"
        }
        return detail
    }
}
