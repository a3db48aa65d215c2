import { isIP } from 'node:net';
import { KeywardError } from '@keyward/core';
import { Type } from 'typebox';

/**
 * The address of the token's holder as the calling service saw it. The verify and introspection
 * doors are called by a backend, not by the holder, so a token's allowlist is checked against this
 * address when it is given, and against the caller's own (trusted-proxy aware) address otherwise.
 */
export const ClientIpField = Type.Optional(
  Type.String({
    maxLength: 64,
    description: "The token holder's address, checked against the token's IP allowlist",
  }),
);

export function checkedClientIp(given: string | undefined, callerIp: string): string {
  if (given === undefined) return callerIp;
  if (isIP(given) === 0) throw new KeywardError('VALIDATION_FAILED', 'client_ip: not an IP address');
  return given;
}
