/// What a command under test wrote to stdout, read line by line and matched to the cases by id.
struct AnswerSheet {
    struct Answer {
        let ok: Bool
        /// The `data` object of an accepting answer, flattened.
        let data: JSONLeaves?
        /// The answer's `error.code`, when it gives one as a string.
        let errorCode: String?
    }

    /// The answers to each case, by case index.
    private(set) var answers: [[Answer]]
    /// Lines that are not a JSON object with a string `id` and a boolean `ok`.
    private(set) var malformedLines = 0
    /// Answer lines whose id is no case's.
    private(set) var unknownIDs = 0
    /// The text of every line that is not an accepting answer, with the case it answers if
    /// known: where a leaked key or plaintext would show. Bounded (see below), so that a command
    /// that floods its output cannot make the judging outlast `--timeout`.
    private(set) var errorTexts: [(text: String, caseIndex: Int?)] = []

    /// At most this many texts are kept for the leak scan, each cut to `scannedTextBytes`: a
    /// leak shows in the first few answers of a leaking decryptor.
    static let scannedTexts = 10_000
    static let scannedTextBytes = 64 << 10

    private mutating func keep(_ line: UnsafeRawBufferPointer, for caseIndex: Int?) {
        guard errorTexts.count < Self.scannedTexts else { return }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: line.prefix(Self.scannedTextBytes)), as: UTF8.self)
        errorTexts.append((text, caseIndex))
    }

    init(output: [UInt8], cases: [ConformanceCase]) {
        answers = Array(repeating: [], count: cases.count)
        var index: [String: Int] = [:]
        for (position, item) in cases.enumerated() { index[item.id] = position }
        output.withUnsafeBytes { bytes in
            var start = 0
            while start < bytes.count {
                let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
                var line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                if line.last == 0x0D { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
                if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { read(line, index: index) }
                start = end + 1
            }
        }
    }

    private mutating func read(_ line: UnsafeRawBufferPointer, index: [String: Int]) {
        guard StrictJSONValidator.isValidObject(line) else {
            malformedLines += 1
            keep(line, for: nil)
            return
        }
        let root = JSONValue.root(of: line)
        guard let id = root.member("id")?.string, let ok = root.member("ok")?.bool else {
            malformedLines += 1
            keep(line, for: nil)
            return
        }
        guard let position = index[id] else {
            unknownIDs += 1
            keep(line, for: nil)
            return
        }
        if ok {
            let data = root.member("data").flatMap { $0.kind == .object ? JSONLeaves($0) : nil }
            answers[position].append(Answer(ok: true, data: data, errorCode: nil))
        } else {
            answers[position].append(Answer(ok: false, data: nil, errorCode: root.member("error")?.member("code")?.string))
            keep(line, for: position)
        }
    }

    /// How many cases got at least one answer.
    var answeredCount: Int { answers.filter { !$0.isEmpty }.count }

    /// How many cases got more than one.
    var repeatedCount: Int { answers.filter { $0.count > 1 }.count }
}
