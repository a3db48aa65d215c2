/**
 * The gateway door's requests as the door lane reads them: a strict subset of HTTP/1.1 that
 * llhttp (node:http's parser) reads the same way, and nothing else. `GET` or `HEAD` of
 * `/v1/authorize` (or Envoy's `/v1/authorize/<path>`), no query, `HTTP/1.1`, field lines of a
 * token, a colon and visible characters, CRLF throughout, a Host, no body and nothing that changes
 * the connection. Whatever falls outside is `OTHER`: node:http gets those bytes untouched and
 * answers them (errors included) as it always does.
 */

export type DoorRequest = {
  method: 'GET' | 'HEAD';
  /** The names and values as sent (values without surrounding spaces), like `rawHeaders`. */
  rawHeaders: string[];
  /** Where the request ends in the text it was read from. */
  end: number;
};

/** More bytes are needed to tell. */
export const INCOMPLETE = 'incomplete';
/** Not a door request of the plain kind: node:http reads it. */
export const OTHER = 'other';

/** Larger heads go to node:http, which applies its own limit (16 KiB, answered 431). */
export const MAX_DOOR_HEAD_BYTES = 8192;
const MAX_FIELDS = 64;

const GET_LINE = 'GET /v1/authorize';
const HEAD_LINE = 'HEAD /v1/authorize';

/**
 * The whole head at once. Target: the door's path, or it followed by `/` and path characters
 * (RFC 3986 pchar, no `?` or `#`). Field names are RFC 9110 tokens; values are field-vchar,
 * obs-text, SP and HTAB (no CR, LF or NUL, no obs-fold since a line cannot begin with a space).
 */
const PLAIN_HEAD =
  /^(?:GET|HEAD) \/v1\/authorize(?:\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*)? HTTP\/1\.1\r\n(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e\x80-\xff]*\r\n)*\r\n$/;

const isSpace = (code: number) => code === 0x20 || code === 0x09;

/** A field value without the optional whitespace around it (SP and HTAB only, as llhttp trims). */
function fieldValue(line: string, from: number): string {
  let start = from;
  let end = line.length;
  while (start < end && isSpace(line.charCodeAt(start))) start++;
  while (end > start && isSpace(line.charCodeAt(end - 1))) end--;
  return line.slice(start, end);
}

/** Whether the bytes so far can still begin a door request (so waiting for the rest is worth it). */
function mayBecomeDoorRequest(text: string, start: number): boolean {
  const have = text.length - start;
  if (have > MAX_DOOR_HEAD_BYTES) return false;
  const line = text.charCodeAt(start) === 0x48 ? HEAD_LINE : GET_LINE;
  return text.startsWith(line.slice(0, Math.min(have, line.length)), start);
}

/** Fields that give the request a body, another protocol or a different connection: node:http's. */
function changesFraming(lower: string, value: string): boolean {
  switch (lower) {
    case 'content-length':
      return value !== '0';
    case 'connection':
      return value.toLowerCase() !== 'keep-alive';
    case 'transfer-encoding':
    case 'expect':
    case 'upgrade':
      return true;
    default:
      return false;
  }
}

/** Reads one request from `text` (latin1, one character per byte) at `start`. */
export function readDoorRequest(text: string, start: number): DoorRequest | typeof INCOMPLETE | typeof OTHER {
  const headEnd = text.indexOf('\r\n\r\n', start);
  if (headEnd === -1) return mayBecomeDoorRequest(text, start) ? INCOMPLETE : OTHER;
  const end = headEnd + 4;
  if (end - start > MAX_DOOR_HEAD_BYTES) return OTHER;
  const head = text.slice(start, end);
  if (!PLAIN_HEAD.test(head)) return OTHER;
  const lines = head.split('\r\n');
  // The request line, then the fields, then the two empty strings of the final CRLF CRLF.
  if (lines.length - 3 > MAX_FIELDS) return OTHER;
  const rawHeaders: string[] = [];
  let hosts = 0;
  let lengths = 0;
  for (let i = 1; i < lines.length - 2; i++) {
    const line = lines[i] ?? '';
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    const value = fieldValue(line, colon + 1);
    const lower = name.toLowerCase();
    if (lower === 'host') hosts++;
    else if (lower === 'content-length') lengths++;
    if (changesFraming(lower, value)) return OTHER;
    rawHeaders.push(name, value);
  }
  // No Host is node:http's 400; two Content-Length fields are its to refuse as well.
  if (hosts === 0 || lengths > 1) return OTHER;
  return { method: head.charCodeAt(0) === 0x48 ? 'HEAD' : 'GET', rawHeaders, end };
}
