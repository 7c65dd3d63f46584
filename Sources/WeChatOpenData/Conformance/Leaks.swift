// What no error message of a decryptor may contain, and where the judge found it anyway.

/// A text that must not appear in a command's error output.
struct LeakMarker: Sendable, Hashable {
    enum Kind: Sendable, Hashable { case sessionKey, plaintext }

    let text: String
    let kind: Kind
    /// Hex may be written in either case.
    let ignoresCase: Bool

    /// Shorter texts could turn up in error text by chance.
    static let minimumLength = 8

    static func markers(sessionKeyText: String, plaintextIdentifiers: [String]) -> [LeakMarker] {
        var markers: [LeakMarker] = []
        func add(_ text: String, _ kind: Kind, ignoresCase: Bool = false) {
            guard text.utf8.count >= minimumLength else { return }
            let marker = LeakMarker(text: ignoresCase ? text.lowercased() : text, kind: kind, ignoresCase: ignoresCase)
            if !markers.contains(marker) { markers.append(marker) }
        }
        let trimmed = sessionKeyText.trimmingWhitespace()
        add(trimmed, .sessionKey)
        if let key = anyLengthBase64(trimmed) {
            let canonical = key.withUnsafeBytes { Base64Encoding.encode($0) }
            add(canonical, .sessionKey)
            add(String(canonical.prefix { $0 != "=" }), .sessionKey)
            add(key.withUnsafeBytes { Hex.encode($0) }, .sessionKey, ignoresCase: true)
        }
        for identifier in plaintextIdentifiers { add(identifier, .plaintext) }
        return markers
    }

    /// The bytes of a base64 text of any length, after the usual repairs; `nil` when it is not base64.
    private static func anyLengthBase64(_ text: String) -> [UInt8]? {
        var bytes: [UInt8]?
        try? Base64Decoding.withDecoded(text, field: .anyLengthKey) { (decoded, _) throws(OpenDataError) in
            bytes = Array(decoded)
        }
        return bytes
    }

    /// Whether `text` (and its lowercase form, for hex) contains the marker.
    func isFound(in text: String, lowercased: String) -> Bool {
        (ignoresCase ? lowercased : text).contains(self.text)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

/// Where a session key or a plaintext identifier shows up in what the command wrote: stderr,
/// rejecting answers, and output lines that are not answers.
struct LeakScan {
    private struct Places {
        var standardError = false
        var answers: [String] = []
        var otherLines = 0
    }

    private var places: [LeakMarker.Kind: Places] = [:]

    init(suite: ConformanceSuite, sheet: AnswerSheet, standardError: [UInt8]) {
        let everyMarker = Array(Set(suite.cases.flatMap(\.leakMarkers)))
        func kinds(in text: String, markers: some Sequence<LeakMarker>) -> Set<LeakMarker.Kind> {
            let text = text.replacing("\\/", with: "/")
            let lowercased = text.lowercased()
            return Set(markers.filter { $0.isFound(in: text, lowercased: lowercased) }.map(\.kind))
        }
        // The first MiB of stderr: a leaking decryptor leaks early, and a flood must not outlast the run.
        let scannedError = standardError.prefix(1 << 20)
        for kind in kinds(in: String(decoding: scannedError, as: UTF8.self), markers: everyMarker) {
            places[kind, default: Places()].standardError = true
        }
        for (text, caseIndex) in sheet.errorTexts {
            for kind in kinds(in: text, markers: caseIndex.map { suite.cases[$0].leakMarkers } ?? everyMarker) {
                if let caseIndex {
                    places[kind, default: Places()].answers.append(suite.cases[caseIndex].id)
                } else {
                    places[kind, default: Places()].otherLines += 1
                }
            }
        }
    }

    /// `in stderr, 35 answers (first: rejects-…/…)`, or `nil` when markers of `kind` were nowhere.
    func describe(_ kind: LeakMarker.Kind) -> String? {
        guard let found = places[kind] else { return nil }
        var parts: [String] = []
        if found.standardError { parts.append("stderr") }
        if let first = found.answers.first {
            parts.append(found.answers.count == 1 ? "the answer to \(first)" : "\(found.answers.count) answers (first: \(first))")
        }
        if found.otherLines > 0 { parts.append("\(found.otherLines) other output line\(found.otherLines == 1 ? "" : "s")") }
        return "in " + parts.joined(separator: ", ")
    }
}
