import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createClientAddress } from '../src/routes/verify/client-address.ts';

const request = (remoteAddress: string, forwarded?: string) =>
  ({
    socket: { remoteAddress },
    headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
  }) as unknown as IncomingMessage;

/** The fast path's client address follows Fastify's trustProxy (proxy-addr) rules. */
describe('client address behind trusted proxies', () => {
  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(createClientAddress('')(request('10.0.0.1', '1.2.3.4'))).toBe('10.0.0.1');
  });

  it('walks X-Forwarded-For from the right while the hops are trusted', () => {
    const address = createClientAddress('127.0.0.1, 10.0.0.0/8');
    expect(address(request('127.0.0.1', '1.2.3.4'))).toBe('1.2.3.4');
    expect(address(request('127.0.0.1', '1.2.3.4, 10.1.2.3'))).toBe('1.2.3.4');
    expect(address(request('127.0.0.1', '9.9.9.9, 1.2.3.4, 10.1.2.3'))).toBe('1.2.3.4');
    expect(address(request('127.0.0.1', '10.9.9.9'))).toBe('10.9.9.9');
    expect(address(request('::ffff:127.0.0.1', '1.2.3.4'))).toBe('1.2.3.4');
    expect(address(request('192.0.2.1', '1.2.3.4'))).toBe('192.0.2.1');
    expect(address(request('127.0.0.1'))).toBe('127.0.0.1');
  });

  it('understands the proxy-addr names', () => {
    const address = createClientAddress('loopback');
    expect(address(request('::1', '2001:db8::1'))).toBe('2001:db8::1');
    expect(address(request('127.0.0.2', 'garbage'))).toBe('garbage');
  });
});
