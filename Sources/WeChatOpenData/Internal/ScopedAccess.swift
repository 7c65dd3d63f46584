// The standard library's scoped-access functions either erase a typed error to `any Error`
// (`String.withUTF8` is `rethrows`) or hand the body's result back wrapped in a `Result`
// (`withUnsafeTemporaryAllocation`). These wrappers carry `OpenDataError` through unchanged and
// return the body's result.
//
// Callers inside the module call them with concrete result types, so they are specialised:
// no type metadata is instantiated per call. A wrapped result is moved out of its `Result`
// (`switch consume`), not copied: copying a model retains each of its heap-allocated strings,
// and releasing the wrapper releases them again, a pair of atomic operations per layer.

/// Calls `body` with `count` bytes of stack (or, when large, heap) scratch space.
func withTemporaryBytes<Result>(
    _ count: Int,
    _ body: (UnsafeMutableRawBufferPointer) throws(OpenDataError) -> Result
) throws(OpenDataError) -> Result {
    // Keys, ivs and a phone number's data fit in a local buffer, which hands the body's result
    // back as it is: a temporary allocation wraps it in a `Result`, and each wrapping copies it.
    if count <= MemoryLayout<SmallScratch>.size {
        var small = SmallScratch(repeating: 0)
        return try withUnsafeMutableBytes(of: &small) { (buffer) throws(OpenDataError) in
            try body(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }
    let outcome = withUnsafeTemporaryAllocation(byteCount: count, alignment: 16) {
        buffer -> Swift.Result<Result, OpenDataError> in
        do throws(OpenDataError) {
            return .success(try body(buffer))
        } catch {
            return .failure(error)
        }
    }
    return try unwrap(outcome)
}

/// The body's result moved out of `outcome`, or its error thrown.
@inline(__always)
func unwrap<Result>(_ outcome: consuming Swift.Result<Result, OpenDataError>) throws(OpenDataError) -> Result {
    switch consume outcome {
    case .success(let result): return result
    case .failure(let error): throw error
    }
}

/// Bytes rather than wider elements: zeroing them compiles to a few vector stores, not a loop.
/// Nothing decoded into scratch space is read with aligned loads.
private typealias SmallScratch = InlineArray<256, UInt8>

/// Calls `body` with the UTF-8 bytes of `text` (contiguous; a bridged string is copied once).
func withUTF8<Result>(
    _ text: String,
    _ body: (UnsafeRawBufferPointer) throws(OpenDataError) -> Result
) throws(OpenDataError) -> Result {
    // A local function, not a closure literal: measured, the decryptor's string path runs about
    // 430 instructions fewer a call this way (the optimiser copies less into it).
    func run(_ utf8: UnsafeBufferPointer<UInt8>) -> Swift.Result<Result, OpenDataError> {
        do throws(OpenDataError) {
            return .success(try body(UnsafeRawBufferPointer(utf8)))
        } catch {
            return .failure(error)
        }
    }
    var copy = text
    return try unwrap(copy.withUTF8(run))
}

/// Calls `body` with the UTF-8 bytes of `text`, borrowed where the string holds them
/// contiguously (native and small strings always do): unlike `withUTF8(_:_:)`, no copy of the
/// string is made, which matters per value written.
@inline(__always)
func withContiguousUTF8(_ text: String, _ body: (UnsafeRawBufferPointer) -> Void) {
    let borrowed: Void? = text.utf8.withContiguousStorageIfAvailable { body(UnsafeRawBufferPointer($0)) }
    guard borrowed == nil else { return }
    var text = text
    text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
}
