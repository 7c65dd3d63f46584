extension OpenDataError {
    /// Appends the error as the JSON object that `decrypt-file` results carry:
    /// `{"code":"decryption_failed","message":"…"}`, the ``Code/name`` and the ``reason``.
    ///
    /// - Parameter output: The buffer to append to.
    public func appendJSON(to output: inout [UInt8]) {
        output.append(contentsOf: #"{"code":"#.utf8)
        JSONWriter.appendString(code.name, to: &output)
        output.append(contentsOf: #","message":"#.utf8)
        JSONWriter.appendString(reason, to: &output)
        output.append(UInt8(ascii: "}"))
    }
}
