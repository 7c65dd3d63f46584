/// What each of the library's own models provides, all in the model's own file: the keys that
/// `auto` recognises it by, its reader straight from validated bytes, its writer in WeChat's
/// member order, and its CSV cells.
///
/// The reader receives a watermark the pipeline has already verified: no model can skip the
/// appid and freshness checks.
protocol OpenDataModel: Sendable, JSONWritable {
    /// Keys whose presence identifies this kind when the kind is recognised (`--as auto`).
    static var recognisingKeys: [StaticString] { get }
    /// The model's columns in `decrypt-file --format csv`, in order.
    static var csvColumns: [String] { get }

    static func parse(_ root: JSONValue, watermark: Watermark) throws(OpenDataError) -> Self
    /// The same from a verified document (by default, from its root object and watermark).
    static func parse(_ document: VerifiedDocument) throws(OpenDataError) -> Self
    /// Calls `body` with the cell of each of ``csvColumns``, in the same order.
    func forEachCSVCell(_ body: (String) -> Void)
}

extension OpenDataModel {
    static func parse(_ document: VerifiedDocument) throws(OpenDataError) -> Self {
        try parse(document.root, watermark: document.watermark)
    }
}
