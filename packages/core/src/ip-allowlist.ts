import { isIPv4, isIPv6 } from 'node:net';
import type { VerifyOutcome } from './verify.ts';

/** At most this many entries per token: the list is checked on every request. */
export const MAX_ALLOWED_IPS = 100;

export type AllowlistParse = { ok: true; cidrs: string[] } | { ok: false; error: string };

/** `::ffff:1.2.3.4` is the IPv4 address it maps (a dual-stack socket reports IPv4 peers so). */
export const unmappedAddress = (address: string): string =>
  address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;

/**
 * Validates an allowlist: IPv4/IPv6 addresses or CIDRs. A bare address becomes its /32 or /128;
 * duplicates are dropped. An empty list means any address.
 */
export function parseAllowedIps(entries: readonly string[]): AllowlistParse {
  if (entries.length > MAX_ALLOWED_IPS)
    return { ok: false, error: `at most ${MAX_ALLOWED_IPS} addresses or ranges` };
  const cidrs: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    const [ip = '', bits, extra] = entry.split('/');
    const address = unmappedAddress(ip);
    const v6 = isIPv6(address);
    if (extra !== undefined || !(v6 || isIPv4(address)))
      return { ok: false, error: `"${raw}" is not an IP address or CIDR range` };
    const max = v6 ? 128 : 32;
    const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : Number.NaN;
    if (!(prefix >= 0 && prefix <= max))
      return { ok: false, error: `"${raw}": the prefix length must be 0 to ${max}` };
    const cidr = `${address.toLowerCase()}/${prefix}`;
    if (!cidrs.includes(cidr)) cidrs.push(cidr);
  }
  return { ok: true, cidrs };
}

/** IPv4 (dotted decimal, no leading zeros beyond one digit's worth) as an unsigned number, or null. */
function ipv4Number(address: string): number | null {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return null;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      octet = octet * 10 + (c - 48);
      digits++;
      if (octet > 255) return null;
    } else return null;
  }
  return dots === 3 && digits > 0 ? value * 256 + octet : null;
}

/** IPv6 as eight 16-bit groups (an embedded IPv4 tail included), or null. */
function ipv6Groups(address: string): number[] | null {
  if (!isIPv6(address)) return null;
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  const lastColon = text.lastIndexOf(':');
  const v4 = ipv4Number(text.slice(lastColon + 1));
  if (v4 !== null)
    text = `${text.slice(0, lastColon + 1)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const [head = '', rest] = text.split('::');
  const front = parse(head);
  const back = rest === undefined ? [] : parse(rest);
  const groups =
    rest === undefined
      ? front
      : [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : null;
}

type Range4 = { net: number; bits: number };
type Range6 = { net: number[]; bits: number };
type Compiled = { v4: Range4[]; v6: Range6[] };

const within4 = (value: number, { net, bits }: Range4): boolean =>
  bits === 0 || Math.floor(value / 2 ** (32 - bits)) === Math.floor(net / 2 ** (32 - bits));

function within6(groups: readonly number[], { net, bits }: Range6): boolean {
  for (let i = 0, left = bits; left > 0; i++, left -= 16) {
    const take = Math.min(16, left);
    const shift = 16 - take;
    if (groups[i]! >> shift !== net[i]! >> shift) return false;
  }
  return true;
}

// Compiled once per list: cached lookups share their list, so a hot token compiles it once.
const compiled = new WeakMap<readonly string[], Compiled>();

function compiledOf(cidrs: readonly string[]): Compiled {
  let list = compiled.get(cidrs);
  if (list === undefined) {
    list = { v4: [], v6: [] };
    for (const cidr of cidrs) {
      const [address = '', bits = ''] = cidr.split('/');
      const v4 = ipv4Number(address);
      if (v4 !== null) list.v4.push({ net: v4, bits: Number(bits) });
      else {
        const groups = ipv6Groups(address);
        if (groups !== null) list.v6.push({ net: groups, bits: Number(bits) });
      }
    }
    compiled.set(cidrs, list);
  }
  return list;
}

/** Whether `address` is within the allowlist; an empty list allows every address. */
export function addressAllowed(cidrs: readonly string[], address: string): boolean {
  if (cidrs.length === 0) return true;
  const list = compiledOf(cidrs);
  const a = unmappedAddress(address);
  const v4 = ipv4Number(a);
  if (v4 !== null) return list.v4.some((range) => within4(v4, range));
  const groups = ipv6Groups(a);
  return groups !== null && list.v6.some((range) => within6(groups, range));
}

/**
 * The address step of the verify decision, after `decide`: a token that would be admitted (or
 * refused only for a scope) is refused with IP_NOT_ALLOWED from an address outside its allowlist.
 * A token refused for its own state keeps that answer (a revoked token says so everywhere).
 */
export function decideAddress(
  outcome: VerifyOutcome,
  allowedIps: readonly string[],
  address: string,
): VerifyOutcome {
  if (!outcome.principal || addressAllowed(allowedIps, address)) return outcome;
  return NOT_ALLOWED;
}

const NOT_ALLOWED: VerifyOutcome = Object.freeze({ valid: false, code: 'IP_NOT_ALLOWED' } as const);
