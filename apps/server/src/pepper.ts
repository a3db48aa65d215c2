import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatePepperKey, type Pepper, type PepperRing } from '@keyward/core';
import { type Config, ConfigError } from './config.ts';

function decodeKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]+$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length < 32) throw new ConfigError(`${source}: a pepper must be at least 32 bytes (hex or base64)`);
  return key;
}

/** Reads the pepper file, creating it with mode 0600 on first start. */
function filePepper(path: string): Buffer {
  try {
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077)
      throw new ConfigError(`${path}: pepper file must not be readable by others (chmod 600)`);
    return decodeKey(readFileSync(path, 'utf8'), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const key = generatePepperKey();
    writeFileSync(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  }
}

export function loadPepperRing(config: Config): PepperRing {
  const key = config.pepper
    ? decodeKey(config.pepper, 'KEYWARD_PEPPER')
    : filePepper(config.pepperFile ?? join(config.dataDir, 'pepper'));
  const current: Pepper = { version: config.pepperVersion, key };
  const previous = (config.previousPeppers ?? '')
    .split(',')
    .filter((entry) => entry.trim() !== '')
    .map((entry): Pepper => {
      const [version, value] = entry.split(':');
      const parsed = Number(version);
      if (!Number.isInteger(parsed) || !value) {
        throw new ConfigError('KEYWARD_PREVIOUS_PEPPERS: expected `version:key` entries');
      }
      return { version: parsed, key: decodeKey(value, 'KEYWARD_PREVIOUS_PEPPERS') };
    });
  return { current, previous };
}
