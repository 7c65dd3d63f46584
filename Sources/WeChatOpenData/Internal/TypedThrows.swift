// The standard library's scoped-access functions (`withUnsafeTemporaryAllocation`,
// `String.withUTF8`) are `rethrows`, which erases a typed error to `any Error`.
// These wrappers carry `OpenDataError` through them unchanged.
//
// They are deliberately not generic: the public entry points are generic over the
// payload type and not specialised across modules, and generic helpers below them would
// instantiate type metadata at run time on every call. Callers capture their results.

func withTemporaryBytes(
    _ count: Int,
    _ body: (UnsafeMutableRawBufferPointer) throws(OpenDataError) -> Void
) throws(OpenDataError) {
    let failure: OpenDataError? = withUnsafeTemporaryAllocation(byteCount: Swift.max(count, 1), alignment: 16) { buffer -> OpenDataError? in
        do throws(OpenDataError) {
            try body(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]))
            return nil
        } catch {
            return error
        }
    }
    if let failure { throw failure }
}

func withUTF8(_ text: String, _ body: (UnsafeRawBufferPointer) throws(OpenDataError) -> Void) throws(OpenDataError) {
    var text = text
    let failure: OpenDataError? = text.withUTF8 { utf8 -> OpenDataError? in
        do throws(OpenDataError) {
            try body(UnsafeRawBufferPointer(utf8))
            return nil
        } catch {
            return error
        }
    }
    if let failure { throw failure }
}
