#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension OpenDataPayload {
    /// Appends the payload as compact JSON, in WeChat's wire form and member order (a raw
    /// payload re-serialised on one line): what ``jsonString(prettyPrinted:)`` gives, written
    /// straight into a byte buffer.
    ///
    /// - Parameter output: The buffer to append to.
    public func appendJSON(to output: inout [UInt8]) {
        // One switch: the payload is large, and each switch on it copies it.
        switch self {
        case .phoneNumber(let payload): output.appendJSON(payload)
        case .userInfo(let payload): output.appendJSON(payload)
        case .weRunData(let payload): output.appendJSON(payload)
        case .shareInfo(let payload): output.appendJSON(payload)
        case .groupEnterInfo(let payload): output.appendJSON(payload)
        // Re-serialised on one line: whitespace in a payload must not split a result line.
        case .raw(let payload):
            payload.json.withUnsafeBytes { JSONCompacting.append($0, maskingPhoneNumbers: false, to: &output) }
        }
    }

    /// The columns of the flat form that payloads of every kind share (one CSV row each):
    /// each model's own fields (``PhoneNumber``, ``UserInfo``, ``ShareInfo``,
    /// ``GroupEnterInfo``, ``WeRunData``, in that order), then the watermark's `appid` and
    /// `timestamp`. A raw payload has only the watermark's.
    public static let tableColumns = modelsInTable.flatMap(\.columns) + ["appid", "timestamp"]

    /// The models in table order, each with its own columns (from its file).
    private static let modelsInTable: [(kind: Kind, columns: [String])] = [
        (.phone, PhoneNumber.csvColumns), (.user, UserInfo.csvColumns), (.share, ShareInfo.csvColumns),
        (.group, GroupEnterInfo.csvColumns), (.werun, WeRunData.csvColumns),
    ]

    /// Calls `body` with each cell this payload has in the flat form, in column order; the
    /// columns it lacks (another kind's) are left out.
    ///
    /// - Parameter body: Called with the cell's index in ``tableColumns`` and its text.
    public func forEachTableCell(_ body: (_ column: Int, _ text: String) -> Void) {
        let kind = kind
        var column = Self.firstColumns.first { $0.kind == kind }?.column ?? 0
        forEachModelCell { text in
            body(column, text)
            column += 1
        }
        let watermark = watermark
        body(Self.tableColumns.count - 2, watermark.appID)
        body(Self.tableColumns.count - 1, String(decimal: watermark.timestamp))
    }

    /// Where each model's columns start in ``tableColumns``.
    private static let firstColumns: [(kind: Kind, column: Int)] = modelsInTable.indices.map { index in
        (modelsInTable[index].kind, modelsInTable[..<index].reduce(0) { $0 + $1.columns.count })
    }
}
