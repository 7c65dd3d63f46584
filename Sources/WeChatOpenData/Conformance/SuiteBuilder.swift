/// Collects checks and their cases in order; the generated catalogue and the vector files
/// both build through it.
struct SuiteBuilder {
    private(set) var checks: [ConformanceCheck] = []
    private(set) var cases: [ConformanceCase] = []
    /// The check the next cases count towards.
    private(set) var checkID = ""

    /// Starts a check; the cases added next count towards it.
    mutating func check(_ id: String, _ group: ConformanceCheck.Group, _ summary: String) {
        checks.append(ConformanceCheck(id: id, group: group, summary: summary))
        checkID = id
    }

    /// The base64 texts of one case, as they will be sent.
    struct Texts {
        var appID: String
        var sessionKey: String
        var iv: String
        var encryptedData: String
    }

    /// Adds a case to the current check: accepted with `plaintext`'s fields, or rejected when it is `nil`.
    mutating func add(
        _ label: String, _ texts: Texts, accept plaintext: String?, identifiers: [String], now: Int64? = nil,
        maximumAge: Int64? = nil
    ) {
        precondition(!checkID.isEmpty, "a case needs a check")
        let record = BatchInputRecord(
            appID: texts.appID, sessionKey: texts.sessionKey, iv: texts.iv, encryptedData: texts.encryptedData)
        cases.append(
            ConformanceCase(
                id: "\(checkID)/\(label)", checkID: checkID, record: record, now: now, maximumAge: maximumAge,
                expectation: plaintext.map { .accept(plaintext: $0) } ?? .reject, plaintextIdentifiers: identifiers))
    }
}
