extension OpenDataError {
    /// Appends the error as the JSON object that `decrypt-file` results carry:
    /// `{"code":"decryption_failed","message":"…"}`, the ``Code/name`` and the ``reason``.
    ///
    /// - Parameter output: The buffer to append to.
    public func appendJSON(to output: inout [UInt8]) {
        withContiguousUTF8(code.name) { name in
            withContiguousUTF8(reason) { reason in
                let bound = 22 + ByteCursor.jsonStringBound(name.count) + ByteCursor.jsonStringBound(reason.count)
                output.appendBytes(atMost: bound) { cursor in
                    cursor.write(#"{"code":"#)
                    cursor.writeJSONString(name)
                    cursor.write(#","message":"#)
                    cursor.writeJSONString(reason)
                    cursor.write(UInt8(ascii: "}"))
                }
            }
        }
    }
}
