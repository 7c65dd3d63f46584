// A strict decryptor for WeChat Mini Program open data (AES-128-CBC, PKCS#7, JSON with a
// watermark), speaking the `wxdecrypt conformance` protocol: one record per stdin line, one
// answer per stdout line. Java 17 and javax.crypto only; the JDK has no JSON parser, so a
// strict one is below. No build step:
//
//   wxdecrypt conformance -- java Examples/Conformance/java/Adapter.java
//
// To test your own decryptor, keep main() and call yours instead of decrypt().

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

public class Adapter {
    static final class Rejection extends Exception {
        final String code;

        Rejection(String code, String message) {
            super(message);
            this.code = code;
        }
    }

    // One reason for every failure after decryption: a padding error that looked different
    // from a JSON error would be a padding oracle.
    static Rejection decryptionFailed() {
        return new Rejection("decryption_failed", "the data did not decrypt to a valid payload");
    }

    // Standard base64, repairing what transports do to it: '+' turned into spaces by form
    // decoding, the URL-safe alphabet, missing '=' padding, line breaks and surrounding
    // whitespace. Anything else outside the alphabet is an error, never skipped.
    static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]*");

    static byte[] decodeBase64(String text, String field, IntPredicate acceptsLength) throws Rejection {
        String core = text.replaceAll("[\r\n\t]", "");
        // Spaces inside are '+'; spaces at the ends are whitespace, unless only reading them
        // as '+' gives a valid length.
        for (String candidate : List.of(core.strip().replace(' ', '+'), core.replace(' ', '+'))) {
            String standard = candidate.replace('-', '+').replace('_', '/').replaceAll("=+$", "");
            if (!BASE64.matcher(standard).matches() || standard.length() % 4 == 1) continue;
            byte[] bytes = Base64.getDecoder().decode(standard);
            if (acceptsLength.test(bytes.length)) return bytes;
        }
        throw new Rejection("invalid_" + field, field + " is not base64 of an acceptable length");
    }

    // ---- JSON: RFC 8259, plus no duplicate keys, which parsers resolve differently.

    /** A JSON number, kept as written. */
    record JsonNumber(String token) {}

    static final Object NULL = new Object();

    static final class JsonParser {
        static final Pattern NUMBER = Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");
        private final String text;
        private int at;

        private JsonParser(String text) {
            this.text = text;
        }

        static Object parse(String text) throws Rejection {
            JsonParser parser = new JsonParser(text);
            try {
                Object value = parser.value();
                parser.space();
                if (parser.at != text.length()) throw decryptionFailed();
                return value;
            } catch (StackOverflowError tooDeep) {
                throw decryptionFailed();
            }
        }

        private void space() {
            while (at < text.length() && " \t\n\r".indexOf(text.charAt(at)) >= 0) at++;
        }

        private char next() throws Rejection {
            if (at >= text.length()) throw decryptionFailed();
            return text.charAt(at++);
        }

        private void expect(char expected) throws Rejection {
            space();
            if (next() != expected) throw decryptionFailed();
        }

        private boolean skipIf(char character) {
            space();
            if (at < text.length() && text.charAt(at) == character) {
                at++;
                return true;
            }
            return false;
        }

        private Object value() throws Rejection {
            space();
            char first = next();
            switch (first) {
                case '{': {
                    Map<String, Object> object = new LinkedHashMap<>();
                    if (skipIf('}')) return object;
                    do {
                        expect('"');
                        String key = string();
                        if (object.containsKey(key)) throw decryptionFailed();
                        expect(':');
                        object.put(key, value());
                    } while (skipIf(','));
                    expect('}');
                    return object;
                }
                case '[': {
                    List<Object> array = new ArrayList<>();
                    if (skipIf(']')) return array;
                    do array.add(value()); while (skipIf(','));
                    expect(']');
                    return array;
                }
                case '"': return string();
                case 't': return literal("true", Boolean.TRUE);
                case 'f': return literal("false", Boolean.FALSE);
                case 'n': return literal("null", NULL);
                default: {
                    at--;
                    Matcher number = NUMBER.matcher(text).region(at, text.length());
                    if (!number.lookingAt()) throw decryptionFailed();
                    at = number.end();
                    return new JsonNumber(number.group());
                }
            }
        }

        private Object literal(String word, Object value) throws Rejection {
            if (!text.startsWith(word, at - 1)) throw decryptionFailed();
            at += word.length() - 1;
            return value;
        }

        /** The rest of a string whose opening quote has been read. */
        private String string() throws Rejection {
            StringBuilder result = new StringBuilder();
            while (true) {
                char character = next();
                if (character == '"') return result.toString();
                if (character < 0x20) throw decryptionFailed();
                if (character != '\\') {
                    result.append(character);
                    continue;
                }
                char escaped = next();
                switch (escaped) {
                    case '"', '\\', '/' -> result.append(escaped);
                    case 'b' -> result.append('\b');
                    case 'f' -> result.append('\f');
                    case 'n' -> result.append('\n');
                    case 'r' -> result.append('\r');
                    case 't' -> result.append('\t');
                    case 'u' -> {
                        if (at + 4 > text.length()) throw decryptionFailed();
                        try {
                            result.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        } catch (NumberFormatException notHex) {
                            throw decryptionFailed();
                        }
                        at += 4;
                    }
                    default -> throw decryptionFailed();
                }
            }
        }
    }

    static void write(Object value, StringBuilder out) {
        if (value instanceof Map<?, ?> object) {
            out.append('{');
            String separator = "";
            for (Map.Entry<?, ?> member : object.entrySet()) {
                out.append(separator);
                separator = ",";
                write(member.getKey(), out);
                out.append(':');
                write(member.getValue(), out);
            }
            out.append('}');
        } else if (value instanceof List<?> array) {
            out.append('[');
            for (int index = 0; index < array.size(); index++) {
                if (index > 0) out.append(',');
                write(array.get(index), out);
            }
            out.append(']');
        } else if (value instanceof String text) {
            // ASCII only, whatever stdout's encoding: everything else as \\u escapes.
            out.append('"');
            for (char character : text.toCharArray()) {
                if (character == '"' || character == '\\') out.append('\\').append(character);
                else if (character < 0x20 || character > 0x7E) out.append(String.format("\\u%04x", (int) character));
                else out.append(character);
            }
            out.append('"');
        } else if (value instanceof JsonNumber number) {
            out.append(number.token());
        } else if (value instanceof Boolean bool) {
            out.append(bool);
        } else {
            out.append("null");
        }
    }

    // ---- Decryption

    static String text(Map<?, ?> record, String field) throws Rejection {
        if (record.get(field) instanceof String value) return value;
        throw new Rejection("invalid_record", field + " must be a string");
    }

    /** An integer member, or null when it is missing or not an integer. */
    static Long integer(Map<?, ?> object, String field) {
        if (object.get(field) instanceof JsonNumber number && number.token().matches("-?[0-9]{1,18}")) {
            return Long.parseLong(number.token());
        }
        return null;
    }

    static Map<?, ?> decrypt(Map<?, ?> record) throws Rejection {
        byte[] key = decodeBase64(text(record, "session_key"), "session_key", n -> n == 16);
        byte[] iv = decodeBase64(text(record, "iv"), "iv", n -> n == 16);
        byte[] data = decodeBase64(text(record, "encrypted_data"), "encrypted_data", n -> n > 0 && n % 16 == 0);
        String appID = text(record, "appid");
        byte[] padded;
        try {
            Cipher cipher = Cipher.getInstance("AES/CBC/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
            padded = cipher.doFinal(data);
        } catch (GeneralSecurityException failure) {
            throw decryptionFailed();
        }
        // Strict PKCS#7 with 16-byte blocks: 1 to 16, every pad byte the same. All 16 bytes are
        // looked at whatever the verdict, so timing does not tell where it failed.
        int pad = padded[padded.length - 1] & 0xFF;
        boolean bad = pad < 1 || pad > 16;
        for (int i = 1; i <= 16; i++) bad |= i <= pad && (padded[padded.length - i] & 0xFF) != pad;
        if (bad) throw decryptionFailed();
        String plaintext;
        try {
            plaintext = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(padded, 0, padded.length - pad))
                    .toString();
        } catch (CharacterCodingException invalid) {
            throw decryptionFailed();
        }
        if (!(JsonParser.parse(plaintext) instanceof Map<?, ?> payload)) throw decryptionFailed();
        if (!(payload.get("watermark") instanceof Map<?, ?> watermark)) {
            throw new Rejection("invalid_payload", "payload field 'watermark' is missing or not an object");
        }
        if (!(watermark.get("appid") instanceof String watermarkAppID)) {
            throw new Rejection("invalid_payload", "payload field 'watermark.appid' is missing");
        }
        Long timestamp = integer(watermark, "timestamp");
        if (timestamp == null) {
            throw new Rejection("invalid_payload", "payload field 'watermark.timestamp' is missing or not an integer");
        }
        if (!watermarkAppID.equals(appID)) {
            throw new Rejection("appid_mismatch", "watermark.appid is not the expected appid: data of another mini program");
        }
        // Freshness, when the record says what time it is and how old a payload may be.
        Long maximumAge = integer(record, "max_age");
        Long now = integer(record, "now");
        if (maximumAge != null && now != null) {
            long age = now - timestamp;
            if (age > maximumAge) throw new Rejection("watermark_expired", "the payload is " + age + " s old");
            if (-age > 60) throw new Rejection("watermark_expired", "the payload is " + -age + " s in the future");
        }
        return payload;
    }

    // The protocol: a record per line in, an answer per line out, every failure an answer.
    public static void main(String[] arguments) throws IOException {
        BufferedReader input = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream output = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        String line;
        while ((line = input.readLine()) != null) {
            if (line.isBlank()) continue;
            StringBuilder answer = new StringBuilder("{\"id\":");
            Object id = NULL;
            try {
                Object parsed;
                try {
                    parsed = JsonParser.parse(line);
                } catch (Rejection notJSON) {
                    throw new Rejection("invalid_record", "the line is not JSON");
                }
                if (!(parsed instanceof Map<?, ?> record)) throw new Rejection("invalid_record", "the line is not a JSON object");
                if (record.containsKey("id")) id = record.get("id");
                Map<?, ?> data = decrypt(record);
                write(id, answer);
                answer.append(",\"ok\":true,\"data\":");
                write(data, answer);
            } catch (Exception failure) {
                // Our own messages never hold a key or plaintext; anything unexpected is named, not described.
                boolean known = failure instanceof Rejection;
                Map<String, Object> error = new LinkedHashMap<>();
                error.put("code", known ? ((Rejection) failure).code : "internal_error");
                error.put("message", known ? failure.getMessage() : "unexpected " + failure.getClass().getSimpleName());
                answer.setLength("{\"id\":".length());
                write(id, answer);
                answer.append(",\"ok\":false,\"error\":");
                write(error, answer);
            }
            output.append(answer).append("}\n");
        }
        output.flush();
    }
}
