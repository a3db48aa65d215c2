import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { AddressedRequest } from '../../types.ts';

/** The names proxy-addr (Fastify's trustProxy) understands, as subnets. */
const NAMED: Record<string, string[]> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

const unmapped = (address: string): string =>
  address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;

/** Whether an address is one of the configured proxies (addresses, CIDRs or proxy-addr names). */
export function compileTrustedProxies(list: string): ((address: string) => boolean) | null {
  const entries = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (entries.length === 0) return null;
  const trusted = new BlockList();
  for (const entry of entries.flatMap((e) => NAMED[e] ?? [e])) {
    const [ip = '', bits] = entry.split('/');
    const address = unmapped(ip);
    const type = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (bits === undefined) trusted.addAddress(address, type);
    else trusted.addSubnet(address, Number(bits), type);
  }
  return (address) => {
    const a = unmapped(address);
    return (isIPv4(a) || isIPv6(a)) && trusted.check(a, isIPv6(a) ? 'ipv6' : 'ipv4');
  };
}

/**
 * The client address as Fastify's `request.ip` computes it with the same trustProxy list: the
 * socket's peer, or, while that hop is a trusted proxy, the next one of X-Forwarded-For from the
 * right (the nearest untrusted address, or the furthest when all are trusted).
 */
export function createClientAddress(trustedProxies: string): (request: AddressedRequest) => string {
  const isTrusted = compileTrustedProxies(trustedProxies);
  return (request) => {
    const socketAddress = request.socket.remoteAddress ?? '';
    if (isTrusted === null || !isTrusted(socketAddress)) return socketAddress;
    const header = request.headers['x-forwarded-for'];
    if (header === undefined) return socketAddress;
    const hops = (Array.isArray(header) ? header.join(',') : header).split(',');
    let address = socketAddress;
    for (let i = hops.length - 1; i >= 0; i--) {
      address = (hops[i] ?? '').trim();
      if (!isTrusted(address)) return address;
    }
    return address;
  };
}
