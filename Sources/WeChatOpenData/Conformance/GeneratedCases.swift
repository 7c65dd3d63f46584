/// The generated part of the built-in suite: every kind of payload WeChat sends, and each way
/// of breaking a record that lenient decryptors are known to let through. Each case has its
/// own key and iv, derived from the seed and the case's id.
struct GeneratedCases {
    private let payloads: GeneratedPayloads
    private var builder = SuiteBuilder()
    private typealias Payload = GeneratedPayloads.Payload
    private typealias Texts = SuiteBuilder.Texts

    static func build(seed: UInt64) -> SuiteBuilder {
        var generated = GeneratedCases(payloads: GeneratedPayloads(material: CaseMaterial(seed: seed)))
        generated.genuinePayloads()
        generated.padding()
        generated.lengths()
        generated.contents()
        generated.encodings()
        generated.transportDamage()
        generated.ambiguityAndFreshness()
        return generated.builder
    }

    private var material: CaseMaterial { payloads.material }

    /// The material label of a case of the current check.
    private func label(_ name: String) -> String { builder.checkID + "/" + name }

    private mutating func accept(_ name: String, _ payload: Payload, now: Int64? = nil, maximumAge: Int64? = nil) {
        let texts = payloads.seal(label(name), payload.bytes).texts()
        builder.add(name, texts, accept: payload.json, identifiers: payload.identifiers, now: now, maximumAge: maximumAge)
    }

    private mutating func reject(_ name: String, _ texts: Texts, _ payload: Payload, now: Int64? = nil, maximumAge: Int64? = nil) {
        builder.add(name, texts, accept: nil, identifiers: payload.identifiers, now: now, maximumAge: maximumAge)
    }

    /// A phone payload with its padding (or other trailing bytes) made by `pad`.
    private mutating func rejectPadded(_ name: String, _ pad: ([UInt8]) -> [UInt8]) {
        let payload = payloads.phone(label(name))
        reject(name, payloads.seal(label(name), blocks: pad(payload.bytes)).texts(), payload)
    }

    /// `plaintext` sealed with valid padding, rejected for what is inside.
    private mutating func rejectPlaintext(_ name: String, _ plaintext: [UInt8], _ payload: Payload) {
        reject(name, payloads.seal(label(name), plaintext).texts(), payload)
    }

    // MARK: Required: genuine payloads

    private mutating func genuinePayloads() {
        builder.check("accepts-phone-mainland", .required, "phone number, mainland China")
        for name in ["mobile-a", "mobile-b"] { accept(name, payloads.phone(label(name))) }

        builder.check("accepts-phone-overseas", .required, "phone number, overseas (+852, +1, +44)")
        accept("hong-kong", payloads.phone(label("hk"), countryCode: "852", national: "5" + material.digits(label("hk"), count: 7)))
        accept("united-states", payloads.phone(label("us"), countryCode: "1", national: "650555" + material.digits(label("us"), count: 4)))
        accept("united-kingdom", payloads.phone(label("uk"), countryCode: "44", national: "7" + material.digits(label("uk"), count: 9)))

        builder.check("accepts-country-code-number", .required, "countryCode as a JSON number")
        accept("mainland", payloads.phone(label("mainland"), numericCountryCode: true))
        accept(
            "hong-kong",
            payloads.phone(label("hk"), countryCode: "852", national: "6" + material.digits(label("hk"), count: 7), numericCountryCode: true))

        builder.check("accepts-full-padding-block", .required, "plaintext of whole blocks: 16 bytes of padding")
        accept("phone", GeneratedPayloads.wholeBlocks(payloads.phone(label("phone"))))
        accept("share", GeneratedPayloads.wholeBlocks(payloads.share(label("share"))))

        builder.check("accepts-userinfo", .required, "userInfo with openId, with and without unionId")
        accept("with-union-id", payloads.user(label("with-union-id"), unionID: true))
        accept("without-union-id", payloads.user(label("without-union-id")))

        builder.check("accepts-userinfo-without-openid", .required, "userInfo without openId (wx.getUserProfile)")
        accept("get-user-profile", payloads.user(label("get-user-profile"), openID: false))

        builder.check("accepts-emoji-nickname", .required, "emoji and CJK in nickName (4-byte UTF-8)")
        accept("emoji-cjk", payloads.user(label("emoji-cjk"), nickName: "小明🐼✨", city: "广州"))
        accept("family-zwj", payloads.user(label("family-zwj"), nickName: "👨‍👩‍👧‍👦 Zoe\u{308} 😀", city: "深圳"))

        builder.check("accepts-escaped-strings", .required, #"JSON escapes: \uXXXX, surrogate pairs, \" \\ \/"#)
        accept(
            "escapes",
            payloads.user(
                label("escapes"), nickName: #"A \"quoted\" \\ name \u00e9\ud83d\ude00 \/ \u5c0f\u660e"#,
                city: #"\u5e7f\u5dde"#))

        builder.check("accepts-werun", .required, "WeRun step counts, 31 days")
        accept("31-days", payloads.weRun(label("31-days"), days: 31))

        builder.check("accepts-share-info", .required, "share info (openGId)")
        accept("share", payloads.share(label("share")))

        builder.check("accepts-group-enter", .required, "group-enter info, group and single chat")
        accept("group-chat", payloads.groupEnter(label("group-chat"), singleChat: false))
        accept("single-chat", payloads.groupEnter(label("single-chat"), singleChat: true))
    }

    // MARK: Required: padding

    private mutating func padding() {
        builder.check("rejects-pad-byte-zero", .required, "padding whose last byte is 0")
        rejectPadded("zero-fill") { $0 + .bytes(0, count: 16 - $0.count % 16) }
        rejectPadded("zero-block") { $0 + .spaces((16 - $0.count % 16) % 16) + .bytes(0, count: 16) }

        // A decryptor that strips as many bytes as the last one says, whatever it says, is left
        // with the JSON and the spaces after it.
        builder.check("rejects-pad-over-16", .required, "pad byte far over 16 (48, 128, 255)")
        for value in [48, 128, 255] {
            rejectPadded("value-\(value)") { body in
                body + .spaces(value - 1 + (16 - (body.count + value) % 16) % 16) + [UInt8(value)]
            }
        }

        builder.check("rejects-pad-17-to-32", .required, "pad 17 to 32: valid only as 32-byte blocks")
        rejectPadded("value-17") { $0 + .spaces(16 - $0.count % 16) + .bytes(17, count: 16) }
        rejectPadded("block-32") { body in
            let body = 32 - body.count % 32 <= 16 ? body + .spaces(16) : body
            let value = 32 - body.count % 32
            return body + .bytes(value, count: value)
        }

        builder.check("rejects-pad-inconsistent", .required, "last pad byte right, the others not")
        rejectPadded("ones") { body in
            let body = body.count % 16 == 15 ? body + .spaces(1) : body
            let value = 16 - body.count % 16
            return body + .bytes(1, count: value - 1) + [UInt8(value)]
        }
        let fill = material.bytes("rejects-pad-inconsistent/random-fill", count: 16)
        rejectPadded("random-fill") { body in
            let body = body.count % 16 == 15 ? body + .spaces(1) : body
            let value = UInt8(16 - body.count % 16)
            var filler = Array(fill.prefix(Int(value) - 1))
            if filler[0] == value { filler[0] ^= 0x80 }
            return body + filler + [value]
        }
    }

    // MARK: Required: key and iv lengths

    private mutating func lengths() {
        builder.check("rejects-key-15-bytes", .required, "a 15-byte session key")
        wrongLength("zero-extended", keyCount: 15) { key, iv in (key + [0], iv) }

        builder.check("rejects-key-24-bytes", .required, "a 24-byte session key (AES-192)")
        wrongLength("aes-192", keyCount: 24) { key, iv in (key, iv) }
        wrongLength("first-16-bytes", keyCount: 24) { key, iv in (Array(key.prefix(16)), iv) }

        builder.check("rejects-key-32-bytes", .required, "a 32-byte session key (AES-256)")
        wrongLength("aes-256", keyCount: 32) { key, iv in (key, iv) }
        wrongLength("first-16-bytes", keyCount: 32) { key, iv in (Array(key.prefix(16)), iv) }

        builder.check("rejects-iv-15-bytes", .required, "a 15-byte iv")
        wrongLength("zero-extended", ivCount: 15) { key, iv in (key, iv + [0]) }

        builder.check("rejects-iv-24-bytes", .required, "a 24-byte iv")
        wrongLength("first-16-bytes", ivCount: 24) { key, iv in (key, Array(iv.prefix(16))) }

        builder.check("rejects-iv-32-bytes", .required, "a 32-byte iv")
        wrongLength("first-16-bytes", ivCount: 32) { key, iv in (key, Array(iv.prefix(16))) }

        builder.check("rejects-empty-iv", .required, "an empty iv (the key or zeros used instead)")
        wrongLength("key-as-iv", ivCount: 0) { key, _ in (key, key) }
        wrongLength("zero-iv", ivCount: 0) { key, _ in (key, .bytes(0, count: 16)) }
    }

    /// A key or iv of the wrong length is sent; the data is encrypted with what a lenient
    /// decryptor would make of them (`misreading`), so that only a length check rejects it.
    private mutating func wrongLength(
        _ name: String, keyCount: Int = 16, ivCount: Int = 16, misreading: ([UInt8], [UInt8]) -> ([UInt8], [UInt8])
    ) {
        let payload = payloads.phone(label(name))
        let key = material.key(label(name), count: keyCount)
        let iv = material.iv(label(name), count: ivCount)
        let (usedKey, usedIV) = misreading(key, iv)
        let ciphertext = CaseSealing.encrypt(CaseSealing.pkcs7(payload.bytes), key: usedKey, iv: usedIV)
        let texts = Texts(
            appID: GeneratedPayloads.appID, sessionKey: CaseSealing.base64(key), iv: CaseSealing.base64(iv),
            encryptedData: CaseSealing.base64(ciphertext))
        reject(name, texts, payload)
    }

    // MARK: Required: what the plaintext says

    private mutating func contents() {
        builder.check("rejects-foreign-appid", .required, "watermark.appid of another mini program")
        let appID = GeneratedPayloads.appID
        let foreign = [
            ("other-app", "wx0000000000000000"), ("upper-case", appID.uppercased()), ("longer", appID + "0"),
            ("shorter", String(appID.dropLast())), ("empty", ""),
        ]
        for (name, other) in foreign {
            let payload = payloads.phone(label(name), watermark: GeneratedPayloads.watermark(appID: other))
            rejectPlaintext(name, payload.bytes, payload)
        }

        builder.check("rejects-missing-watermark", .required, "no watermark, or no appid in it")
        let timestamp = GeneratedPayloads.timestamp
        let watermarks: [(String, String?)] = [
            ("no-watermark", nil), ("no-appid", #""watermark":{"timestamp":\#(timestamp)}"#),
            ("null-watermark", #""watermark":null"#),
            ("appid-outside-watermark", #""appid":"\#(appID)","timestamp":\#(timestamp)"#),
        ]
        for (name, watermark) in watermarks {
            let payload = payloads.phone(label(name), watermark: watermark)
            rejectPlaintext(name, payload.bytes, payload)
        }

        builder.check("rejects-invalid-json", .required, "plaintext that is not strict JSON")
        let phone = payloads.phone(label("json"))
        let national = phone.identifiers[0]
        let watermark = GeneratedPayloads.watermark()
        let broken: [(String, String)] = [
            ("form-encoded", "phoneNumber=\(national)&purePhoneNumber=\(national)&countryCode=86&appid=\(appID)"),
            ("truncated-object", String(phone.json.dropLast(12))),
            ("trailing-bytes", phone.json + "{}"),
            ("nan", #"{"phoneNumber":"\#(national)","purePhoneNumber":"\#(national)","countryCode":NaN,\#(watermark)}"#),
            ("single-quotes", phone.json.replacingQuotes()),
            ("trailing-comma", String(phone.json.dropLast()) + ",}"),
            ("control-character", #"{"phoneNumber":"\#(national)"# + "\t" + String(phone.json.dropFirst(16 + national.utf8.count))),
            ("comment", "{/* WeChat */" + phone.json.dropFirst()),
        ]
        for (name, text) in broken { rejectPlaintext(name, Array(text.utf8), phone) }

        builder.check("rejects-invalid-utf8", .required, "plaintext that is not valid UTF-8")
        let sequences: [(String, [UInt8])] = [
            ("byte-ff", [0xFF]), ("lone-continuation", [0x80]), ("overlong-slash", [0xC0, 0xAF]),
            ("surrogate", [0xED, 0xA0, 0x80]), ("truncated-sequence", [0xE4, 0xB8]),
        ]
        for (name, sequence) in sequences {
            let payload = payloads.user(label(name), nickName: "Ba@@nd")
            let bytes = payload.bytes
            let marker = bytes.indices.first { bytes[$0] == UInt8(ascii: "@") }!
            rejectPlaintext(name, Array(bytes[..<marker]) + sequence + Array(bytes[(marker + 2)...]), payload)
        }
    }

    // MARK: Required: the encrypted data and its base64

    private mutating func encodings() {
        builder.check("rejects-truncated-data", .required, "truncated encryptedData")
        let payload = payloads.phone(label("truncated"))
        let sealed = payloads.seal(label("truncated"), payload.bytes)
        func texts(_ data: String) -> Texts {
            var texts = sealed.texts()
            texts.encryptedData = data
            return texts
        }
        let full = CaseSealing.base64(sealed.ciphertext)
        reject("last-block-dropped", texts(CaseSealing.base64(Array(sealed.ciphertext.dropLast(16)))), payload)
        reject("first-block-only", texts(CaseSealing.base64(Array(sealed.ciphertext.prefix(16)))), payload)
        reject("base64-cut", texts(String(full.dropLast(10))), payload)
        reject("empty", texts(""), payload)

        builder.check("rejects-data-not-block-multiple", .required, "encryptedData not a multiple of 16 bytes")
        reject("one-byte-more", texts(CaseSealing.base64(sealed.ciphertext + [0x5A])), payload)
        reject("one-byte-less", texts(CaseSealing.base64(Array(sealed.ciphertext.dropLast()))), payload)

        // Characters that a decoder which skips what it does not know would read past, getting
        // the right bytes.
        builder.check("rejects-invalid-base64", .required, "characters outside base64")
        var damaged = sealed.texts()
        damaged.encryptedData = full.inserting("*", at: 20)
        reject("data-asterisk", damaged, payload)
        damaged = sealed.texts()
        damaged.sessionKey = damaged.sessionKey.inserting("!", at: 10)
        reject("key-exclamation", damaged, payload)
        damaged = sealed.texts()
        damaged.iv = damaged.iv.inserting(".", at: 8)
        reject("iv-dot", damaged, payload)
        var percent = payloads.seal(label("percent"), payload.bytes) { $0.encryptedData.contains("+") }
        percent.encryptedData = percent.encryptedData.replacing("+", with: "%2B")
        reject("data-percent-encoded", percent, payload)
    }

    // MARK: Recommended

    private mutating func transportDamage() {
        let payload = payloads.phone(label("damage"))
        func interior(_ text: String, _ character: Character) -> Bool { text.dropFirst().dropLast().contains(character) }

        builder.check("repairs-spaces-as-plus", .recommended, "spaces where '+' was (form decoding)")
        var spaced = payloads.seal(label("data"), payload.bytes) { interior($0.encryptedData, "+") }
        spaced.encryptedData = spaced.encryptedData.replacing("+", with: " ")
        builder.add("data", spaced, accept: payload.json, identifiers: payload.identifiers)
        spaced = payloads.seal(label("key-and-iv"), payload.bytes) { interior($0.sessionKey, "+") && interior($0.iv, "+") }
        spaced.sessionKey = spaced.sessionKey.replacing("+", with: " ")
        spaced.iv = spaced.iv.replacing("+", with: " ")
        builder.add("key-and-iv", spaced, accept: payload.json, identifiers: payload.identifiers)

        builder.check("repairs-url-safe-alphabet", .recommended, "URL-safe base64 ('-' and '_')")
        var urlSafe = payloads.seal(label("all-fields"), payload.bytes) {
            $0.encryptedData.contains("+") && $0.encryptedData.contains("/") && ($0.sessionKey + $0.iv).contains("/")
        }
        urlSafe.sessionKey = urlSafe.sessionKey.urlSafe()
        urlSafe.iv = urlSafe.iv.urlSafe()
        urlSafe.encryptedData = urlSafe.encryptedData.urlSafe()
        builder.add("all-fields", urlSafe, accept: payload.json, identifiers: payload.identifiers)

        builder.check("repairs-missing-padding", .recommended, "base64 without '=' padding")
        var unpadded = payloads.seal(label("all-fields"), payload.bytes) { $0.encryptedData.hasSuffix("=") }
        unpadded.sessionKey = unpadded.sessionKey.replacing("=", with: "")
        unpadded.iv = unpadded.iv.replacing("=", with: "")
        unpadded.encryptedData = unpadded.encryptedData.replacing("=", with: "")
        builder.add("all-fields", unpadded, accept: payload.json, identifiers: payload.identifiers)

        builder.check("repairs-line-breaks", .recommended, "line breaks and surrounding whitespace")
        var wrapped = payloads.seal(label("wrapped-64"), payload.bytes).texts()
        wrapped.encryptedData = wrapped.encryptedData.wrapped(every: 64, with: "\n") + "\n"
        builder.add("wrapped-64", wrapped, accept: payload.json, identifiers: payload.identifiers)
        wrapped = payloads.seal(label("wrapped-76-crlf"), payload.bytes).texts()
        wrapped.encryptedData = wrapped.encryptedData.wrapped(every: 76, with: "\r\n")
        wrapped.sessionKey = " " + wrapped.sessionKey + "\n"
        wrapped.iv = "\t" + wrapped.iv + "\r\n"
        builder.add("wrapped-76-crlf", wrapped, accept: payload.json, identifiers: payload.identifiers)
    }

    private mutating func ambiguityAndFreshness() {
        // Whichever of two duplicates a parser keeps, one of these cases gets through it.
        builder.check("rejects-duplicate-keys", .recommended, "duplicate JSON keys (ambiguous)")
        let phone = payloads.phone(label("duplicates"), watermark: nil)
        let right = GeneratedPayloads.watermark()
        let wrong = GeneratedPayloads.watermark(appID: "wx0000000000000000")
        let members = String(phone.json.dropLast())
        let duplicated = [
            ("phone-number", #"{"phoneNumber":"\#(payloads.mainlandNumber("other"))","# + members.dropFirst() + "," + right + "}"),
            ("watermark-last-right", members + "," + wrong + "," + right + "}"),
            ("watermark-first-right", members + "," + right + "," + wrong + "}"),
        ]
        for (name, text) in duplicated { rejectPlaintext(name, Array(text.utf8), phone) }

        // The age is `now` minus the watermark's timestamp.
        builder.check("freshness-accepts-fresh", .recommended, "a fresh watermark, given now and max_age")
        let timestamp = GeneratedPayloads.timestamp
        for (name, age, maximumAge) in [("100-s-old", 100, 300), ("30-s-ahead", -30, 300)] as [(String, Int64, Int64)] {
            accept(name, payloads.phone(label(name)), now: timestamp + age, maximumAge: maximumAge)
        }
        builder.check("freshness-rejects-stale", .recommended, "a watermark older than max_age")
        freshness([("1-hour-old", 3_600, 300), ("2-days-old", 172_800, 86_400)])
        builder.check("freshness-rejects-future", .recommended, "a watermark over 60 s in the future")
        freshness([("10-min-ahead", -600, 300), ("1-day-ahead", -86_400, 86_400)])
    }

    private mutating func freshness(_ ages: [(String, Int64, Int64)]) {
        for (name, age, maximumAge) in ages {
            let payload = payloads.phone(label(name))
            reject(
                name, payloads.seal(label(name), payload.bytes).texts(), payload, now: GeneratedPayloads.timestamp + age,
                maximumAge: maximumAge)
        }
    }
}

extension String {
    func inserting(_ character: Character, at offset: Int) -> String {
        var copy = self
        copy.insert(character, at: index(startIndex, offsetBy: offset))
        return copy
    }

    func urlSafe() -> String { replacing("+", with: "-").replacing("/", with: "_") }

    /// JSON-ish text with single quotes, as a JavaScript object literal would have them.
    func replacingQuotes() -> String { replacing("\"", with: "'") }

    func wrapped(every width: Int, with lineBreak: String) -> String {
        var lines: [Substring] = []
        var rest = self[...]
        while !rest.isEmpty {
            lines.append(rest.prefix(width))
            rest = rest.dropFirst(width)
        }
        return lines.joined(separator: lineBreak)
    }
}
