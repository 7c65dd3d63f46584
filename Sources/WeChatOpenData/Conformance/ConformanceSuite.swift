#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The conformance suite: cases that any WeChat open-data decryptor, in any language, can be
/// run against, and the judge of its answers.
///
/// The built-in suite is generated from a fixed seed by the library's encryptor (every kind
/// of payload, and each way of breaking a record that lenient decryptors let through), plus
/// WeChat's published demo sample and the package's `Fixtures/vectors.json`. Add your own
/// vector files with ``adding(vectors:from:)``.
///
/// ```swift
/// let suite = ConformanceSuite.builtIn()
/// // Write suite.input to the decryptor under test, collect its stdout, then:
/// let report = suite.judge(run)
/// print(report.text)
/// ```
public struct ConformanceSuite: Sendable {
    /// A vector that the protocol cannot judge (it needs a size limit, or a payload kind), and why.
    public struct SkippedVector: Sendable, Hashable {
        /// The vector file it comes from.
        public let source: String
        /// The vector's name.
        public let name: String
        /// Why it is not a case.
        public let reason: String
    }

    /// The seed of the built-in suite; the same seed always gives the same cases.
    public static let defaultSeed: UInt64 = 20_261_121

    /// Every check, group by group (required, recommended, informational), in report order.
    public var checks: [ConformanceCheck] { caseChecks + Self.informationalChecks }
    /// Every case, in input order.
    public let cases: [ConformanceCase]
    /// The vectors of the vector files that are not cases.
    public let skippedVectors: [SkippedVector]

    /// The checks that have cases.
    let caseChecks: [ConformanceCheck]
    /// How many vector files ``adding(vectors:from:)`` has added.
    private let addedFiles: Int

    private init(caseChecks: [ConformanceCheck], cases: [ConformanceCase], skippedVectors: [SkippedVector], addedFiles: Int) {
        // Grouped, so that a report lists its checks in the same order as its tables.
        let order = ConformanceCheck.Group.allCases
        self.caseChecks = caseChecks.enumerated()
            .sorted { (order.firstIndex(of: $0.element.group)!, $0.offset) < (order.firstIndex(of: $1.element.group)!, $1.offset) }
            .map(\.element)
        self.cases = cases
        self.skippedVectors = skippedVectors
        self.addedFiles = addedFiles
    }

    /// The built-in suite.
    ///
    /// - Parameter seed: The seed the generated cases' keys, ivs and identifiers derive from.
    /// - Returns: The generated cases, WeChat's demo sample and the package's vectors.
    public static func builtIn(seed: UInt64 = defaultSeed) -> ConformanceSuite {
        var builder = GeneratedCases.build(seed: seed)
        // The embedded file is the package's own, checked by its tests: failing to read it is
        // a broken build, not bad input.
        let vectors = try! OpenDataTestVector.load(from: Data(EmbeddedVectors.json.utf8))
        let skipped = try! VectorCases.add(
            vectors, source: "Fixtures/vectors.json", prefix: "vectors", placements: builtInPlacements, to: &builder)
        return ConformanceSuite(caseChecks: builder.checks, cases: builder.cases, skippedVectors: skipped, addedFiles: 0)
    }

    /// Vectors of the built-in file with a check of their own, or that judge the library's
    /// own policy rather than what every decryptor must do.
    private static let builtInPlacements: [String: VectorCases.Placement] = [
        "wechat-official-demo-userinfo": .check(id: "accepts-wechat-demo-sample", summary: "WeChat's published demo sample"),
        "neg-plaintext-duplicate-key": .skip(reason: "judged by the recommended check rejects-duplicate-keys"),
        "neg-plaintext-too-deep": .skip(reason: "a nesting limit is this library's policy, not a requirement"),
    ]

    /// The suite with the vectors of one more file: its positive and negative vectors become
    /// required checks `suite-N-accepts` and `suite-N-rejects`, its repair and freshness
    /// vectors recommended ones (N counts the files added, from 1).
    ///
    /// - Parameters:
    ///   - vectors: The file's vectors (``OpenDataTestVector/load(from:)``).
    ///   - source: The file's name, for the report.
    /// - Returns: The larger suite.
    /// - Throws: ``OpenDataError/Code/invalidArgument`` when two vectors of the file share a name.
    public func adding(vectors: [OpenDataTestVector], from source: String) throws(OpenDataError) -> ConformanceSuite {
        var builder = SuiteBuilder()
        let skipped = try VectorCases.add(vectors, source: source, prefix: "suite-\(addedFiles + 1)", to: &builder)
        return ConformanceSuite(
            caseChecks: caseChecks + builder.checks, cases: cases + builder.cases, skippedVectors: skippedVectors + skipped,
            addedFiles: addedFiles + 1)
    }

    /// What the command under test reads: every case's ``ConformanceCase/inputLine``, each
    /// ending in a newline.
    public var input: String { cases.map { $0.inputLine + "\n" }.joined() }

    /// Judges a run of the command under test against the suite.
    ///
    /// - Parameter run: What the command wrote and how it ended.
    /// - Returns: One result per check.
    public func judge(_ run: ConformanceRun) -> ConformanceReport {
        ConformanceJudgement(suite: self, run: run).report()
    }

    /// The checks judged from how the command behaved rather than from a case.
    static let informationalChecks = [
        ConformanceCheck(id: "exits-cleanly", group: .informational, summary: "exits by itself with status 0 or 1"),
        ConformanceCheck(id: "finishes-in-time", group: .informational, summary: "finishes within the time limit"),
        ConformanceCheck(id: "answers-every-case", group: .informational, summary: "one well-formed answer per case"),
        ConformanceCheck(id: "no-key-in-errors", group: .informational, summary: "no session key in stderr or errors"),
        ConformanceCheck(
            id: "no-plaintext-in-errors", group: .informational, summary: "no phone number or openId in stderr or errors"),
    ]
}
