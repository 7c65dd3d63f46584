#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finding and counting line ends with `memchr`, for the batch loop's hot paths.
enum Newlines {
    /// The index of the first newline at or after `start`, or nil.
    static func next(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < bytes.count, let found = memchr(bytes.baseAddress! + start, 0x0A, bytes.count - start) else {
            return nil
        }
        return UnsafeRawPointer(found) - bytes.baseAddress!
    }

    /// The number of newlines in `bytes`, counting at most `limit`, and the index just
    /// after the last one counted (0 when there is none).
    static func count(in bytes: UnsafeRawBufferPointer, limit: Int = .max) -> (count: Int, end: Int) {
        var count = 0
        var end = 0
        while count < limit, let newline = next(in: bytes, from: end) {
            count += 1
            end = newline + 1
        }
        return (count, end)
    }
}
