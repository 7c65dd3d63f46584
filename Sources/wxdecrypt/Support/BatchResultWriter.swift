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
        appendOutcome(result.outcome, to: &output)
        output.append("}\n")
    }

    private static func appendOutcome(_ outcome: BatchDecryptor.Outcome, to output: inout [UInt8]) {
        switch outcome {
        case .decrypted(let payload, let key):
            output.append(key == .previous ? #","ok":true,"session_key":"previous","data":"# : #","ok":true,"data":"#)
            payload.appendJSON(to: &output)
        case .failed(let error):
            output.append(#","ok":false,"error":"#)
            error.appendJSON(to: &output)
        }
    }

    private static func appendCSVRow(_ result: borrowing BatchDecryptor.RecordResult, to output: inout [UInt8]) {
        switch result.outcome {
        case .decrypted(let payload, let key):
            var row = CSVRow()
            row.cell(0, to: &output) { result.appendIDText(to: &$0) }
            row.cell(1, "true", to: &output)
            payload.forEachTableCell { column, text in row.cell(3 + column, text, to: &output) }
            // Which key decrypted it, named only when it was the previous one (as in JSON Lines).
            if key == .previous { row.cell(csvColumns.count - 2, "previous", to: &output) }
            row.end(&output)
        case .failed(let error):
            appendCSVFailure(code: error.code, reason: error.reason, to: &output) { result.appendIDText(to: &$0) }
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
        row.cell(1, "false", to: &output)
        row.cell(2, code.name, to: &output)
        row.cell(csvColumns.count - 1, reason, to: &output)
        row.end(&output)
    }
}

extension [UInt8] {
    /// Appends a literal's UTF-8 bytes with one copy (a `String`'s view goes byte by byte), which
    /// the compiler turns into a few moves: `append(contentsOf:)` is a generic call per piece.
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
        cell(column, to: &output) { $0.append(contentsOf: text.utf8) }
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

    private mutating func skip(to column: Int, _ output: inout [UInt8]) {
        while next < column {
            if next > 0 { output.append(UInt8(ascii: ",")) }
            next += 1
        }
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
        var needsQuotes = formula
        for byte in output[start...] {
            switch byte {
            case 0x22: quotes += 1; needsQuotes = true
            case UInt8(ascii: ","), UInt8(ascii: ";"), 0x0A, 0x0D: needsQuotes = true
            default: break
            }
        }
        guard needsQuotes else { return }
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
