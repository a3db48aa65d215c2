import { ConfigError } from '@keyward/server';
import { Command, CommanderError } from 'commander';
import { registerInit } from './commands/init.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerServe } from './commands/serve.ts';
import { CliError, EXIT } from './exit-codes.ts';

const program = new Command()
  .name('keyward')
  .description('Keyward: self-hostable API tokens')
  .version('0.1.0')
  .exitOverride()
  .showHelpAfterError();

registerServe(program);
registerInit(program);
registerMigrate(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (error instanceof CliError) {
    process.stderr.write(`keyward: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else if (error instanceof ConfigError) {
    process.stderr.write(`keyward: ${error.message}\n`);
    process.exitCode = EXIT.usage;
  } else {
    process.stderr.write(`keyward: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.failure;
  }
}
