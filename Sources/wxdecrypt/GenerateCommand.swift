import ArgumentParser
import WeChatOpenData

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write N realistic decrypt-file input records, some deliberately broken, for load tests.",
        discussion: """
            Records use random keys and ivs and mainland and overseas phone numbers; the output depends only on \
            the options, so a seed reproduces it. Broken records cycle through every failure kind: stale session \
            key, iv from another call (decryption_failed), truncated data (invalid_encrypted_data), bad iv \
            (invalid_iv), short session key (invalid_session_key), another app (appid_mismatch), a line that is \
            not JSON and a missing field (invalid_record). A summary of what was made goes to stderr.
            """)

    @Option(help: "How many records to write.")
    var records: Int

    @Option(help: "The seed; the same seed gives the same output.")
    var seed: UInt64 = 1

    @Option(name: .customLong("app-id"), help: "The appid in every record's watermark.")
    var appID: String = "wx4f4bc4dec97d474b"

    @Option(help: "The fraction of records to break, from 0 to 1.")
    var badFraction: Double = 0.01

    @Option(help: "The watermark timestamp (Unix seconds).")
    var timestamp: Int64 = 1_637_744_274

    @Option(help: ArgumentHelp("Where to write ('-' for stdout, the default).", valueName: "path"))
    var output: String?

    func validate() throws {
        try AppIDArgument.validate(appID)
        guard records >= 0 else { throw ValidationError("--records must not be negative.") }
        guard (0...1).contains(badFraction) else { throw ValidationError("--bad-fraction must be between 0 and 1.") }
    }

    func run() throws {
        try Console.run {
            var generator = SeededGenerator(seed: seed)
            let sink = try OutputFile(path: output)
            var made: [String: Int] = [:]
            var brokenCount = 0
            do {
                var previousIV = InitializationVector.random(using: &generator)
                for number in stride(from: 1, through: records, by: 1) {
                    let broken = Double.random(in: 0..<1, using: &generator) < badFraction
                    let kind = broken ? BrokenKind.allCases[brokenCount % BrokenKind.allCases.count] : nil
                    if broken { brokenCount += 1 }
                    let (line, iv) = try makeRecord(number: number, broken: kind, previousIV: previousIV, using: &generator)
                    previousIV = iv
                    made[kind?.expectedCode ?? "ok", default: 0] += 1
                    try sink.write(Array((line + "\n").utf8))
                }
                try sink.finish()
            } catch {
                sink.discard()
                throw error
            }
            let ok = made["ok", default: 0]
            let failures = made.filter { $0.key != "ok" }.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
            Console.standardError(
                "wxdecrypt: generated \(records) records, \(ok) ok, \(records - ok) broken"
                    + (failures.isEmpty ? "" : " (\(failures.joined(separator: ", ")))"))
        }
    }

    enum BrokenKind: CaseIterable {
        case staleSessionKey, ivFromAnotherCall, truncatedData, badIV, shortSessionKey, otherApp, notJSON, missingField

        var expectedCode: String {
            switch self {
            case .staleSessionKey, .ivFromAnotherCall: "decryption_failed"
            case .truncatedData: "invalid_encrypted_data"
            case .badIV: "invalid_iv"
            case .shortSessionKey: "invalid_session_key"
            case .otherApp: "appid_mismatch"
            case .notJSON, .missingField: "invalid_record"
            }
        }
    }

    private func makeRecord(
        number: Int, broken: BrokenKind?, previousIV: InitializationVector, using generator: inout SeededGenerator
    ) throws(OpenDataError) -> (String, InitializationVector) {
        let key = try SessionKey(bytes: generator.bytes(16))
        let iv = InitializationVector.random(using: &generator)
        let phone = PhoneFactory.make(using: &generator)
        let watermarkAppID = broken == .otherApp ? "wx0000000000000000" : appID
        let payload = PhoneNumber(
            phoneNumber: phone.international, purePhoneNumber: phone.national, countryCode: phone.countryCode,
            watermark: Watermark(appID: watermarkAppID, timestamp: timestamp))
        let sealed = try OpenDataEncryptor.encrypt(.phoneNumber(payload), sessionKey: key, iv: iv)
        var sessionKeyText = key.base64EncodedString()
        var ivText = sealed.iv
        var data = sealed.encryptedData
        switch broken {
        case .staleSessionKey: sessionKeyText = try SessionKey(bytes: generator.bytes(16)).base64EncodedString()
        case .ivFromAnotherCall: ivText = previousIV.base64EncodedString()
        case .truncatedData: data = String(data.dropLast(8))
        case .badIV: ivText = "%" + ivText.dropFirst()
        case .shortSessionKey: sessionKeyText = String(sessionKeyText.prefix(16))
        // The two lines that are deliberately not records are written by hand; every record is
        // written by the library, as `encrypt` writes its record.
        case .notJSON: return ("{\"id\": \(number), \"session_key\": ", iv)
        case .missingField: return (#"{"id":\#(number),"appid":"\#(appID)","iv":"\#(ivText)","encrypted_data":"\#(data)"}"#, iv)
        case .otherApp, nil: break
        }
        let record = BatchInputRecord(
            id: .number(Int64(number)), appID: appID, sessionKey: sessionKeyText, iv: ivText, encryptedData: data)
        return (record.jsonLine(), iv)
    }
}

/// Realistic phone numbers: mainland mobile numbers and a few overseas ones.
enum PhoneFactory {
    struct Phone {
        let international: String
        let national: String
        let countryCode: String
    }

    private static let overseas: [(code: String, digits: Int, lead: String)] = [
        ("1", 10, "6"), ("852", 8, "5"), ("853", 8, "6"), ("886", 9, "9"), ("65", 8, "8"), ("44", 10, "7"), ("81", 10, "9"),
    ]

    static func make(using generator: inout SeededGenerator) -> Phone {
        func digits(_ count: Int) -> String {
            String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
        }
        if Int.random(in: 0..<10, using: &generator) < 8 {
            let prefixes = ["13", "15", "17", "18", "19"]
            let national = prefixes[Int.random(in: 0..<prefixes.count, using: &generator)] + digits(9)
            return Phone(international: national, national: national, countryCode: "86")
        }
        let region = overseas[Int.random(in: 0..<overseas.count, using: &generator)]
        let national = region.lead + digits(region.digits - 1)
        return Phone(international: "+\(region.code) \(national)", national: national, countryCode: region.code)
    }
}
