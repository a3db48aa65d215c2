import { BlockList, isIPv4, isIPv6 } from 'node:net';
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

// Compiled once per list: cached lookups share their list, so a hot token compiles it once.
const compiled = new WeakMap<readonly string[], BlockList>();

function blockListOf(cidrs: readonly string[]): BlockList {
  let list = compiled.get(cidrs);
  if (list === undefined) {
    list = new BlockList();
    for (const cidr of cidrs) {
      const [address = '', bits = ''] = cidr.split('/');
      list.addSubnet(address, Number(bits), isIPv6(address) ? 'ipv6' : 'ipv4');
    }
    compiled.set(cidrs, list);
  }
  return list;
}

/** Whether `address` is within the allowlist; an empty list allows every address. */
export function addressAllowed(cidrs: readonly string[], address: string): boolean {
  if (cidrs.length === 0) return true;
  const a = unmappedAddress(address);
  if (isIPv4(a)) return blockListOf(cidrs).check(a, 'ipv4');
  if (isIPv6(a)) return blockListOf(cidrs).check(a, 'ipv6');
  return false;
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
