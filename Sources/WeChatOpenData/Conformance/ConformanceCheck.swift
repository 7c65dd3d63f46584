/// One line of a conformance report: a property a WeChat open-data decryptor should have,
/// such as "rejects padding whose last byte is 0", judged over one or more cases.
///
/// Read a suite's checks to know what ``ConformanceSuite`` tests before running it, or to
/// map a ``ConformanceReport`` back to the groups below.
public struct ConformanceCheck: Sendable, Hashable, Identifiable {
    /// How much a failed check matters.
    public enum Group: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// A decryptor that fails one of these is wrong: it accepts forged or broken data, or
        /// rejects genuine data. The command exits 1 when any of them fails.
        case required
        /// What a robust backend does: repairs transport damage, rejects ambiguous JSON,
        /// checks freshness.
        case recommended
        /// How the command behaves when things go wrong: crashes, hangs, secrets in error text.
        case informational

        /// The group's name with a capital letter, as the report's headings print it.
        public var description: String {
            switch self {
            case .required: "Required"
            case .recommended: "Recommended"
            case .informational: "Informational"
            }
        }
    }

    /// A stable kebab-case identifier (`rejects-pad-byte-zero`), the same in every run.
    public let id: String
    /// The group the check belongs to.
    public let group: Group
    /// What the check tests, in a few words.
    public let summary: String

    /// Creates a check.
    ///
    /// - Parameters:
    ///   - id: A stable kebab-case identifier, unique in its suite.
    ///   - group: How much a failure matters.
    ///   - summary: What the check tests, in a few words.
    public init(id: String, group: Group, summary: String) {
        self.id = id
        self.group = group
        self.summary = summary
    }
}
