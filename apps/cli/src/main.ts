// First: before anything allocates enough for a full GC (see the module).
import '@keyward/core/tick-shape';
import { Command, CommanderError, Option } from 'commander';
import { registerAudit } from './commands/audit.ts';
import { registerAuth } from './commands/auth.ts';
import { registerBackup } from './commands/backup.ts';
import { registerCompletion } from './commands/completion.ts';
import { registerErrors } from './commands/errors.ts';
import { registerInit } from './commands/init.ts';
import { registerKeys } from './commands/keys.ts';
import { registerMembers } from './commands/members.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerPolicies } from './commands/policies.ts';
import { registerProjects } from './commands/projects.ts';
import { registerRoles } from './commands/roles.ts';
import { registerServe } from './commands/serve.ts';
import { registerServiceAccounts } from './commands/service-accounts.ts';
import { registerTokens } from './commands/tokens.ts';
import { registerWebhooks } from './commands/webhooks.ts';
import { readEnv } from './config.ts';
import { createContext, describeFailure, VERSION } from './context.ts';
import { EXIT } from './exit-codes.ts';
import { splitJsonFields } from './json-fields.ts';

// The only place the CLI reads its environment; commands get it through their context.
const env = readEnv(process.env);
const contextOf = (command: Command) => createContext(env, command);

const program = new Command()
  .name('keyward')
  .description('Keyward: self-hostable API tokens')
  .version(VERSION)
  .option(
    '--json',
    'machine-readable output on stdout; --json=id,name (or --json id,name) keeps those fields',
  )
  .addOption(new Option('--json-fields <fields>').hideHelp())
  .option('-e, --environment <env>', 'use the stored credential of this environment (env or name@env)')
  .option('--url <url>', 'Keyward server URL (overrides KEYWARD_URL and the stored URL)')
  .option('--no-color', 'no colour (also when NO_COLOR is set or stdout is not a terminal)')
  .exitOverride()
  .showHelpAfterError()
  .configureHelp({ showGlobalOptions: true })
  .addHelpText(
    'after',
    '\nEnvironment: KEYWARD_URL, KEYWARD_TOKEN, XDG_CONFIG_HOME, NO_COLOR.\n' +
      'Exit codes: 0 ok, 1 failure (incl. unreachable server), 2 usage, 3 authentication (401/403).',
  );

registerServe(program, contextOf);
registerInit(program, contextOf);
registerMigrate(program, contextOf);
registerBackup(program, contextOf);
registerAuth(program, contextOf);
registerTokens(program, contextOf);
registerErrors(program, contextOf);
registerAudit(program, contextOf);
registerKeys(program, contextOf);
registerRoles(program, contextOf);
registerMembers(program, contextOf);
registerServiceAccounts(program, contextOf);
registerProjects(program, contextOf);
registerWebhooks(program, contextOf);
registerPolicies(program, contextOf);
registerCompletion(program);

// `keyward … | head` closes stdout early: that ends the output, it is not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT.ok);
  throw error;
});

// Commander's own errors (unknown option, missing argument) are usage errors.
const argv = splitJsonFields(process.argv);
const wantsJson = argv.some((arg) => arg === '--json');
try {
  await program.parseAsync(argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    const failure =
      error instanceof Error && error.name === 'ConfigError'
        ? { message: error.message, exitCode: EXIT.usage, json: { message: error.message } }
        : describeFailure(error);
    process.stderr.write(`error: ${failure.message}\n`);
    if (wantsJson) process.stdout.write(`${JSON.stringify({ error: failure.json })}\n`);
    process.exitCode = failure.exitCode;
  }
}
