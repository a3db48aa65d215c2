import { type LookupAddress, lookup } from 'node:dns';
import { isIP } from 'node:net';
import { isPrivateAddress, KeywardError, urlCarriesSecret } from '@keyward/core';

export const MAX_WEBHOOK_URL_LENGTH = 2048;

/**
 * Checks an endpoint URL as given (shape only; the address is checked when it is resolved):
 * http(s), no credentials, no secret in it, a host.
 */
export function checkWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new KeywardError('VALIDATION_FAILED', 'The webhook URL is not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new KeywardError('VALIDATION_FAILED', 'A webhook URL must be http or https');
  if (url.username || url.password)
    throw new KeywardError('VALIDATION_FAILED', 'A webhook URL must not carry credentials');
  if (urlCarriesSecret(text))
    throw new KeywardError('VALIDATION_FAILED', 'A webhook URL must not carry a secret; it is shown in logs');
  if (!url.hostname) throw new KeywardError('VALIDATION_FAILED', 'A webhook URL needs a host');
  return url;
}

const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

function resolveAll(host: string): Promise<LookupAddress[]> {
  if (isIP(host)) return Promise.resolve([{ address: host, family: isIP(host) }]);
  return new Promise((resolve, reject) =>
    lookup(host, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );
}

/** Refuses (VALIDATION_FAILED) a URL whose host resolves to a private address, unless allowed. */
export async function checkWebhookTarget(url: URL, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  let addresses: LookupAddress[];
  try {
    addresses = await resolveAll(hostOf(url));
  } catch {
    throw new KeywardError('VALIDATION_FAILED', 'The webhook host does not resolve');
  }
  if (addresses.length === 0 || addresses.some((a) => isPrivateAddress(a.address)))
    throw new KeywardError(
      'VALIDATION_FAILED',
      'Webhook targets on loopback or private addresses are refused (KEYWARD_WEBHOOK_ALLOW_PRIVATE_TARGETS)',
    );
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http.request that refuses private addresses at connect time, so a name that
 * resolved to a public address when the endpoint was saved cannot be re-pointed inside (DNS rebinding).
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    lookup(hostname, { all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const usable = allowPrivate ? addresses : addresses.filter((a) => !isPrivateAddress(a.address));
      if (usable.length === 0) {
        const refused = Object.assign(new Error('webhook target resolves to a private address'), {
          code: 'EPRIVATETARGET',
        });
        return callback(refused, '');
      }
      if (options.all) return callback(null, usable);
      const first = usable[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}
