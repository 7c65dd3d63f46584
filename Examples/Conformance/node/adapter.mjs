#!/usr/bin/env node
// A strict decryptor for WeChat Mini Program open data (AES-128-CBC, PKCS#7, JSON with a
// watermark), speaking the `wxdecrypt conformance` protocol: one record per stdin line,
// one answer per stdout line. Node's built-in crypto only, no packages.
//
//   wxdecrypt conformance -- node Examples/Conformance/node/adapter.mjs
//
// To test your own decryptor, keep the loop at the bottom and call yours instead of decrypt().
import { createDecipheriv } from 'node:crypto';
import { createInterface } from 'node:readline';

class Rejection extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

// One reason for every failure after decryption: a padding error that looked different from
// a JSON error would be a padding oracle.
const decryptionFailed = () => new Rejection('decryption_failed', 'the data did not decrypt to a valid payload');

// Standard base64, repairing what transports do to it: '+' turned into spaces by form
// decoding, the URL-safe alphabet, missing '=' padding, line breaks and surrounding
// whitespace. Anything else outside the alphabet is an error, never skipped.
function decodeBase64(text, field, acceptsLength) {
  const core = text.replace(/[\r\n\t]/g, '');
  // Spaces inside are '+'; spaces at the ends are whitespace, unless only reading them as
  // '+' gives a valid length.
  for (const candidate of [core.trim().replace(/ /g, '+'), core.replace(/ /g, '+')]) {
    const standard = candidate.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
    if (!/^[A-Za-z0-9+/]*$/.test(standard) || standard.length % 4 === 1) continue;
    const bytes = Buffer.from(standard, 'base64');
    if (acceptsLength(bytes.length)) return bytes;
  }
  throw new Rejection(`invalid_${field}`, `${field} is not base64 of an acceptable length`);
}

// RFC 8259 JSON that also rejects duplicate keys, which parsers resolve differently.
function parseStrictJSON(text) {
  const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const LITERAL = /true|false|null/y;
  let at = 0;
  const space = () => { while (at < text.length && ' \t\n\r'.includes(text[at])) at++; };
  const token = (pattern) => {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (!match) throw decryptionFailed();
    at = pattern.lastIndex;
    return match[0];
  };
  const expect = (character) => {
    space();
    if (text[at++] !== character) throw decryptionFailed();
  };
  const value = () => {
    space();
    switch (text[at]) {
      case '{': {
        at++;
        const object = Object.create(null);
        space();
        if (text[at] === '}') { at++; return object; }
        do {
          space();
          const key = JSON.parse(token(STRING));
          if (Object.hasOwn(object, key)) throw decryptionFailed();
          expect(':');
          object[key] = value();
          space();
        } while (text[at] === ',' && ++at);
        expect('}');
        return object;
      }
      case '[': {
        at++;
        const array = [];
        space();
        if (text[at] === ']') { at++; return array; }
        do { array.push(value()); space(); } while (text[at] === ',' && ++at);
        expect(']');
        return array;
      }
      case '"': return JSON.parse(token(STRING));
      case 't': case 'f': case 'n': return JSON.parse(token(LITERAL));
      default: return Number(token(NUMBER));
    }
  };
  const result = value();
  space();
  if (at !== text.length) throw decryptionFailed();
  return result;
}

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

export function decrypt(record) {
  const key = decodeBase64(record.session_key, 'session_key', (n) => n === 16);
  const iv = decodeBase64(record.iv, 'iv', (n) => n === 16);
  const data = decodeBase64(record.encrypted_data, 'encrypted_data', (n) => n > 0 && n % 16 === 0);
  const decipher = createDecipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(data), decipher.final()]);
  // Strict PKCS#7 with 16-byte blocks: 1 to 16, every pad byte the same. All 16 bytes are
  // looked at whatever the verdict, so timing does not tell where it failed.
  const pad = padded[padded.length - 1];
  let bad = pad < 1 || pad > 16;
  for (let i = 1; i <= 16; i++) bad = (i <= pad && padded[padded.length - i] !== pad) || bad;
  if (bad) throw decryptionFailed();
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(padded.subarray(0, padded.length - pad));
  } catch {
    throw decryptionFailed();
  }
  const payload = parseStrictJSON(text);
  if (!isObject(payload)) throw decryptionFailed();
  const watermark = payload.watermark;
  if (!isObject(watermark)) throw new Rejection('invalid_payload', "payload field 'watermark' is missing or not an object");
  if (typeof watermark.appid !== 'string') throw new Rejection('invalid_payload', "payload field 'watermark.appid' is missing");
  if (!Number.isInteger(watermark.timestamp)) {
    throw new Rejection('invalid_payload', "payload field 'watermark.timestamp' is missing or not an integer");
  }
  if (watermark.appid !== record.appid) {
    throw new Rejection('appid_mismatch', 'watermark.appid is not the expected appid: data of another mini program');
  }
  // Freshness, when the record says what time it is and how old a payload may be.
  if (record.max_age !== undefined) {
    const age = record.now - watermark.timestamp;
    if (age > record.max_age) throw new Rejection('watermark_expired', `the payload is ${age} s old`);
    if (-age > 60) throw new Rejection('watermark_expired', `the payload is ${-age} s in the future`);
  }
  return payload;
}

// The protocol: a record per line in, an answer per line out, every failure an answer.
const answer = (line) => process.stdout.write(JSON.stringify(line) + '\n');
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (!line.trim()) continue;
  let record;
  try {
    record = JSON.parse(line);
    for (const field of ['appid', 'session_key', 'iv', 'encrypted_data']) {
      if (typeof record[field] !== 'string') throw new Rejection('invalid_record', `${field} must be a string`);
    }
    answer({ id: record.id, ok: true, data: decrypt(record) });
  } catch (error) {
    // Only our own messages, which never hold a key or plaintext; anything unexpected is named, not described.
    const known = error instanceof Rejection;
    answer({
      id: record?.id ?? null,
      ok: false,
      error: { code: known ? error.code : 'internal_error', message: known ? error.message : `unexpected ${error.name}` },
    });
  }
}
