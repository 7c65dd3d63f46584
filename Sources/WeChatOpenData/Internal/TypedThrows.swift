// The standard library's scoped-access functions (`withUnsafeTemporaryAllocation`,
// `String.withUTF8`) are `rethrows`, which erases a typed error to `any Error`.
// These wrappers carry `OpenDataError` through them unchanged.

func withTemporaryBytes<Result>(
    _ count: Int,
    _ body: (UnsafeMutableRawBufferPointer) throws(OpenDataError) -> Result
) throws(OpenDataError) -> Result {
    let outcome: Swift.Result<Result, OpenDataError> = withUnsafeTemporaryAllocation(
        byteCount: Swift.max(count, 1), alignment: 16
    ) { buffer in
        Swift.Result { () throws(OpenDataError) -> Result in
            try body(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }
    return try outcome.get()
}

func withUTF8<Result>(
    _ text: String,
    _ body: (UnsafeRawBufferPointer) throws(OpenDataError) -> Result
) throws(OpenDataError) -> Result {
    var text = text
    let outcome: Swift.Result<Result, OpenDataError> = text.withUTF8 { utf8 in
        Swift.Result { () throws(OpenDataError) -> Result in try body(UnsafeRawBufferPointer(utf8)) }
    }
    return try outcome.get()
}
