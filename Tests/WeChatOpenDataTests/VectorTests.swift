import Foundation
import Testing
import WeChatOpenData

@Suite("Fixtures/vectors.json through the public API")
struct VectorTests {
    @Test("the fixture file has the documented coverage")
    func coverage() {
        let vectors = Fixtures.vectors
        #expect(vectors.count >= 25)
        #expect(Fixtures.negativeVectors.count >= 15)
        #expect(Set(vectors.map(\.name)).count == vectors.count, "vector names are unique")
        let codes = Set(Fixtures.negativeVectors.compactMap(\.expectedError))
        let decryptionCodes: [OpenDataError.Code] = [
            .invalidSessionKey, .invalidIV, .invalidEncryptedData, .payloadTooLarge, .decryptionFailed, .invalidPayload,
            .appIDMismatch, .watermarkExpired,
        ]
        for code in decryptionCodes { #expect(codes.contains(code), "a negative vector for \(code)") }
        #expect(vectors.contains { $0.expectedSignatureError == .invalidSignature })
        let repairs = vectors.reduce(into: Base64Repairs()) { $0.formUnion($1.expectedRepairs ?? []) }
        #expect(repairs == [.spacesAsPlus, .urlSafeAlphabet, .missingPadding, .whitespaceRemoved])
        for kind in OpenDataPayload.Kind.allCases {
            #expect(Fixtures.positiveVectors.contains { $0.kind == kind }, "a positive \(kind) vector")
        }
    }

    @Test("positive vectors decrypt to exactly the expected JSON", arguments: Fixtures.positiveVectors.map(\.name))
    func positive(name: String) throws {
        let vector = try #require(Fixtures.vectors.first { $0.name == name })
        let key = try SessionKey(base64: vector.sessionKey)
        let verified = try vector.makeDecryptor().decryptJSON(encryptedData: vector.encryptedData, iv: vector.iv, sessionKey: key)
        #expect(verified.jsonString == vector.expectedPlaintext)
        #expect(verified.watermark.appID == vector.appID)
        let payload = try vector.decrypt()
        if let kind = vector.kind { #expect(payload.kind == kind) }
        // The typed model re-encodes to the same JSON value as the plaintext.
        let reencoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(payload)) as? NSDictionary
        // countryCode is normalised to a string, as WeChat has sent it both ways.
        let original = try #require(JSONSerialization.jsonObject(with: verified.json) as? NSDictionary)
        let normalised = original.mutableCopy() as! NSMutableDictionary
        if let code = original["countryCode"] as? NSNumber { normalised["countryCode"] = code.stringValue }
        #expect(reencoded == normalised)
    }

    @Test("negative vectors fail with exactly the expected code", arguments: Fixtures.negativeVectors.map(\.name))
    func negative(name: String) throws {
        let vector = try #require(Fixtures.vectors.first { $0.name == name })
        let error = #expect(throws: OpenDataError.self) { try vector.decrypt() }
        #expect(error?.code == vector.expectedError)
        if let field = vector.expectedField { #expect(error?.field == field) }
    }

    @Test("repair vectors report their repairs")
    func repairs() throws {
        for vector in Fixtures.vectors where vector.expectedRepairs != nil {
            let found = try SessionKey(base64: vector.sessionKey).repairs
                .union(InitializationVector(base64: vector.iv).repairs)
                .union(Base64Inspection.inspect(encryptedData: vector.encryptedData).repairs)
            #expect(found == vector.expectedRepairs && !found.isEmpty, "\(vector.name)")
        }
    }

    @Test("the library's own vector check passes every vector", arguments: Fixtures.vectors.map(\.name))
    func libraryCheck(name: String) throws {
        let vector = try #require(Fixtures.vectors.first { $0.name == name })
        #expect(vector.check() == nil)
    }

    @Test("signatures in vectors verify, or fail as expected")
    func signatures() throws {
        for vector in Fixtures.vectors {
            let key = try? SessionKey(base64: vector.sessionKey)
            if let rawData = vector.rawData, let signature = vector.signature, let key {
                if let code = vector.expectedSignatureError {
                    let error = #expect(throws: OpenDataError.self) {
                        try UserInfoSignature.verify(signature: signature, rawData: rawData, sessionKey: key)
                    }
                    #expect(error?.code == code)
                } else {
                    try UserInfoSignature.verify(signature: signature, rawData: rawData, sessionKey: key)
                    #expect(UserInfoSignature.signature(rawData: rawData, sessionKey: key) == signature)
                }
            }
            if let expected = vector.loginStateSignature, let key {
                #expect(key.loginStateSignature() == expected)
            }
        }
    }
}
