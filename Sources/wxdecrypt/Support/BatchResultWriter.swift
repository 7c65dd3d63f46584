import WeChatOpenData

/// Writes decrypt-file's results, one per record, in JSON Lines or CSV: the only place that
/// knows either format.
struct BatchResultWriter: Sendable {
    let format: BatchOutputFormat

    /// The CSV columns: the record's, the payloads' flat form (each model's, then the
    /// watermark's), which key decrypted it, and the failure's message.
    static let csvColumns = ["id", "ok", "code"] + OpenDataPayload.tableColumns + ["session_key", "message"]

    /// The first output line: the CSV header, or nothing for JSON Lines.
    var header: [UInt8] { format == .csv ? Array((Self.csvColumns.joined(separator: ",") + "\r\n").utf8) : [] }

    /// Appends the result line of one record.
    func append(_ result: borrowing BatchDecryptor.RecordResult, to output: inout [UInt8]) {
        switch format {
        case .jsonl: Self.appendJSONLine(result, to: &output)
        case .csv: Self.appendCSVRow(result, to: &output)
        }
    }

    private static func appendJSONLine(_ result: borrowing BatchDecryptor.RecordResult, to output: inout [UInt8]) {
        output.append(#"{"id":"#)
        result.appendID(to: &output)
        if let key = result.key {
            output.append(key == .previous ? #","ok":true,"session_key":"previous","data":"# : #","ok":true,"data":"#)
            result.appendPayloadJSON(to: &output)
        } else if let error = result.error {
            output.append(#","ok":false,"error":"#)
            error.appendJSON(to: &output)
        }
        output.append("}\n")
    }

    private static func appendCSVRow(_ result: borrowing BatchDecryptor.RecordResult, to output: inout [UInt8]) {
        var row = CSVRow()
        row.cell(0, to: &output) { result.appendIDText(to: &$0) }
        if let key = result.key {
            row.cell(1, "true", to: &output)
            result.payload?.forEachTableCell { column, text in row.cell(3 + column, text, to: &output) }
            // Which key decrypted it, named only when it was the previous one (as in JSON Lines).
            if key == .previous { row.cell(csvColumns.count - 2, "previous", to: &output) }
            row.end(&output)
        } else if let error = result.error {
            appendCSVFailureCells(code: error.code, reason: error.reason, row: &row, to: &output)
        }
    }

    /// Appends the result of a line too long to be a record, named by its number (its id) and
    /// its length without the line break.
    func appendOverlongLine(lineNumber: Int, length: Int, to output: inout [UInt8]) {
        let reason = "line \(lineNumber): is \(length) bytes, longer than the limit of \(BatchInputRecord.maximumLineLength)"
        let code = OpenDataError.Code.invalidRecord
        switch format {
        case .jsonl:
            // Letters, digits, spaces, ':' and ',' only: nothing in the reason needs escaping.
            output.append(contentsOf: #"{"id":\#(lineNumber),"ok":false,"error":{"code":"\#(code.name)","message":"\#(reason)"}}"#.utf8)
            output.append(0x0A)
        case .csv:
            Self.appendCSVFailure(code: code, reason: reason, to: &output) { $0.append(contentsOf: String(lineNumber).utf8) }
        }
    }

    private static func appendCSVFailure(
        code: OpenDataError.Code, reason: String, to output: inout [UInt8], id: (inout [UInt8]) -> Void
    ) {
        var row = CSVRow()
        row.cell(0, to: &output, id)
        appendCSVFailureCells(code: code, reason: reason, row: &row, to: &output)
    }

    private static func appendCSVFailureCells(
        code: OpenDataError.Code, reason: String, row: inout CSVRow, to output: inout [UInt8]
    ) {
        row.cell(1, "false", to: &output)
        row.cell(2, code.name, to: &output)
        row.cell(csvColumns.count - 1, reason, to: &output)
        row.end(&output)
    }
}

extension [UInt8] {
    /// Appends `bytes` with one reservation and one copy: `append(contentsOf:)` is a generic
    /// call per piece, and a `String`'s UTF-8 view goes byte by byte.
    @inline(__always)
    mutating func append(bytes: UnsafeRawBufferPointer) {
        append(addingCapacity: bytes.count) { span in
            span.withUnsafeMutableBufferPointer { room, written in
                if let target = room.baseAddress, let source = bytes.baseAddress {
                    UnsafeMutableRawPointer(target).copyMemory(from: source, byteCount: bytes.count)
                }
                written = bytes.count
            }
        }
    }

    /// Appends a literal's UTF-8 bytes: a few moves, once inlined where the literal is known,
    /// which a call through ``append(bytes:)`` would not be.
    @inline(__always)
    mutating func append(_ literal: StaticString) {
        let count = literal.utf8CodeUnitCount
        append(addingCapacity: count) { span in
            span.withUnsafeMutableBufferPointer { room, written in
                room.baseAddress?.initialize(from: literal.utf8Start, count: count)
                written = count
            }
        }
    }

    /// Appends `text`'s UTF-8 bytes from its own storage.
    mutating func append(utf8 text: String) {
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { append(bytes: UnsafeRawBufferPointer($0)) }
        if copied == nil { append(contentsOf: text.utf8) }
    }
}

/// One RFC 4180 row written cell by cell, in column order; the columns skipped are empty.
///
/// A cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or
/// a CR) gets a leading `'` and is quoted, as OWASP recommends against CSV injection: a
/// nickname or an id comes from users. Cells with commas, quotes, line breaks or `;` are
/// quoted, quotes doubled: spreadsheets in many locales split cells on `;`, and `a;=1+1`
/// would start a formula in the second cell.
private struct CSVRow {
    /// The index of the next column to write.
    private var next = 0

    /// Writes `text` as the cell of `column`.
    mutating func cell(_ column: Int, _ text: String, to output: inout [UInt8]) {
        cell(column, to: &output) { $0.append(utf8: text) }
    }

    /// Writes the cell of `column` with what `write` appends, escaped as the cell needs.
    mutating func cell(_ column: Int, to output: inout [UInt8], _ write: (inout [UInt8]) -> Void) {
        skip(to: column, &output)
        if column > 0 { output.append(UInt8(ascii: ",")) }
        let start = output.count
        write(&output)
        Self.escape(from: start, in: &output)
        next = column + 1
    }

    /// Ends the row after the last column.
    mutating func end(_ output: inout [UInt8]) {
        skip(to: BatchResultWriter.csvColumns.count, &output)
        output.append("\r\n")
    }

    /// Writes the commas of the empty cells before `column` (none before the first cell).
    private mutating func skip(to column: Int, _ output: inout [UInt8]) {
        let commas = column - Swift.max(next, 1)
        if commas > 0 {
            output.append(addingCapacity: commas) { $0.append(repeating: UInt8(ascii: ","), count: commas) }
        }
        next = Swift.max(next, column)
    }

    /// Quotes the cell that starts at `start` in place when it needs it (most cells do not),
    /// moving its bytes back from the end so that nothing is copied elsewhere.
    private static func escape(from start: Int, in output: inout [UInt8]) {
        guard start < output.count else { return }
        let formula =
            switch output[start] {
            case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D: true
            default: false
            }
        var quotes = 0
        var separators = 0
        // Counted without branches, which the compiler turns into a loop over many bytes at once.
        output.withUnsafeBufferPointer { buffer in
            for byte in UnsafeBufferPointer(rebasing: buffer[start...]) {
                quotes &+= byte == 0x22 ? 1 : 0
                let separator = byte == UInt8(ascii: ",") || byte == UInt8(ascii: ";") || byte == 0x0A || byte == 0x0D
                separators &+= separator ? 1 : 0
            }
        }
        guard formula || quotes > 0 || separators > 0 else { return }
        let end = output.count
        output.append(contentsOf: repeatElement(0, count: 2 + (formula ? 1 : 0) + quotes))
        var next = output.count - 1
        func put(_ byte: UInt8) {
            output[next] = byte
            next -= 1
        }
        put(0x22)
        for index in stride(from: end - 1, through: start, by: -1) {
            let byte = output[index]
            put(byte)
            if byte == 0x22 { put(0x22) }
        }
        if formula { put(UInt8(ascii: "'")) }
        put(0x22)
    }
}
