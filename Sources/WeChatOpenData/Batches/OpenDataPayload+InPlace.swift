extension OpenDataPayload {
    /// A verified payload as a batch worker hands it over, lent with the plaintext it was read
    /// from: a phone number or a user profile (what archives of legacy records hold) still
    /// there, its text written out from the plaintext and copied into `String`s only when asked
    /// for; any other kind read into its model at once.
    enum InPlace {
        case phoneNumber(PhoneNumber.InPlace)
        case userInfo(UserInfo.InPlace)
        case read(OpenDataPayload)

        /// Recognises the kind of a verified document and runs that model's checks: the same
        /// checks, and so the same errors, as ``OpenDataDecryptor/readPayload(_:_:)``.
        init(_ document: VerifiedDocument) throws(OpenDataError) {
            let kind = Kind.recognise(document)
            switch kind {
            case .phone: self = .phoneNumber(try PhoneNumber.InPlace(document))
            case .user: self = .userInfo(try UserInfo.InPlace(document.root, watermark: document.watermark))
            // The recognised kind, not recognised again; asked for the kind it is, readPayload
            // throws the model's errors unchanged.
            default: self = .read(try OpenDataDecryptor.readPayload(kind, document))
            }
        }

        /// The payload, its text copied out of the plaintext.
        var payload: OpenDataPayload {
            switch self {
            case .phoneNumber(let phone): .phoneNumber(PhoneNumber(phone))
            case .userInfo(let user): .userInfo(UserInfo(user))
            case .read(let payload): payload
            }
        }

        /// Appends the payload's JSON, as ``OpenDataPayload/appendJSON(to:)`` writes it.
        func appendJSON(to output: inout [UInt8]) {
            switch self {
            case .phoneNumber(let phone): output.appendJSON(phone)
            case .userInfo(let user): output.appendJSON(user)
            case .read(let payload): payload.appendJSON(to: &output)
            }
        }
    }
}
