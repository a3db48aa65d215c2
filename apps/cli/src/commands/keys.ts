import { DEFAULT_TOKEN_PREFIX, generateToken, isValidPrefix, TOKEN_PREFIX_PATTERN } from '@keyward/core';
import type { Command } from 'commander';
import type { Context } from '../context.ts';
import { usageError } from '../exit-codes.ts';

const MAX_COUNT = 100_000;

export function registerKeys(program: Command, contextOf: (command: Command) => Context) {
  const keys = program.command('keys').description('offline key material');
  keys
    .command('generate')
    .description("print new random keys in Keyward's format (32 random bytes, checksummed); no server needed")
    .option('--count <n>', `how many (1-${MAX_COUNT})`, '1')
    .option('--prefix <prefix>', `token prefix (${TOKEN_PREFIX_PATTERN})`, DEFAULT_TOKEN_PREFIX)
    .action((options: { count: string; prefix: string }, command: Command) => {
      const ctx = contextOf(command);
      const count = Number(options.count);
      if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
        throw usageError(`--count must be a whole number from 1 to ${MAX_COUNT}`);
      }
      if (!isValidPrefix(options.prefix)) {
        throw usageError(`--prefix "${options.prefix}" must match ${TOKEN_PREFIX_PATTERN}`);
      }
      const generated = Array.from({ length: count }, () => generateToken(options.prefix));
      if (ctx.out.json) ctx.out.data({ keys: generated });
      else process.stdout.write(`${generated.join('\n')}\n`);
    });
}
