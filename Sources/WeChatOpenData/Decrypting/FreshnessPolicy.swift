#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// How old a payload's `watermark.timestamp` may be.
///
/// Open data is meant to be sent to the backend right after the user taps; an old
/// payload is a replay or a stuck client. The clock is read each time a payload is
/// checked (never when the policy is made) and can be injected for tests.
///
/// ```swift
/// let freshness = FreshnessPolicy(maximumAge: .seconds(300))
/// ```
public struct FreshnessPolicy: Sendable {
    /// The oldest a payload may be.
    public var maximumAge: Duration

    /// How far in the future a timestamp may be, to allow for clocks that disagree.
    public var allowedClockSkew: Duration

    /// The clock, read at verification time.
    public var now: @Sendable () -> Date

    /// Creates a policy.
    ///
    /// - Parameters:
    ///   - maximumAge: The oldest a payload may be; must not be negative.
    ///   - allowedClockSkew: How far in the future a timestamp may be (default 60 seconds).
    ///   - now: The clock; the system clock unless a test injects another.
    public init(
        maximumAge: Duration,
        allowedClockSkew: Duration = .seconds(60),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.maximumAge = maximumAge
        self.allowedClockSkew = allowedClockSkew
        self.now = now
    }

    /// Checks a watermark's timestamp against the clock, read now.
    ///
    /// - Parameter watermark: The payload's watermark.
    /// - Throws: ``OpenDataError/Code/watermarkExpired`` when the payload is older than
    ///   ``maximumAge`` or further in the future than ``allowedClockSkew``.
    public func check(_ watermark: Watermark) throws(OpenDataError) {
        // A clock that reads NaN, infinity or a time past Int64 is broken: fail closed.
        guard let now = Self.seconds(now().timeIntervalSince1970) else { throw .clockUnrepresentable }
        let maximum = maximumAge.components.seconds
        let skew = allowedClockSkew.components.seconds
        // Timestamps come from the payload and may be anything: no arithmetic here may trap.
        let (age, overflow) = now.subtractingReportingOverflow(watermark.timestamp)
        if overflow { throw .watermarkOutOfRange }
        if age > maximum { throw .watermarkTooOld(age: age, maximum: maximum) }
        // `age` is not Int64.min here (that would have overflowed above), so negating it is safe.
        if age < 0, -age > skew { throw .watermarkInFuture(seconds: -age, skew: skew) }
    }

    /// Whole seconds of a clock reading, or `nil` when it is not a representable time (a clock
    /// or a fixed `--now` can be anything; converting such a `Double` would trap).
    static func seconds(_ interval: TimeInterval) -> Int64? {
        guard interval.isFinite else { return nil }
        return Int64(exactly: interval.rounded(.down))
    }
}
