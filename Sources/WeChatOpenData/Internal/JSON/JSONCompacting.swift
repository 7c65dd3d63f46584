/// Copies validated JSON onto one line: whitespace outside strings is dropped, and strings
/// (which validation has proved free of raw control characters) are copied as they are. This
/// is what makes every `decrypt-file` result exactly one line, whatever the payload or id held.
///
/// With masking, every phone-shaped value is masked on the way: strings that look like phone
/// numbers, numbers under a key that names a phone (`phoneNumber`, `mobile`, `tel`, …), and
/// numbers shaped like a mainland mobile number under any key.
enum JSONCompacting {
    static func append(_ json: UnsafeRawBufferPointer, maskingPhoneNumbers: Bool, to output: inout [UInt8]) {
        var index = 0
        var phoneKey = false
        while index < json.count {
            let byte = json[index]
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D:
                index += 1
            case UInt8(ascii: "\""):
                let (end, hasEscapes) = ByteSearch.closingQuote(in: json, contentStart: index + 1)
                let span = JSONStringSpan(start: index + 1, end: end, hasEscapes: hasEscapes)
                let next = JSONValue.skipWhitespace(json, from: end + 1)
                if next < json.count, json[next] == UInt8(ascii: ":") {
                    phoneKey = maskingPhoneNumbers && PhoneMasking.isPhoneKey(JSONUnescape.string(json, span))
                    output.append(contentsOf: json[index...end])
                } else if maskingPhoneNumbers, case let text = JSONUnescape.string(json, span),
                    PhoneMasking.isPhoneShaped(text)
                {
                    JSONWriter.appendString(PhoneMasking.mask(text), to: &output)
                } else {
                    output.append(contentsOf: json[index...end])
                }
                index = end + 1
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let end = JSONValue.skip(json, from: index)
                let token = UnsafeRawBufferPointer(rebasing: json[index..<end])
                if maskingPhoneNumbers, phoneKey || PhoneMasking.isMobileNumberToken(token) {
                    JSONWriter.appendString(
                        PhoneMasking.mask(String(decoding: UnsafeRawBufferPointer(rebasing: json[index..<end]), as: UTF8.self)),
                        to: &output)
                } else {
                    output.append(contentsOf: json[index..<end])
                }
                index = end
            default:
                output.append(byte)
                index += 1
            }
        }
    }
}
