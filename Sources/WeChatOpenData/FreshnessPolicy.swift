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
        let now = Int64(now().timeIntervalSince1970.rounded(.down))
        let age = now - watermark.timestamp
        let maximum = maximumAge.components.seconds
        let skew = allowedClockSkew.components.seconds
        if age > maximum {
            throw OpenDataError(
                code: .watermarkExpired,
                reason: "watermark.timestamp is \(age) s old, older than the maximum age of \(maximum) s; "
                    + "the client sent stale data or the request was replayed",
                field: "watermark.timestamp"
            )
        }
        if -age > skew {
            throw OpenDataError(
                code: .watermarkExpired,
                reason: "watermark.timestamp is \(-age) s in the future, beyond the allowed clock skew of \(skew) s; "
                    + "check this server's clock",
                field: "watermark.timestamp"
            )
        }
    }
}
