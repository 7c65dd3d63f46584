import Testing
@testable import WeChatOpenData

/// The validator's fast path for WeChat's phone number layout (`PhoneNumberShape`) against the
/// general validator: whatever the fast path accepts, the general one accepts too, with the
/// same members handed over in the same order.
@Suite("The phone number fast path agrees with the general validator")
struct PhoneNumberShapeTests {
    /// What a collector is handed, in order: each member's key and value as offsets.
    struct Recorder: JSONMemberCollector {
        var calls: [String] = []

        mutating func collect(key: JSONStringSpan, value: JSONValue) { record("top", key, value) }

        mutating func collectNested(in parent: Int, key: JSONStringSpan, value: JSONValue) {
            record("in \(parent)", key, value)
        }

        private mutating func record(_ level: String, _ key: JSONStringSpan, _ value: JSONValue) {
            calls.append(
                "\(level) key \(key.start)..<\(key.end) \(key.hasEscapes) value \(value.start)..<\(value.knownEnd) \(value.knownEscapes)")
        }
    }

    /// The fast path's verdict and members, and the general validator's.
    static func verdicts(_ document: [UInt8]) -> (fast: [String]?, general: [String]?) {
        document.withUnsafeBytes { bytes in
            var fast = Recorder()
            var general = Recorder()
            let matched = PhoneNumberShape.matches(bytes, collecting: &fast)
            let valid = StrictJSONValidator.generalProblem(in: bytes, collecting: &general) == nil
            return (matched ? fast.calls : nil, valid ? general.calls : nil)
        }
    }

    /// A phone payload in WeChat's layout, with field texts drawn from what real ones hold and
    /// what they may hold at the edges (empty, DEL, a leading zero, nineteen digits).
    static func documents() -> [[UInt8]] {
        var generator = SplitMix(state: 0x9_40_4E)
        let numbers = ["13580006666", "+1 6505550100", "+852 52831322", "", "0", "1\u{7F}2", "~!#$%&'()*+,-./:;<=>?@[]^_`{|}"]
        let countryCodes = [#""86""#, "86", "0", #""""#, "1234567890123456789"]
        let timestamps = ["1637744274", "0", "9", "1234567890123456789"]
        let appIDs = ["wx4f4bc4dec97d474b", "", "wx"]
        var documents: [[UInt8]] = []
        for _ in 0..<200 {
            let number = numbers.randomElement(using: &generator)!
            let document =
                #"{"phoneNumber":"\#(number)","purePhoneNumber":"\#(numbers.randomElement(using: &generator)!)","#
                + #""countryCode":\#(countryCodes.randomElement(using: &generator)!),"#
                + #""watermark":{"timestamp":\#(timestamps.randomElement(using: &generator)!),"#
                + #""appid":"\#(appIDs.randomElement(using: &generator)!)"}}"#
            documents.append(Array(document.utf8))
        }
        return documents
    }

    @Test("every document in WeChat's layout takes the fast path, with the general validator's members")
    func canonicalDocuments() {
        for document in Self.documents() {
            let (fast, general) = Self.verdicts(document)
            #expect(fast != nil, "\(String(decoding: document, as: UTF8.self))")
            #expect(fast == general, "\(String(decoding: document, as: UTF8.self))")
        }
    }

    @Test("a byte replaced, removed or added anywhere: the fast path accepts only what the general validator accepts, with the same members")
    func mutatedDocuments() {
        var generator = SplitMix(state: 0x5_4A_9E)
        let replacements: [UInt8] = Array(#"" \0-.eE+}{,:[]x19"#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xFF, 0x09, 0x0A]
        var accepted = 0
        var refused = 0
        for document in Self.documents().prefix(40) {
            var mutants: [[UInt8]] = []
            for position in document.indices {
                var removed = document
                removed.remove(at: position)
                mutants.append(removed)
                for _ in 0..<3 {
                    let byte = replacements.randomElement(using: &generator)!
                    var replaced = document
                    replaced[position] = byte
                    mutants.append(replaced)
                    var inserted = document
                    inserted.insert(byte, at: position)
                    mutants.append(inserted)
                }
            }
            mutants.append(document + [0x20])
            mutants.append([0x20] + document)
            for mutant in mutants {
                let (fast, general) = Self.verdicts(mutant)
                guard let fast else {
                    refused += 1
                    continue
                }
                accepted += 1
                #expect(general == fast, "\(String(decoding: mutant, as: UTF8.self))")
            }
        }
        // Both sides of the fast path are exercised: mutants it takes and mutants it leaves.
        #expect(accepted > 1_000)
        #expect(refused > 10_000)
    }

    @Test("the validator's verdict is the general one's for every mutant, fast path or not")
    func sameVerdicts() {
        var generator = SplitMix(state: 0xE_D6E)
        for document in Self.documents().prefix(20) {
            for _ in 0..<300 {
                var mutant = document
                mutant[Int.random(in: mutant.indices, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                mutant.withUnsafeBytes { bytes in
                    var ignored = NoMemberCollector()
                    var alsoIgnored = NoMemberCollector()
                    #expect(
                        StrictJSONValidator.problem(in: bytes, collecting: &ignored)
                            == StrictJSONValidator.generalProblem(in: bytes, collecting: &alsoIgnored))
                }
            }
        }
    }
}
