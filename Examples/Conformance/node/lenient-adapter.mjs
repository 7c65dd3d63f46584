#!/usr/bin/env node
// DELIBERATELY WRONG: a decryptor with the bugs found in real WeChat backends, to show what a
// failing `wxdecrypt conformance` report looks like. Every line marked "Bug" is one; never
// copy this file. Node's built-in crypto only.
//
//   wxdecrypt conformance -- node Examples/Conformance/node/lenient-adapter.mjs
//
// lenient-adapter.failures lists the checks these bugs fail; the tests hold it to that.
import { createDecipheriv } from 'node:crypto';
import { createInterface } from 'node:readline';

function decrypt(record) {
  // Bug: Buffer.from skips characters that are not base64 instead of refusing them.
  let key = Buffer.from(record.session_key, 'base64');
  // Bug (as PHP's openssl_decrypt does): a short key is padded with zero bytes.
  if (key.length < 16) key = Buffer.concat([key, Buffer.alloc(16 - key.length)]);
  let iv = Buffer.from(record.iv, 'base64');
  // Bug: no iv, so the key serves as the iv.
  if (iv.length === 0) iv = key.subarray(0, 16);
  // Bug (PHP again): an iv of the wrong length is padded with zero bytes or cut to 16.
  else if (iv.length !== 16) iv = Buffer.concat([iv, Buffer.alloc(16)]).subarray(0, 16);
  // Bug: the AES variant follows the key's length, so 24- and 32-byte keys "work" as AES-192 and AES-256.
  const decipher = createDecipheriv(`aes-${key.length * 8}-cbc`, key, iv).setAutoPadding(false);
  let plain = Buffer.concat([decipher.update(Buffer.from(record.encrypted_data, 'base64')), decipher.final()]);
  // Bug (the PKCS#7 decoder of an old official demo): only the last byte is read, and it may
  // be up to 32, as if blocks were 32 bytes; an out-of-range value strips nothing.
  const pad = plain[plain.length - 1];
  if (pad >= 1 && pad <= 32) plain = plain.subarray(0, plain.length - pad);
  // Bug: trailing NUL bytes, the habit of zero padding, are trimmed.
  let end = plain.length;
  while (end > 0 && plain[end - 1] === 0) end--;
  // Bug: invalid UTF-8 silently becomes U+FFFD.
  const text = plain.subarray(0, end).toString('utf8');
  try {
    // Bug: JSON.parse keeps the last of duplicate keys.
    return JSON.parse(text);
  } catch (error) {
    // Bug: the error message carries the plaintext.
    throw new Error(`invalid JSON ${text}: ${error.message}`);
  }
  // Bug: the watermark is never looked at: no appid check, no freshness check.
}

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (!line.trim()) continue;
  const record = JSON.parse(line);
  try {
    process.stdout.write(JSON.stringify({ id: record.id, ok: true, data: decrypt(record) }) + '\n');
  } catch (error) {
    // Bug: the whole record, session key included, goes into the error message.
    const message = `cannot decrypt ${JSON.stringify(record)}: ${error.message}`;
    process.stdout.write(JSON.stringify({ id: record.id, ok: false, error: { message } }) + '\n');
  }
}
