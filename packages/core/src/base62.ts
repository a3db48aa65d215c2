const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export const BASE62_CHARS = '0-9A-Za-z';

/** Encodes an unsigned integer as base62, left-padded with '0' to `width` characters. */
export function encodeBase62(value: bigint, width: number): string {
  let out = '';
  let rest = value;
  while (rest > 0n) {
    out = ALPHABET[Number(rest % 62n)] + out;
    rest /= 62n;
  }
  if (out.length > width) throw new RangeError(`value does not fit in ${width} base62 characters`);
  return out.padStart(width, '0');
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** 32 random bytes need 43 base62 characters (62^43 > 2^256). */
export function base62Width(byteLength: number): number {
  return Math.ceil((byteLength * 8) / Math.log2(62));
}
