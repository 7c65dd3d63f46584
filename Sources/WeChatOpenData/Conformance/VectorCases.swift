/// Cases from files in the package's vector format (`Fixtures/README.md`): positive vectors
/// must be accepted with their plaintext's fields, negative ones rejected. Vectors whose
/// outcome the protocol cannot express are skipped, with the reason.
enum VectorCases {
    /// Where a vector of the built-in file goes instead of its file's checks.
    enum Placement {
        case check(id: String, summary: String)
        case skip(reason: String)
    }

    /// Adds `vectors` to `builder`: checks `<prefix>-accepts`, `-rejects` (required),
    /// `-repairs` and `-freshness` (recommended), each only when it has cases.
    static func add(
        _ vectors: [OpenDataTestVector], source: String, prefix: String, placements: [String: Placement] = [:],
        to builder: inout SuiteBuilder
    ) throws(OpenDataError) -> [ConformanceSuite.SkippedVector] {
        var names = Set<String>()
        var groups: [Role: [OpenDataTestVector]] = [:]
        var skipped: [ConformanceSuite.SkippedVector] = []
        for vector in vectors {
            guard names.insert(vector.name).inserted else {
                throw .invalidArgument(field: "name", "must be unique in \(source): two vectors are named '\(vector.name)'")
            }
            switch placements[vector.name] {
            case .check(let id, let summary):
                builder.check(id, .required, summary)
                add(vector, to: &builder)
            case .skip(let reason):
                skipped.append(ConformanceSuite.SkippedVector(source: source, name: vector.name, reason: reason))
            case nil:
                switch role(of: vector) {
                case .success(let role): groups[role, default: []].append(vector)
                case .failure(let reason):
                    skipped.append(ConformanceSuite.SkippedVector(source: source, name: vector.name, reason: reason.text))
                }
            }
        }
        for role in Role.allCases {
            guard let members = groups[role] else { continue }
            builder.check("\(prefix)-\(role.rawValue)", role.group, "\(role.summary) of \(source)")
            for vector in members { add(vector, to: &builder) }
        }
        return skipped
    }

    private static func add(_ vector: OpenDataTestVector, to builder: inout SuiteBuilder) {
        let texts = SuiteBuilder.Texts(
            appID: vector.appID, sessionKey: vector.sessionKey, iv: vector.iv, encryptedData: vector.encryptedData)
        builder.add(
            vector.name, texts, accept: vector.expectedError == nil ? vector.expectedPlaintext : nil,
            identifiers: vector.expectedPlaintext.map(JSONLeaves.identifiers(in:)) ?? [], now: vector.maxAge == nil ? nil : vector.now,
            maximumAge: vector.maxAge)
    }

    private enum Role: String, CaseIterable {
        case accepts, rejects, repairs, freshness

        var group: ConformanceCheck.Group {
            switch self {
            case .accepts, .rejects: .required
            case .repairs, .freshness: .recommended
            }
        }

        var summary: String {
            switch self {
            case .accepts: "positive vectors"
            case .rejects: "negative vectors"
            case .repairs: "repair vectors"
            case .freshness: "freshness vectors"
            }
        }
    }

    private struct SkipReason: Error {
        let text: String
    }

    /// Error codes that only a kind-specific model, a size limit or another API produces.
    private static let inexpressibleCodes: [String: String] = [
        "payload_too_large": "needs a size limit, which the protocol does not carry",
        "invalid_signature": "a signature check, not decryption",
        "invalid_record": "about the input line, not the payload",
        "invalid_argument": "about an argument, not the payload",
    ]

    private static func role(of vector: OpenDataTestVector) -> Result<Role, SkipReason> {
        if vector.maxEncryptedDataSize != nil { return .failure(SkipReason(text: "needs a size limit, which the protocol does not carry")) }
        if vector.maxAge != nil {
            guard vector.now != nil else { return .failure(SkipReason(text: "has max_age but no now")) }
            return .success(.freshness)
        }
        guard let code = vector.expectedError else {
            guard vector.expectedPlaintext != nil else {
                return .failure(SkipReason(text: "has neither expected_plaintext nor expected_error"))
            }
            return .success(vector.expectedRepairs?.isEmpty == false ? .repairs : .accepts)
        }
        if let reason = inexpressibleCodes[code.name] { return .failure(SkipReason(text: reason)) }
        if code == .watermarkExpired { return .failure(SkipReason(text: "watermark_expired without max_age and now")) }
        if code == .invalidPayload, !(vector.expectedField ?? "").hasPrefix("watermark") {
            return .failure(SkipReason(text: "depends on the payload kind, which the protocol does not carry"))
        }
        return .success(.rejects)
    }
}
