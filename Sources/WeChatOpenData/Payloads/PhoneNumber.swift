/// The payload of `<button open-type="getPhoneNumber">` in the legacy flow.
///
/// ```json
/// {"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":"86",
///  "watermark":{"timestamp":1637744274,"appid":"wx..."}}
/// ```
///
/// `description` masks the numbers, so that logging a `PhoneNumber` never writes one out.
public struct PhoneNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The number with its country code for overseas numbers (`+1 6505550100`), without for mainland China.
    public let phoneNumber: String
    /// The number without its country code.
    public let purePhoneNumber: String
    /// The country calling code, without `+` (`86`). WeChat has sent it as a string and as a number.
    public let countryCode: String
    /// The verified watermark.
    public let watermark: Watermark

    /// Creates a phone number payload, for fixtures and test doubles.
    ///
    /// - Parameters:
    ///   - phoneNumber: The number as WeChat shows it.
    ///   - purePhoneNumber: The number without country code.
    ///   - countryCode: The country calling code without `+`.
    ///   - watermark: The watermark.
    public init(phoneNumber: String, purePhoneNumber: String, countryCode: String, watermark: Watermark) {
        self.phoneNumber = phoneNumber
        self.purePhoneNumber = purePhoneNumber
        self.countryCode = countryCode
        self.watermark = watermark
    }

    /// A copy whose numbers are masked: an 11-digit mainland number keeps its first three and
    /// last four digits (`138****6666`); shorter numbers keep fewer, and at least four digits
    /// are always hidden. Only digits are hidden: a `+CC ` prefix, spaces and dashes are kept.
    public func masked() -> PhoneNumber {
        PhoneNumber(
            phoneNumber: PhoneMasking.mask(phoneNumber),
            purePhoneNumber: PhoneMasking.mask(purePhoneNumber),
            countryCode: countryCode,
            watermark: watermark
        )
    }

    /// `PhoneNumber(+86 138****6666)`: numbers are masked in logs.
    public var description: String { "PhoneNumber(+\(countryCode) \(PhoneMasking.mask(purePhoneNumber)))" }

    enum CodingKeys: String, CodingKey {
        case phoneNumber, purePhoneNumber, countryCode, watermark
    }

    /// Decodes the wire form, accepting `countryCode` as a string or a number.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        phoneNumber = try container.decode(String.self, forKey: .phoneNumber)
        purePhoneNumber = try container.decode(String.self, forKey: .purePhoneNumber)
        if let number = try? container.decode(Int64.self, forKey: .countryCode) {
            countryCode = String(number)
        } else {
            countryCode = try container.decode(String.self, forKey: .countryCode)
        }
        watermark = try container.decode(Watermark.self, forKey: .watermark)
    }
}

extension PhoneNumber: OpenDataModel {
    static let recognisingKeys: [StaticString] = ["phoneNumber", "purePhoneNumber"]

    static func parse(_ root: JSONValue, watermark: Watermark) throws(OpenDataError) -> PhoneNumber {
        PhoneNumber(try InPlace(root, watermark: watermark))
    }

    static func parse(_ document: VerifiedDocument) throws(OpenDataError) -> PhoneNumber {
        PhoneNumber(try InPlace(document))
    }

    /// The payload read and checked, its text still in the plaintext: what a batch worker hands
    /// over, written out from there, and made into a `PhoneNumber` only when one is asked for.
    struct InPlace: JSONWritable {
        let phoneNumber: PayloadText
        let purePhoneNumber: PayloadText
        let countryCode: PayloadText
        let watermark: Watermark
        /// The plaintext, when it is byte for byte what ``write(to:)`` writes: in the layout, with
        /// `countryCode` a string (a number is written as one). Written as it is.
        private let wireForm: UnsafeRawBufferPointer?

        /// Every check of ``PhoneNumber/parse(_:watermark:)``: it is this, then a copy.
        init(_ root: JSONValue, watermark: Watermark) throws(OpenDataError) {
            let fields = root.members(["phoneNumber", "purePhoneNumber", "countryCode"])
            try self.init(fields[0], fields[1], fields[2], watermark, wireForm: nil)
        }

        /// The same checks, on a verified document: its values taken where the layout's walk
        /// found them, when it is in the layout.
        init(_ document: VerifiedDocument) throws(OpenDataError) {
            guard let found = document.phoneNumberLayout else {
                try self.init(document.root, watermark: document.watermark)
                return
            }
            let countryCode = found.countryCode
            try self.init(
                found.phoneNumber, found.purePhoneNumber, countryCode, document.watermark,
                wireForm: countryCode.kind == .string ? document.plaintext : nil)
        }

        private init(
            _ phoneNumber: JSONValue?, _ purePhoneNumber: JSONValue?, _ countryCode: JSONValue?, _ watermark: Watermark,
            wireForm: UnsafeRawBufferPointer?
        ) throws(OpenDataError) {
            self.phoneNumber = try PayloadField.text(phoneNumber, field: "phoneNumber")
            self.purePhoneNumber = try PayloadField.text(purePhoneNumber, field: "purePhoneNumber")
            self.countryCode = try PayloadField.textOrInteger(countryCode, field: "countryCode")
            self.watermark = watermark
            self.wireForm = wireForm
        }

        /// Whether ``write(to:)`` copies the plaintext rather than writing field by field.
        var isWrittenAsPlaintext: Bool { wireForm != nil }

        func write<Output: JSONOutput & ~Copyable>(to writer: inout Output) {
            if let wireForm { return writer.writeVerbatim(wireForm) }
            PhoneNumber.write(phoneNumber, purePhoneNumber, countryCode, watermark, to: &writer)
        }
    }

    /// The layout WeChat writes a phone number in,
    /// `{"phoneNumber":…,"purePhoneNumber":…,"countryCode":…,"watermark":{"timestamp":…,"appid":…}}`
    /// with no blanks, each value a plain string or integer: a document walked through it to its
    /// end is strict JSON (see `JSONLayoutCursor`), validated in one pass, and its values are
    /// where the walk found them, read without looking a key up. Any other document (another
    /// key order, blanks, an escape, non-ASCII text, a fraction) goes through the general
    /// validator, which decides; a document's verdict and members are the same either way.
    enum Layout {
        /// The values where the walk found them.
        struct Found {
            private let bytes: UnsafeRawBufferPointer
            /// Where each value starts and ends (a string with its quotes, as the validator measures it).
            private let ranges: (
                phoneNumber: Range<Int>, purePhoneNumber: Range<Int>, countryCode: Range<Int>, timestamp: Range<Int>,
                appID: Range<Int>
            )

            fileprivate init(
                _ bytes: UnsafeRawBufferPointer,
                _ ranges: (Range<Int>, Range<Int>, Range<Int>, Range<Int>, Range<Int>)
            ) {
                self.bytes = bytes
                self.ranges = ranges
            }

            fileprivate var phoneNumber: JSONValue { Self.value(ranges.phoneNumber, in: bytes) }
            fileprivate var purePhoneNumber: JSONValue { Self.value(ranges.purePhoneNumber, in: bytes) }
            fileprivate var countryCode: JSONValue { Self.value(ranges.countryCode, in: bytes) }
            var timestamp: JSONValue { Self.value(ranges.timestamp, in: bytes) }
            var appID: JSONValue { Self.value(ranges.appID, in: bytes) }

            fileprivate static func value(_ range: Range<Int>, in bytes: UnsafeRawBufferPointer) -> JSONValue {
                JSONValue(bytes: bytes, start: range.lowerBound, end: range.upperBound, stringHasEscapes: false)
            }
        }

        /// The values of `bytes` if it is in the layout, after handing `collector` the members the
        /// general validator would, in its order (an object's members before the object itself);
        /// nil, with nothing collected, unless the whole document is in the layout.
        static func matches<Collector: JSONMemberCollector>(
            _ bytes: UnsafeRawBufferPointer, collecting collector: inout Collector
        ) -> Found? {
            guard var cursor = JSONLayoutCursor(bytes),
                cursor.skip("{\""), let phoneNumberKey = cursor.key("phoneNumber"), let phoneNumber = cursor.value(),
                cursor.skip(",\""), let purePhoneNumberKey = cursor.key("purePhoneNumber"),
                let purePhoneNumber = cursor.value(),
                cursor.skip(",\""), let countryCodeKey = cursor.key("countryCode"), let countryCode = cursor.value(),
                cursor.skip(",\""), let watermarkKey = cursor.key("watermark")
            else { return nil }
            let watermarkStart = cursor.offset  // its {
            guard cursor.skip("{\""), let timestampKey = cursor.key("timestamp"), let timestamp = cursor.value(),
                cursor.skip(",\""), let appIDKey = cursor.key("appid"), let appID = cursor.value(),
                cursor.skip("}}"), cursor.isAtEnd
            else { return nil }
            func value(_ range: Range<Int>) -> JSONValue { Found.value(range, in: bytes) }
            collector.collect(key: phoneNumberKey, value: value(phoneNumber))
            collector.collect(key: purePhoneNumberKey, value: value(purePhoneNumber))
            collector.collect(key: countryCodeKey, value: value(countryCode))
            collector.collectNested(in: watermarkStart, key: timestampKey, value: value(timestamp))
            collector.collectNested(in: watermarkStart, key: appIDKey, value: value(appID))
            collector.collect(key: watermarkKey, value: value(watermarkStart..<cursor.offset - 1))
            return Found(bytes, (phoneNumber, purePhoneNumber, countryCode, timestamp, appID))
        }
    }

    init(_ payload: InPlace) {
        self.init(
            phoneNumber: payload.phoneNumber.string, purePhoneNumber: payload.purePhoneNumber.string,
            countryCode: payload.countryCode.string, watermark: payload.watermark)
    }

    func write<Output: JSONOutput & ~Copyable>(to writer: inout Output) {
        Self.write(phoneNumber, purePhoneNumber, countryCode, watermark, to: &writer)
    }

    /// WeChat's wire form, from text held or still in the plaintext alike.
    @inline(__always)
    private static func write<Text: JSONStringValue, Output: JSONOutput & ~Copyable>(
        _ phoneNumber: Text, _ purePhoneNumber: Text, _ countryCode: Text, _ watermark: Watermark, to writer: inout Output
    ) {
        writer.beginObject()
        writer.member("phoneNumber", phoneNumber)
        writer.member("purePhoneNumber", purePhoneNumber)
        writer.member("countryCode", countryCode)
        watermark.write(to: &writer)
        writer.endObject()
    }

    static let csvColumns = ["phoneNumber", "purePhoneNumber", "countryCode"]
    func forEachCSVCell(_ body: (String) -> Void) {
        body(phoneNumber)
        body(purePhoneNumber)
        body(countryCode)
    }
}
